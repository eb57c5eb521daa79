import fc from 'fast-check';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { dayMs, hourMs } from '../../domain/hour-metrics.js';
import type { RawFact } from '../../domain/raw-record.js';
import { chunk, putRawSegment } from './raw-segments.js';

/**
 * Generated latency distributions for the percentile oracle (workers/query/testing/percentile-oracle.contract.ts): each
 * case is one tenant whose facts sit in a few hours around one whole UTC day, so queries can be made to read
 * minute, hour, day and service rows. Facts are weighted (one latency, a count) so huge counts cost no memory
 * until they are written as raw lines, and so the exact order statistic is a sort of a few thousand pairs.
 */
export interface WeightedFact {
  ts: number;
  service: string;
  method: string;
  path: string;
  latencyMs: number;
  count: number;
}

export interface PercentileCase {
  name: string;
  tenant: string;
  facts: WeightedFact[];
}

/** The whole day every case covers; its neighbours get a few ragged hours. */
export const oracleDayStart = Date.parse('2026-11-10T00:00:00Z');
/** Hours (relative to oracleDayStart) that may hold facts: before the day, inside it, after it. */
const caseHours = [-3, -2, -1, 0, 5, 23, 24, 26];
export const oracleWindow = { from: oracleDayStart - 3 * hourMs, to: oracleDayStart + dayMs + 3 * hourMs };

export const oracleEndpoints = [
  { service: 'svc-a', method: 'GET', path: '/a' },
  { service: 'svc-a', method: 'POST', path: '/b' },
  { service: 'svc-b', method: 'GET', path: '/a' },
] as const;

/** Kinds of latency a client reports; a case mixes a random subset of them. */
const latencyKinds = {
  zero: fc.constant(0),
  // Any double up to 0.01 ms, which includes the smallest positive and subnormal doubles.
  subTenMicros: fc.double({ min: 0, max: 0.01, noNaN: true }),
  // Log-uniform over 1 ns .. 10 us: fc.double alone mostly draws the extremes.
  nanosToTenMicros: fc.double({ min: -6, max: -2, noNaN: true }).map((e) => 10 ** e),
  wholeMicros: fc.integer({ min: 1, max: 999 }).map((us) => us / 1000),
  wholeMillis: fc.integer({ min: 0, max: 2000 }),
  continuous: fc.double({ min: 0.01, max: 5000, noNaN: true }),
  multiMinute: fc.double({ min: 60_000, max: 3_600_000, noNaN: true }),
};
type LatencyKind = keyof typeof latencyKinds;

/** How often a burst repeats each of its values: mostly once, sometimes thousands of times (huge counts). */
const repeat = fc.oneof(
  { weight: 6, arbitrary: fc.constant(1) },
  { weight: 3, arbitrary: fc.integer({ min: 2, max: 50 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 40_000 }) },
);

const minuteOfHour = fc.oneof(fc.constantFrom(0, 1, 59), fc.integer({ min: 0, max: 59 }));

function burst(kinds: LatencyKind[]) {
  return fc.record({
    hour: fc.constantFrom(...caseHours),
    minute: minuteOfHour,
    endpoint: fc.integer({ min: 0, max: oracleEndpoints.length - 1 }),
    latencies: fc.array(fc.oneof(...kinds.map((k) => latencyKinds[k])), { minLength: 1, maxLength: 30 }),
    repeat,
  });
}

const caseShape = fc
  .subarray(Object.keys(latencyKinds) as LatencyKind[], { minLength: 1 })
  .chain((kinds) => fc.array(burst(kinds), { minLength: 1, maxLength: 60 }));

/** Facts beyond this many per case are dropped, so one rich case still rolls up in a second or two. */
const maxFactsPerCase = 120_000;

/** `count` generated cases, the same for a given seed. */
export function buildGeneratedCases(seed: number, count: number): PercentileCase[] {
  return fc.sample(caseShape, { seed, numRuns: count }).map((bursts, c) => {
    const facts: WeightedFact[] = [];
    let total = 0;
    for (const b of bursts) {
      const minuteStart = oracleDayStart + b.hour * hourMs + b.minute * 60_000;
      const endpoint = oracleEndpoints[b.endpoint]!;
      b.latencies.forEach((latencyMs, i) => {
        if (total + b.repeat > maxFactsPerCase) return;
        total += b.repeat;
        const ts = minuteStart + ((i * 7919 + b.repeat) % 60_000);
        facts.push({ ...endpoint, ts, latencyMs, count: b.repeat });
      });
    }
    return { name: `generated seed ${seed} #${c}`, tenant: `pct-g${seed}-${c}`, facts };
  });
}

function handCase(name: string, tenant: string, facts: [hour: number, latencyMs: number, count: number][]) {
  const endpoint = oracleEndpoints[0];
  return {
    name,
    tenant,
    facts: facts.map(([hour, latencyMs, count], i) => ({
      ...endpoint,
      ts: oracleDayStart + hour * hourMs + 90_000 + i * 1000,
      latencyMs,
      count,
    })),
  };
}

/** The shapes the acceptance run reported, written out so they are always among the cases. */
export function buildHandPickedCases(): PercentileCase[] {
  return [
    handCase('two zeros and 5.5 ms in one minute', 'pct-h-zeros', [
      [0, 0, 1],
      [0, 0, 1],
      [0, 5.5, 1],
    ]),
    handCase('one 0.0004 ms request', 'pct-h-submicro', [[0, 0.0004, 1]]),
    handCase('a sub-millisecond endpoint over several minutes', 'pct-h-submilli', [
      [0, 0.057, 3],
      [0, 0.0449, 2],
      [0, 0.731, 5],
      [0, 0.0031, 1],
      [5, 0.2, 4],
    ]),
    handCase('whole-millisecond client with a million fast requests', 'pct-h-wholems', [
      [0, 0, 60_000],
      [0, 1, 30_000],
      [0, 2, 9_000],
      [23, 1, 1],
      [24, 3_600_000, 1],
    ]),
  ];
}

/** The documented order statistic: the latency at 0-based rank floor(q * (n - 1)) in ascending order. */
export function exactQuantile(facts: readonly WeightedFact[], q: number): number | null {
  const n = facts.reduce((sum, f) => sum + f.count, 0);
  if (n === 0) return null;
  const rank = Math.floor(q * (n - 1));
  const sorted = [...facts].sort((a, b) => a.latencyMs - b.latencyMs);
  let seen = 0;
  for (const f of sorted) {
    seen += f.count;
    if (seen > rank) return f.latencyMs;
  }
  return sorted.at(-1)!.latencyMs;
}

/**
 * The promise as the docs state it: within 1% relative of the exact order statistic; an exact value of 0 (or a
 * subnormal double, below 2^-1022 ms) is answered as 0. The slack is room for floating-point rounding
 * only: the 1% bound itself is reached at bucket edges.
 */
export function withinPromise(observed: number | null, exact: number | null): boolean {
  if (exact === null || observed === null) return observed === exact;
  // The API answers 0 here; the stored columns, clamped to the exact minimum, may show that subnormal instead.
  if (exact < 2 ** -1022) return observed >= 0 && observed < 2 ** -1022;
  return Math.abs(observed - exact) <= 0.01 * exact * (1 + 1e-9);
}

export const oracleQuantiles = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
] as const;

/** One answer that broke the promise: which case, which query or table, where, what it said, the truth. */
export interface Mismatch {
  case: string;
  query: string;
  at: string;
  field: string;
  observed: number | null;
  exact: number | null;
}

export const countOf = (facts: readonly WeightedFact[]) => facts.reduce((sum, f) => sum + f.count, 0);

function* rawFacts(c: PercentileCase): Generator<RawFact> {
  let id = 0;
  for (const f of c.facts) {
    for (let k = 0; k < f.count; k++) {
      yield {
        kind: 'fact',
        tenant: c.tenant,
        event_id: `${c.tenant}-${id++}`,
        ts: f.ts,
        service: f.service,
        method: f.method,
        path: f.path,
        status_code: 200,
        latency_ms: f.latencyMs,
      };
    }
  }
}

/** Writes every case's facts as sealed raw segments (one partition per segment), as ingest would. */
export async function putPercentileCases(
  store: ObjectStore,
  cases: readonly PercentileCase[],
): Promise<void> {
  let seq = 0;
  for (const c of cases) {
    const byHour = new Map<number, RawFact[]>();
    for (const f of rawFacts(c)) {
      const hour = Math.floor(f.ts / hourMs);
      const list = byHour.get(hour) ?? [];
      list.push(f);
      byHour.set(hour, list);
    }
    for (const records of byHour.values()) {
      for (const segment of chunk(records, 50_000)) {
        await putRawSegment(store, segment, { ingester: 'pct-0', seq: ++seq });
      }
    }
  }
}

/**
 * The percentile promise checked over the whole query path (raw segments -> rollup -> Parquet -> engine -> API)
 * against the exact order statistic of the facts each answer covers (withinPromise in percentile-cases.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { dayMs, hourMs } from '../../domain/hour-metrics.js';
import {
  countOf,
  exactQuantile,
  oracleQuantiles as quantiles,
  withinPromise,
  type Mismatch,
  oracleDayStart as d0,
  oracleEndpoints,
  oracleWindow,
  type PercentileCase,
  type WeightedFact,
} from '../../rollup/testing/percentile-cases.js';
import type { EndpointRow } from '../api-types.js';
import type { EndpointSort } from '../app/query-service.js';
import { QueryService } from '../app/query-service.js';
import { checkStoredPercentiles } from '../../rollup/testing/stored-percentiles-oracle.js';

/**
 * 'full' asks every query below; 'lean' (Trino, where each query is a round trip of a second or so) drops the
 * ones that read the same tables with the same steps as another: one service-table filter, the ragged and
 * day-aligned series, one overlay, two endpoint tables. Every step and every table stays covered.
 */
export type OracleDepth = 'full' | 'lean';

interface Answer {
  requests: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

type Filter = { service?: string; method?: string; path?: string };

const matches = (f: WeightedFact, filter: Filter) =>
  (filter.service === undefined || f.service === filter.service) &&
  (filter.method === undefined || f.method === filter.method) &&
  (filter.path === undefined || f.path === filter.path);

class Checker {
  readonly mismatches: Mismatch[] = [];
  checked = 0;
  constructor(private readonly c: PercentileCase) {}

  answer(query: string, at: string, got: Answer, facts: readonly WeightedFact[]): void {
    this.checked += 1;
    if (got.requests !== countOf(facts)) this.fail(query, at, 'requests', got.requests, countOf(facts));
    for (const [name, q] of quantiles) {
      const exact = exactQuantile(facts, q);
      if (!withinPromise(got[name], exact)) this.fail(query, at, name, got[name], exact);
    }
  }

  fail(query: string, at: string, field: string, observed: number | null, exact: number | null): void {
    this.mismatches.push({ case: this.c.name, query, at, field, observed, exact });
  }
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);
const minutes = (ms: number) => `${ms / 60_000}m`;

/** Step series: which table the planner reads follows from the filter (endpoint or service) and the step. */
function seriesQueries(depth: OracleDepth) {
  const endpoint = oracleEndpoints[0];
  const filters: [string, Filter, boolean][] = [
    ['all services (service tables)', {}, true],
    ['service svc-a (service tables)', { service: 'svc-a' }, false],
    ['endpoint GET /a (request tables)', { ...endpoint }, true],
  ];
  const ranges: [number, number, number, boolean][] = [
    [60_000, oracleWindow.from, oracleWindow.to, true],
    [5 * 60_000, oracleWindow.from, oracleWindow.to, true],
    [15 * 60_000, oracleWindow.from, oracleWindow.to, true],
    [hourMs, oracleWindow.from, oracleWindow.to, true], // hour rows
    [hourMs, oracleWindow.from + 7 * 60_000, oracleWindow.to - 60_000, false], // ragged: minute rows
    [dayMs, d0 - dayMs, d0 + 2 * dayMs, false], // hour rows, day steps
    [dayMs, oracleWindow.from, oracleWindow.to, true], // hour rows, steps starting on an hour
  ];
  const keep = (lean: boolean) => depth === 'full' || lean;
  return filters
    .filter(([, , lean]) => keep(lean))
    .flatMap(([label, filter]) =>
      ranges
        .filter(([, , , lean]) => keep(lean))
        .map(([stepMs, from, to]) => ({ label, filter, stepMs, from, to })),
    );
}

/**
 * Runs `each` over `items`, `width` at a time: a Trino query spends most of its wall time in scheduling and
 * polling, so a few in flight keep the single-node server busy without queueing the whole case at once.
 */
async function inParallel<T>(items: readonly T[], width: number, each: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await each(items[next++]!);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

async function checkSeries(service: QueryService, c: PercentileCase, check: Checker, depth: OracleDepth) {
  const tenant = c.tenant;
  await inParallel(seriesQueries(depth), 3, async ({ label, filter, stepMs, from, to }) => {
    const query = `timeseries ${label} step ${minutes(stepMs)} ${iso(from)}..${iso(to)}`;
    const { points } = await service.timeseries({ tenant, from, to, stepMs, ...filter });
    for (const p of points) {
      const facts = c.facts.filter((f) => matches(f, filter) && f.ts >= p.t && f.ts < p.t + stepMs);
      check.answer(query, iso(p.t), p, facts);
    }
  });
}

async function checkCompare(service: QueryService, c: PercentileCase, check: Checker, depth: OracleDepth) {
  const [tenant, from, to] = [c.tenant, d0 + dayMs - 3 * hourMs, d0 + dayMs + 3 * hourMs];
  const overlays: [number, Filter][] = [
    [15 * 60_000, {}],
    [hourMs, { ...oracleEndpoints[0] }],
  ];
  for (const [stepMs, filter] of overlays.slice(0, depth === 'full' ? 2 : 1)) {
    const query = `timeseries compare=1d step ${minutes(stepMs)} filter ${JSON.stringify(filter)}`;
    const { compare } = await service.timeseries({ tenant, from, to, stepMs, compare: '1d', ...filter });
    for (const p of compare!.points) {
      const past = p.t - dayMs;
      const facts = c.facts.filter((f) => matches(f, filter) && f.ts >= past && f.ts < past + stepMs);
      check.answer(query, `overlay of ${iso(past)}`, p, facts);
    }
  }
}

/** Endpoint tables over ranges that make the planner read day tiles, hours, minutes or a mix. */
function endpointQueries(depth: OracleDepth): {
  label: string;
  from: number;
  to: number;
  sort: EndpointSort;
  service?: string;
  /** Only in the full depth: the lean one still reads every table. */
  fullOnly?: true;
}[] {
  const ragged = { from: oracleWindow.from + 17 * 60_000, to: oracleWindow.to - 13 * 60_000 };
  const queries: ReturnType<typeof endpointQueries> = [
    { label: 'day tile + hours + minutes', ...ragged, sort: 'p95' },
    { label: 'day tile only', from: d0, to: d0 + dayMs, sort: 'p95' },
    { label: 'hours only', from: d0 - 3 * hourMs, to: d0, sort: 'p95' },
    {
      label: 'minutes only',
      from: d0 - 3 * hourMs + 5 * 60_000,
      to: d0 - 2 * hourMs - 10 * 60_000,
      sort: 'p95',
      fullOnly: true,
    },
    { label: 'top 2 by requests, day tile + hours + minutes', ...ragged, sort: 'requests' },
    {
      label: 'service svc-a, day tile + hours',
      from: d0 - 3 * hourMs,
      to: d0 + dayMs,
      sort: 'errors',
      service: 'svc-a',
      fullOnly: true,
    },
  ];
  return queries.filter((q) => depth === 'full' || !q.fullOnly);
}

async function checkEndpoints(service: QueryService, c: PercentileCase, check: Checker, depth: OracleDepth) {
  const tenant = c.tenant;
  for (const { label, from, to, sort, service: only } of endpointQueries(depth)) {
    const limit = sort === 'requests' ? 2 : 100;
    const { endpoints } = await service.endpoints(tenant, from, to, sort, limit, only);
    const query = `endpoints sort=${sort} ${label} ${iso(from)}..${iso(to)}`;
    for (const e of endpoints) {
      const facts = c.facts.filter((f) => matches(f, e) && f.ts >= from && f.ts < to);
      check.answer(query, `${e.service} ${e.method} ${e.path}`, e, facts);
    }
    if (sort === 'p95') checkRanking(check, c, query, endpoints, { from, to, service: only });
  }
}

/** A p95 table lists every endpoint with facts in range, slowest first by the p95 values it shows. */
function checkRanking(
  check: Checker,
  c: PercentileCase,
  query: string,
  endpoints: readonly EndpointRow[],
  range: { from: number; to: number; service?: string },
): void {
  const inRange = c.facts.filter((f) => f.ts >= range.from && f.ts < range.to && matches(f, range));
  const keys = new Set(inRange.map((f) => `${f.service} ${f.method} ${f.path}`));
  if (endpoints.length !== keys.size) check.fail(query, '-', 'endpoints', endpoints.length, keys.size);
  const p95s = endpoints.map((e) => e.p95 ?? -1);
  if (p95s.some((v, i) => i > 0 && v > p95s[i - 1]!)) check.fail(query, '-', 'p95 order', null, null);
}

/** Checks every case through the API and the stored p50/p95/p99 columns; returns what broke the promise. */
export async function checkPercentileCases(
  service: QueryService,
  store: ObjectStore,
  cases: readonly PercentileCase[],
  depth: OracleDepth,
): Promise<{ mismatches: Mismatch[]; checked: number }> {
  const all: Mismatch[] = [];
  let checked = 0;
  for (const c of cases) {
    const check = new Checker(c);
    await Promise.all([
      checkSeries(service, c, check, depth),
      checkCompare(service, c, check, depth),
      checkEndpoints(service, c, check, depth),
    ]);
    all.push(...check.mismatches, ...(await checkStoredPercentiles(store, c)));
    checked += check.checked;
  }
  return { mismatches: all, checked };
}

/** Keeps the full list of mismatches where a person can read it; the assertion shows the first few. */
export function writeMismatchReport(engine: string, mismatches: readonly Mismatch[]): string {
  const dir = 'test-artifacts/percentile-oracle';
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/${engine.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.json`;
  writeFileSync(file, JSON.stringify(mismatches, null, 1));
  return file;
}

import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildManifestKey } from '../../domain/metrics-layout.js';
import { buildRawPartition } from '../../domain/raw-partition.js';
import type { RawFact } from '../../domain/raw-record.js';
import type { QueryService } from '../../query/app/query-service.js';
import { exactQuantile } from './seeded-raw-events.js';

/** A raw file the trial landed, and its facts (what the oracle counts once the hour's manifest covers it). */
export interface LandedFile {
  key: string;
  etag: string;
  size: number;
  hour: number;
  facts: RawFact[];
}

const hourMs = 3_600_000;

/**
 * The distinct facts (first of each event id) of every file an hour's committed manifest covers, for `hours`; a
 * landed file its manifest does not cover after a complete run is a problem (nothing acknowledged is lost).
 */
export async function coveredFacts(
  store: ObjectStore,
  files: readonly LandedFile[],
  hours: readonly number[],
): Promise<{ facts: RawFact[]; problems: string[] }> {
  const facts = new Map<string, RawFact>();
  const problems: string[] = [];
  for (const hour of hours) {
    const landed = files.filter((f) => f.hour === hour);
    const object = await store.get(buildManifestKey(buildRawPartition('acme', hour)));
    if (!object) {
      if (landed.length > 0)
        problems.push(`${new Date(hour).toISOString()}: no manifest, ${landed.length} files`);
      continue;
    }
    const manifest = JSON.parse(new TextDecoder().decode(object.body)) as {
      published: boolean;
      inputs: { key: string; etag: string; size: number }[];
    };
    if (!manifest.published) problems.push(`${new Date(hour).toISOString()}: manifest not published`);
    const inputs = new Set(manifest.inputs.map((i) => `${i.key} ${i.etag} ${i.size}`));
    const [counted, lost] = partition(landed, (f) => inputs.has(`${f.key} ${f.etag} ${f.size}`));
    problems.push(...lost.map((f) => `${f.key}: landed, not rolled up`));
    for (const fact of counted.flatMap((f) => f.facts))
      if (!facts.has(fact.event_id)) facts.set(fact.event_id, fact);
  }
  return { facts: [...facts.values()], problems };
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

interface Answered {
  requests: number;
  errors5xx: number;
  p50?: number | null;
  p95?: number | null;
  p99?: number | null;
}

/** Counts exact, each percentile within 1% of the exact order statistic (the query-engine contract's rule). */
function compare(label: string, got: Answered | undefined, subset: readonly RawFact[]): string[] {
  const errors = subset.filter((f) => f.status_code >= 500).length;
  if (!got) return subset.length > 0 ? [`${label}: missing, expected ${subset.length} requests`] : [];
  if (got.requests !== subset.length || got.errors5xx !== errors)
    return [`${label}: requests/5xx ${got.requests}/${got.errors5xx}, expected ${subset.length}/${errors}`];
  if (subset.length === 0 || got.p50 === undefined) return [];
  const sorted = subset.map((f) => f.latency_ms).sort((a, b) => a - b);
  return (
    [
      ['p50', 0.5, got.p50],
      ['p95', 0.95, got.p95],
      ['p99', 0.99, got.p99],
    ] as const
  ).flatMap(([name, q, value]) => {
    const exact = exactQuantile(sorted, q);
    return value !== null && value !== undefined && Math.abs(value - exact) <= exact * 0.01 + 1e-9
      ? []
      : [`${label}: ${name} ${value}, exact ${exact}`];
  });
}

const endpointOf = (f: { service: string; method: string; path: string }) =>
  `${f.service} ${f.method} ${f.path}`;

/**
 * The dashboard's three calls over [from, to) (a range ending inside an hour: its open-hour tile, when listed, is
 * read for the minutes it covers): the chart at hourly steps, the service list and the endpoint table, each checked
 * against the facts.
 */
export async function checkAnswers(
  service: QueryService,
  range: { from: number; to: number },
  all: readonly RawFact[],
): Promise<string[]> {
  const { from, to } = range;
  const facts = all.filter((f) => f.ts >= from && f.ts < to);
  const at = `[${new Date(from).toISOString()}, ${new Date(to).toISOString()})`;
  const [chart, listed, table] = await Promise.all([
    service.timeseries({ tenant: 'acme', from, to, stepMs: hourMs }),
    service.services('acme', from, to, 1000, undefined, true),
    service.endpoints('acme', from, to, 'p95', 1000),
  ]);
  const problems: string[] = [];
  for (let t = from; t < to; t += hourMs) {
    const point = chart.points.find((p) => p.t === t);
    const subset = facts.filter((f) => f.ts >= t && f.ts < t + hourMs);
    problems.push(...compare(`${at} chart step ${new Date(t).toISOString()}`, point, subset));
  }
  const services = new Set(facts.map((f) => f.service));
  for (const name of new Set([...services, ...listed.services.map((s) => s.service)])) {
    const got = listed.services.find((s) => s.service === name);
    const subset = facts.filter((f) => f.service === name);
    problems.push(...compare(`${at} service ${name}`, got, subset));
  }
  const endpoints = new Set([...facts.map(endpointOf), ...table.endpoints.map(endpointOf)]);
  for (const name of endpoints) {
    const got = table.endpoints.find((e) => endpointOf(e) === name);
    problems.push(
      ...compare(
        `${at} endpoint ${name}`,
        got,
        facts.filter((f) => endpointOf(f) === name),
      ),
    );
  }
  return problems;
}

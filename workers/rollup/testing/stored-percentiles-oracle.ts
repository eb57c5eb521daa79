import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { decodeParquet } from '../../adapters/parquet-codec.js';
import { dayMs, hourMs } from '../../domain/hour-metrics.js';
import { buildTableTenantPrefix } from '../../domain/metrics-layout.js';
import {
  exactQuantile,
  withinPromise,
  type Mismatch,
  type PercentileCase,
  type WeightedFact,
} from './percentile-cases.js';

/** Every metrics table, its time column and the span one row covers. */
const tables = [
  { table: 'request_metrics_minute', time: 'minute_ms', span: 60_000, byEndpoint: true },
  { table: 'request_metrics_hour', time: 'hour_ms', span: hourMs, byEndpoint: true },
  { table: 'request_metrics_day', time: 'day_ms', span: dayMs, byEndpoint: true },
  { table: 'service_metrics_minute', time: 'minute_ms', span: 60_000, byEndpoint: false },
  { table: 'service_metrics_hour', time: 'hour_ms', span: hourMs, byEndpoint: false },
] as const;

const stored = [
  ['latency_p50_ms', 0.5],
  ['latency_p95_ms', 0.95],
  ['latency_p99_ms', 0.99],
] as const;

/**
 * The precomputed p50/p95/p99 columns BI tools read, row by row, against the exact order statistic of the facts
 * the row covers (same promise as the API's). Reads every committed file of the case's tenant.
 */
export async function checkStoredPercentiles(store: ObjectStore, c: PercentileCase): Promise<Mismatch[]> {
  const mismatches: Mismatch[] = [];
  for (const { table, time, span, byEndpoint } of tables) {
    const files = (await store.list(buildTableTenantPrefix(table, c.tenant))).filter((o) =>
      o.key.endsWith('.parquet'),
    );
    if (files.length === 0) mismatches.push(missing(c, table));
    for (const file of files) {
      const object = await store.get(file.key);
      const rows = decodeParquet(object!.body).toArray() as Record<string, unknown>[];
      mismatches.push(...rows.flatMap((row) => checkRow(c, table, row, time, span, byEndpoint)));
    }
  }
  return mismatches;
}

function checkRow(
  c: PercentileCase,
  table: string,
  row: Record<string, unknown>,
  time: string,
  span: number,
  byEndpoint: boolean,
): Mismatch[] {
  const start = Number(row[time]);
  const facts = c.facts.filter((f) => f.ts >= start && f.ts < start + span && sameKey(f, row, byEndpoint));
  const key = byEndpoint ? `${String(row['method'])} ${String(row['path'])}` : '';
  const at = `${new Date(start).toISOString()} ${String(row['service'])} ${key}`.trim();
  return stored.flatMap(([column, q]) => {
    const [observed, exact] = [Number(row[column]), exactQuantile(facts, q)];
    return withinPromise(observed, exact)
      ? []
      : [{ case: c.name, query: `stored ${table}`, at, field: column, observed, exact }];
  });
}

function sameKey(f: WeightedFact, row: Record<string, unknown>, byEndpoint: boolean): boolean {
  if (f.service !== row['service']) return false;
  return !byEndpoint || (f.method === row['method'] && f.path === row['path']);
}

const missing = (c: PercentileCase, table: string): Mismatch => ({
  case: c.name,
  query: `stored ${table}`,
  at: '-',
  field: 'files',
  observed: 0,
  exact: null,
});

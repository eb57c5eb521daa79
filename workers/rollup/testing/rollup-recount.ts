import { decodeParquet } from '../../adapters/parquet-codec.js';
import { latencyBucketIndex, latencyMinIndexableMs } from '../../domain/latency-sketch.js';
import type { RawEdge, RawFact } from '../../domain/raw-record.js';

/** The request metrics tables a recount checks, with the span of one row and whether rows are per endpoint. */
export const recountTables = {
  request_metrics_minute: { spanMs: 60_000, endpoint: true, timeColumn: 'minute_ms' },
  request_metrics_hour: { spanMs: 3_600_000, endpoint: true, timeColumn: 'hour_ms' },
  request_metrics_day: { spanMs: 86_400_000, endpoint: true, timeColumn: 'day_ms' },
  service_metrics_minute: { spanMs: 60_000, endpoint: false, timeColumn: 'minute_ms' },
  service_metrics_hour: { spanMs: 3_600_000, endpoint: false, timeColumn: 'hour_ms' },
  // Edge tables (and their tiles of hour rows) are recounted from edgesAsFacts: caller as service, callee as path.
  service_edges_minute: { spanMs: 60_000, endpoint: true, timeColumn: 'minute_ms', edge: true },
  service_edges_hour: { spanMs: 3_600_000, endpoint: true, timeColumn: 'hour_ms', edge: true },
} as const;
export type RecountTable = keyof typeof recountTables;

/**
 * Edges as the facts a recount of an edge table counts: the caller as service, an empty method, the callee as path
 * (`unnamed` for a CLIENT span that named none, when the caller knows no SERVER span can name it).
 */
export function edgesAsFacts(edges: readonly RawEdge[], unnamed: string): RawFact[] {
  return edges.map((e) => ({
    kind: 'fact',
    tenant: e.tenant,
    event_id: e.event_id,
    ts: e.ts,
    service: e.caller,
    method: '',
    path: e.callee ?? unnamed,
    status_code: e.status_code,
    latency_ms: e.latency_ms,
  }));
}

export interface RecountCells {
  requests: number;
  errors5xx: number;
  errors4xx: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  zeroCount: number;
  /** bucket index -> count */
  buckets: Map<number, number>;
}

const rowKey = (startMs: number, service: string, method?: string, path?: string) =>
  `${new Date(startMs).toISOString()} ${service}${method === undefined ? '' : ` ${method} ${path}`}`;

/**
 * Recounts a table's rows straight from facts, independently of the rollup's aggregators: distinct by event_id,
 * one cell per (row start, service[, method, path]). Only the sketch's bucket mapping is shared.
 */
export function recountFacts(facts: readonly RawFact[], table: RecountTable): Map<string, RecountCells> {
  const { spanMs, endpoint } = recountTables[table];
  const seen = new Set<string>();
  const cells = new Map<string, RecountCells>();
  for (const f of facts) {
    if (seen.has(f.event_id)) continue;
    seen.add(f.event_id);
    const start = f.ts - (f.ts % spanMs);
    const key = endpoint ? rowKey(start, f.service, f.method, f.path) : rowKey(start, f.service);
    let c = cells.get(key);
    if (!c) {
      c = {
        requests: 0,
        errors5xx: 0,
        errors4xx: 0,
        sumMs: 0,
        minMs: Infinity,
        maxMs: -Infinity,
        zeroCount: 0,
        buckets: new Map(),
      };
      cells.set(key, c);
    }
    c.requests += 1;
    if (f.status_code >= 500) c.errors5xx += 1;
    else if (f.status_code >= 400) c.errors4xx += 1;
    c.sumMs += f.latency_ms;
    c.minMs = Math.min(c.minMs, f.latency_ms);
    c.maxMs = Math.max(c.maxMs, f.latency_ms);
    if (f.latency_ms < latencyMinIndexableMs) c.zeroCount += 1;
    else {
      const index = latencyBucketIndex(f.latency_ms);
      c.buckets.set(index, (c.buckets.get(index) ?? 0) + 1);
    }
  }
  return cells;
}

const numbers = (value: unknown): number[] =>
  Array.from((value as { toArray(): ArrayLike<number | bigint> }).toArray(), Number);

/** Reads a committed Parquet file of the table into the same cells. */
export function readTableCells(bytes: Uint8Array, table: RecountTable): Map<string, RecountCells> {
  const layout: { endpoint: boolean; timeColumn: string; edge?: true } = recountTables[table];
  const { endpoint, timeColumn } = layout;
  const cells = new Map<string, RecountCells>();
  for (const r of decodeParquet(bytes).toArray() as Record<string, unknown>[]) {
    const start = Number(r[timeColumn]);
    const key = layout.edge
      ? rowKey(start, String(r['caller']), '', String(r['callee']))
      : endpoint
        ? rowKey(start, String(r['service']), String(r['method']), String(r['path']))
        : rowKey(start, String(r['service']));
    const indexes = numbers(r['latency_bucket_index']);
    const counts = numbers(r['latency_bucket_count']);
    cells.set(key, {
      requests: Number(r['requests']),
      errors5xx: Number(r['errors_5xx']),
      errors4xx: Number(r['errors_4xx']),
      sumMs: Number(r['latency_sum_ms']),
      minMs: Number(r['latency_min_ms']),
      maxMs: Number(r['latency_max_ms']),
      zeroCount: Number(r['latency_zero_count']),
      buckets: new Map(indexes.map((index, i) => [index, counts[i]!])),
    });
  }
  return cells;
}

function sameCells(a: RecountCells, b: RecountCells): boolean {
  const closeSum = Math.abs(a.sumMs - b.sumMs) <= 1e-9 * Math.max(1, Math.abs(a.sumMs));
  return (
    a.requests === b.requests &&
    a.errors5xx === b.errors5xx &&
    a.errors4xx === b.errors4xx &&
    closeSum &&
    a.minMs === b.minMs &&
    a.maxMs === b.maxMs &&
    a.zeroCount === b.zeroCount &&
    a.buckets.size === b.buckets.size &&
    [...a.buckets].every(([index, count]) => b.buckets.get(index) === count)
  );
}

/** Every row that is missing, extra or different, as one line each (empty = exact). */
export function diffCells(
  label: string,
  expected: Map<string, RecountCells>,
  actual: Map<string, RecountCells>,
): string[] {
  const problems: string[] = [];
  for (const [key, want] of expected) {
    const got = actual.get(key);
    if (!got) problems.push(`${label} ${key}: missing row (${want.requests} requests)`);
    else if (!sameCells(want, got))
      problems.push(
        `${label} ${key}: ${got.requests} requests, ${want.requests} expected (or other cells differ)`,
      );
  }
  for (const [key, got] of actual)
    if (!expected.has(key)) problems.push(`${label} ${key}: extra row (${got.requests} requests)`);
  return problems;
}

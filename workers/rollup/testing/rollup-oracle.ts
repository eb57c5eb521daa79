import { expect } from '@jest/globals';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { latencyRelativeAccuracy } from '../../domain/latency-sketch.js';
import {
  buildMinuteStart,
  mergeMinuteMetrics,
  type MinuteMetricsFilter,
  type MinuteMetricsRow,
} from '../../domain/minute-metrics.js';
import { buildRawPartition, type RawPartition } from '../../domain/raw-partition.js';
import type { RawFact } from '../../domain/raw-record.js';
import { decodeRequestMetrics } from '../adapters/metrics-parquet.js';
import { buildDataFileKey } from '../../domain/metrics-layout.js';
import { exactQuantile } from './seeded-raw-events.js';

/** The committed request metrics of the given hours, read the way readers do (the fixed data file). */
export async function readCommittedRows(
  store: ObjectStore,
  partitions: RawPartition[],
): Promise<MinuteMetricsRow[]> {
  const rows: MinuteMetricsRow[] = [];
  for (const p of partitions) {
    const object = await store.get(buildDataFileKey('request_metrics_minute', p));
    if (object) rows.push(...decodeRequestMetrics(object.body));
  }
  return rows;
}

export function partitionsOf(facts: readonly RawFact[]): RawPartition[] {
  const byId = new Map<string, RawPartition>();
  for (const f of facts) {
    const p = buildRawPartition(f.tenant, f.ts);
    byId.set(`${p.tenant}/${p.date}/${p.hour}`, p);
  }
  return [...byId.values()];
}

function matches(f: RawFact, filter: MinuteMetricsFilter): boolean {
  const minute = buildMinuteStart(f.ts);
  return (
    (filter.service === undefined || f.service === filter.service) &&
    (filter.method === undefined || f.method === filter.method) &&
    (filter.path === undefined || f.path === filter.path) &&
    (filter.fromMs === undefined || minute >= filter.fromMs) &&
    (filter.toMs === undefined || minute < filter.toMs)
  );
}

/** Counts exact; p50/p95/p99/p99.9 within 1% of the sorted distinct facts, after merging rows. */
export function expectRowsMatchOracle(
  rows: MinuteMetricsRow[],
  distinctFacts: readonly RawFact[],
  filter: MinuteMetricsFilter = {},
): void {
  const selected = distinctFacts.filter((f) => matches(f, filter));
  const merged = mergeMinuteMetrics(rows, filter);
  expect(merged.requests).toBe(selected.length);
  expect(merged.errors5xx).toBe(selected.filter((f) => f.status_code >= 500).length);
  expect(merged.errors4xx).toBe(selected.filter((f) => f.status_code >= 400 && f.status_code < 500).length);
  const sorted = selected.map((f) => f.latency_ms).sort((a, b) => a - b);
  for (const q of [0.5, 0.95, 0.99, 0.999]) {
    const want = exactQuantile(sorted, q);
    const got = merged.quantile(q)!;
    expect(Math.abs(got - want) / want).toBeLessThanOrEqual(latencyRelativeAccuracy + 1e-9);
  }
}

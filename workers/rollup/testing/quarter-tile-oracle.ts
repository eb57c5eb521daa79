import { expect } from '@jest/globals';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { rollUpServicesToQuarters } from '../../domain/hour-metrics.js';
import { buildDataFileKey } from '../../domain/metrics-layout.js';
import type { RawPartition } from '../../domain/raw-partition.js';
import { decodeServiceMinuteMetrics, encodeServiceQuarterMetrics } from '../adapters/metrics-parquet.js';
import { sortedRowTexts } from './parquet-row-text.js';

/**
 * A quarter-hour tile of services (docs/adr/0091, 0141) against the committed service minute files of the hours it
 * covers: every row equal to the merge of those minute rows per (quarter-hour, service), counts, sums and
 * histograms, by the domain's own merge, never by the tile build's code path (read-day-hours.ts).
 */
export async function expectServiceQuarterTile(
  store: ObjectStore,
  hours: readonly RawPartition[],
  tileKey: string,
): Promise<void> {
  const serviceMinutes: ReturnType<typeof decodeServiceMinuteMetrics> = [];
  for (const p of hours) {
    const file = await store.get(buildDataFileKey('service_metrics_minute', p));
    serviceMinutes.push(...decodeServiceMinuteMetrics(file!.body));
  }
  const stored = sortedRowTexts((await store.get(tileKey))!.body);
  expect(stored.length).toBeGreaterThan(0);
  expect(stored).toEqual(
    sortedRowTexts(encodeServiceQuarterMetrics(rollUpServicesToQuarters(serviceMinutes))),
  );
}

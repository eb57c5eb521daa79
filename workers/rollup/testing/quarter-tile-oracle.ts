import { expect } from '@jest/globals';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { rollUpMinutesToQuarters, rollUpServicesToQuarters } from '../../domain/hour-metrics.js';
import { buildDataFileKey } from '../../domain/metrics-layout.js';
import type { RawPartition } from '../../domain/raw-partition.js';
import {
  decodeRequestMinuteMeasures,
  decodeServiceMinuteMetrics,
  encodeRequestQuarterMetrics,
  encodeServiceQuarterMetrics,
} from '../adapters/metrics-parquet.js';
import { sortedRowTexts } from '../../adapters/testing/parquet-row-text.js';

/**
 * A quarter-hour tile pair (docs/adr/0141, 0144) against the committed minute files of the hours it covers: every
 * row equal to the merge of those minute rows per (quarter-hour, endpoint) and per (quarter-hour, service), counts,
 * sums and histograms, by the domain's own merge of row objects, never by the tile build's columnar code path
 * (quarter-rows-from-minute-file.ts, read-day-hours.ts).
 */
export async function expectQuarterTiles(
  store: ObjectStore,
  hours: readonly RawPartition[],
  tiles: { request: string; service: string },
): Promise<void> {
  const [requestMinutes, serviceMinutes] = [[], []] as [
    ReturnType<typeof decodeRequestMinuteMeasures>,
    ReturnType<typeof decodeServiceMinuteMetrics>,
  ];
  for (const p of hours) {
    const request = await store.get(buildDataFileKey('request_metrics_minute', p));
    const service = await store.get(buildDataFileKey('service_metrics_minute', p));
    requestMinutes.push(...decodeRequestMinuteMeasures(request!.body));
    serviceMinutes.push(...decodeServiceMinuteMetrics(service!.body));
  }
  const [storedRequest, storedService] = await Promise.all([
    store.get(tiles.request),
    store.get(tiles.service),
  ]);
  const requestRows = sortedRowTexts(storedRequest!.body);
  expect(requestRows.length).toBeGreaterThan(0);
  expect(requestRows).toEqual(
    sortedRowTexts(await encodeRequestQuarterMetrics(rollUpMinutesToQuarters(requestMinutes))),
  );
  expect(sortedRowTexts(storedService!.body)).toEqual(
    sortedRowTexts(encodeServiceQuarterMetrics(rollUpServicesToQuarters(serviceMinutes))),
  );
}

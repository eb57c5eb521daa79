import type { ObjectInfo, ObjectStore } from '../../adapters/object-store/object-store.js';
import type { HourMetricsRow, ServiceMetricsRow } from '../../domain/hour-metrics.js';
import { buildDataFileKey, parseManifestKey } from '../../domain/metrics-layout.js';
import {
  decodeHourMetrics,
  decodeServiceHourMetrics,
  decodeServiceMinuteMetrics,
} from '../adapters/metrics-parquet.js';

/**
 * The hour rows of both levels of the hours whose manifests are given, in any order (encodeDayTiles sorts them):
 * what a day tile (refresh-day-tiles.ts) or an open-day tile (refresh-open-day-tiles.ts) is built from.
 */
export async function readDayHours(store: ObjectStore, manifests: readonly ObjectInfo[]) {
  const request: HourMetricsRow[] = [];
  const service: ServiceMetricsRow[] = [];
  for (const manifest of manifests) {
    const p = parseManifestKey(manifest.key)!;
    const [requestFile, serviceFile] = await Promise.all([
      store.get(buildDataFileKey('request_metrics_hour', p)),
      store.get(buildDataFileKey('service_metrics_hour', p)),
    ]);
    if (requestFile) request.push(...decodeHourMetrics(requestFile.body));
    if (serviceFile) service.push(...decodeServiceHourMetrics(serviceFile.body));
  }
  return { request, service };
}

/** The service minute rows of the hours whose manifests are given (the open day's quarter-hour tile). */
export async function readDayServiceMinutes(store: ObjectStore, manifests: readonly ObjectInfo[]) {
  const rows: ServiceMetricsRow[] = [];
  for (const manifest of manifests) {
    const file = await store.get(buildDataFileKey('service_metrics_minute', parseManifestKey(manifest.key)!));
    if (file) rows.push(...decodeServiceMinuteMetrics(file.body));
  }
  return rows;
}

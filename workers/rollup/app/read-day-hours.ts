import type { ObjectInfo, ObjectStore } from '../../adapters/object-store/object-store.js';
import type { HourMetricsRow, ServiceMetricsRow } from '../../domain/hour-metrics.js';
import { buildDataFileKey, parseManifestKey } from '../../domain/metrics-layout.js';
import type { EdgeMetricsRow } from '../../domain/edge-metrics.js';
import type { DayHourRows } from '../adapters/metrics-files.js';
import {
  decodeEdgeMetrics,
  decodeHourMetrics,
  decodeServiceHourMetrics,
  decodeServiceMinuteMetrics,
} from '../adapters/metrics-parquet.js';

/**
 * The hour rows of the three hour tables of the hours whose manifests are given, in any order (encodeDayTiles sorts
 * them): what a day tile (refresh-day-tiles.ts) or an open-day tile (refresh-open-day-tiles.ts) is built from. An
 * hour committed before edges existed has no edge file: it has no edges.
 */
export async function readDayHours(
  store: ObjectStore,
  manifests: readonly ObjectInfo[],
): Promise<DayHourRows> {
  const request: HourMetricsRow[] = [];
  const service: ServiceMetricsRow[] = [];
  const edges: EdgeMetricsRow[] = [];
  for (const manifest of manifests) {
    const p = parseManifestKey(manifest.key)!;
    const [requestFile, serviceFile, edgeFile] = await Promise.all([
      store.get(buildDataFileKey('request_metrics_hour', p)),
      store.get(buildDataFileKey('service_metrics_hour', p)),
      store.get(buildDataFileKey('service_edges_hour', p)),
    ]);
    if (requestFile) request.push(...decodeHourMetrics(requestFile.body));
    if (serviceFile) service.push(...decodeServiceHourMetrics(serviceFile.body));
    if (edgeFile) edges.push(...decodeEdgeMetrics(edgeFile.body, 'hour'));
  }
  return { request, service, edges };
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

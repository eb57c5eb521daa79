import type { ObjectInfo, ObjectStore } from '../../adapters/object-store/object-store.js';
import {
  rollUpServicesToQuarters,
  type HourMetricsRow,
  type QuarterMetricsRow,
  type ServiceMetricsRow,
} from '../../domain/hour-metrics.js';
import { buildDataFileKey, parseManifestKey, type DayTileTable } from '../../domain/metrics-layout.js';
import type { EdgeMetricsRow } from '../../domain/edge-metrics.js';
import { encodeEndpointQuarterTile, encodeHourTiles, type HourTileRows } from '../adapters/metrics-files.js';
import {
  decodeEdgeMetrics,
  decodeHourMetrics,
  decodeServiceHourMetrics,
  decodeServiceMinuteMetrics,
} from '../adapters/metrics-parquet.js';
import { rollUpMinuteFileToQuarters } from '../adapters/minute-file-quarters.js';

/**
 * The tiles of a day tile (refresh-day-tiles.ts) or an open-day tile (refresh-open-day-tiles.ts) build, over the
 * hours whose manifests are given, in two steps so their rows are never all in memory at once (docs/adr/0144): every
 * tile but one from the hour files and the service minute files, then the endpoints' quarter-hour tile from the
 * request minute files, once the first step's rows are gone. For the bench's day of 1,000 endpoints the second
 * step's rows are four times the first's.
 */
export async function buildDayTiles(
  store: ObjectStore,
  manifests: readonly ObjectInfo[],
): Promise<{ tiles: Record<DayTileTable, Uint8Array>; dayRows: number }> {
  const { tiles, dayRows } = encodeHourTiles(await readDayHours(store, manifests));
  const requestQuarters = await readEndpointQuarters(store, manifests);
  return {
    tiles: { ...tiles, request_metrics_day_quarters: await encodeEndpointQuarterTile(requestQuarters) },
    dayRows,
  };
}

/**
 * The rows every tile but the endpoints' quarter-hour one is built from, in any order (encodeHourTiles sorts them):
 * the three hour tables' rows and the service minute rows merged per quarter-hour (docs/adr/0091, 0141). A quarter
 * never straddles two hours, so each hour's minute file is merged on its own and only its quarter rows are kept. An
 * hour committed before edges existed has no edge file: it has no edges.
 */
export async function readDayHours(
  store: ObjectStore,
  manifests: readonly ObjectInfo[],
): Promise<HourTileRows> {
  const request: HourMetricsRow[] = [];
  const service: ServiceMetricsRow[] = [];
  const edges: EdgeMetricsRow[] = [];
  const serviceQuarters: ServiceMetricsRow[] = [];
  for (const manifest of manifests) {
    const p = parseManifestKey(manifest.key)!;
    const [requestFile, serviceFile, edgeFile, serviceMinutes] = await Promise.all([
      store.get(buildDataFileKey('request_metrics_hour', p)),
      store.get(buildDataFileKey('service_metrics_hour', p)),
      store.get(buildDataFileKey('service_edges_hour', p)),
      store.get(buildDataFileKey('service_metrics_minute', p)),
    ]);
    if (requestFile) request.push(...decodeHourMetrics(requestFile.body));
    if (serviceFile) service.push(...decodeServiceHourMetrics(serviceFile.body));
    if (edgeFile) edges.push(...decodeEdgeMetrics(edgeFile.body, 'hour'));
    if (serviceMinutes)
      serviceQuarters.push(...rollUpServicesToQuarters(decodeServiceMinuteMetrics(serviceMinutes.body)));
  }
  return { request, service, edges, serviceQuarters };
}

/**
 * The endpoints' minute rows of the hours merged per quarter-hour, each hour's request_metrics_minute file straight
 * from its columns (minute-file-quarters.ts, docs/adr/0144).
 */
export async function readEndpointQuarters(
  store: ObjectStore,
  manifests: readonly ObjectInfo[],
): Promise<QuarterMetricsRow[]> {
  const quarters: QuarterMetricsRow[] = [];
  for (const manifest of manifests) {
    const file = await store.get(buildDataFileKey('request_metrics_minute', parseManifestKey(manifest.key)!));
    if (file) quarters.push(...rollUpMinuteFileToQuarters(file.body));
  }
  return quarters;
}

import type { ObjectInfo, ObjectStore } from '../../adapters/object-store/object-store.js';
import {
  rollUpServicesToQuarters,
  type HourMetricsRow,
  type QuarterMetricsRow,
  type ServiceMetricsRow,
} from '../../domain/hour-metrics.js';
import { buildDataFileKey, parseManifestKey } from '../../domain/metrics-layout.js';
import type { EdgeMetricsRow } from '../../domain/edge-metrics.js';
import type { DayHourRows } from '../adapters/metrics-files.js';
import {
  decodeEdgeMetrics,
  decodeHourMetrics,
  decodeServiceHourMetrics,
  decodeServiceMinuteMetrics,
} from '../adapters/metrics-parquet.js';
import { rollUpMinuteFileToQuarters } from '../adapters/minute-file-quarters.js';

/**
 * The rows a day tile (refresh-day-tiles.ts) or an open-day tile (refresh-open-day-tiles.ts) is built from, of the
 * hours whose manifests are given, in any order (encodeDayTiles sorts them): the three hour tables' rows, and the
 * two minute tables' rows merged per quarter-hour (docs/adr/0141; the endpoints' straight from the file's columns,
 * docs/adr/0144). A quarter never straddles two hours, so each hour's minute file is merged on its own and only its
 * quarter rows are kept: a day's minute rows are never all in memory at once. An hour committed before edges existed has no edge file: it has no edges.
 */
export async function readDayHours(
  store: ObjectStore,
  manifests: readonly ObjectInfo[],
): Promise<DayHourRows> {
  const request: HourMetricsRow[] = [];
  const service: ServiceMetricsRow[] = [];
  const edges: EdgeMetricsRow[] = [];
  const quarters = { request: [] as QuarterMetricsRow[], service: [] as ServiceMetricsRow[] };
  for (const manifest of manifests) {
    const p = parseManifestKey(manifest.key)!;
    const [requestFile, serviceFile, edgeFile, requestMinutes, serviceMinutes] = await Promise.all([
      store.get(buildDataFileKey('request_metrics_hour', p)),
      store.get(buildDataFileKey('service_metrics_hour', p)),
      store.get(buildDataFileKey('service_edges_hour', p)),
      store.get(buildDataFileKey('request_metrics_minute', p)),
      store.get(buildDataFileKey('service_metrics_minute', p)),
    ]);
    if (requestFile) request.push(...decodeHourMetrics(requestFile.body));
    if (serviceFile) service.push(...decodeServiceHourMetrics(serviceFile.body));
    if (edgeFile) edges.push(...decodeEdgeMetrics(edgeFile.body, 'hour'));
    if (requestMinutes) quarters.request.push(...rollUpMinuteFileToQuarters(requestMinutes.body));
    if (serviceMinutes)
      quarters.service.push(...rollUpServicesToQuarters(decodeServiceMinuteMetrics(serviceMinutes.body)));
  }
  return { request, service, edges, quarters };
}

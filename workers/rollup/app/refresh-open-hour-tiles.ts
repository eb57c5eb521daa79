import type { Logger } from 'pino';
import type { ObjectInfo, ObjectStore } from '../../adapters/object-store/object-store.js';
import {
  buildDataFileKey,
  buildOpenHourTileKey,
  buildTablePrefix,
  manifestsPrefix,
  openHourMarkersPrefix,
  openHourTileTables,
  type OpenHourTileTable,
} from '../../domain/metrics-layout.js';
import { partitionStartMs } from '../../domain/raw-partition.js';
import { encodeOpenHourTiles } from '../adapters/metrics-files.js';
import { decodeRequestMinuteMeasures, decodeServiceMinuteMetrics } from '../adapters/metrics-parquet.js';
import { loadSeenTiles, putTilesAsSeen, replaceTileMarker } from '../adapters/put-tiles-as-seen.js';
import {
  planOpenHourTiles,
  type OpenHourTileBuild,
  type OpenHourTilePolicy,
} from '../domain/open-hour-tile-plan.js';
import { pauseAtPhase } from './test-phase-pause.js';

export interface OpenHourTileReport {
  built: number;
  deleted: number;
}

/** The build's tiles from the hour's committed minute files (an hour without a file has no rows there). */
async function encodeTiles(store: ObjectStore, build: OpenHourTileBuild) {
  const [request, service] = await Promise.all([
    store.get(buildDataFileKey('request_metrics_minute', build.partition)),
    store.get(buildDataFileKey('service_metrics_minute', build.partition)),
  ]);
  const rows = {
    request: request ? decodeRequestMinuteMeasures(request.body) : [],
    service: service ? decodeServiceMinuteMetrics(service.body) : [],
  };
  return encodeOpenHourTiles(rows, partitionStartMs(build.partition) + build.minutes * 60_000);
}

/**
 * Writes one build's tiles, each a conditional put on the tile seen before reading the minute files (a rerun after
 * late data replaces the same minutes' tile; a first build creates it); false when another run wrote one
 * meanwhile, so no marker is written and the next pass builds again (put-tiles-as-seen.ts).
 */
async function writeTiles(store: ObjectStore, build: OpenHourTileBuild): Promise<boolean> {
  const keyOf = (table: OpenHourTileTable) => buildOpenHourTileKey(build.partition, build.minutes, table);
  const seen = await loadSeenTiles(store, openHourTileTables.map(keyOf));
  const tiles = await encodeTiles(store, build);
  return putTilesAsSeen(
    store,
    seen,
    openHourTileTables.map((table) => [keyOf(table), tiles[table]] as const),
  );
}

/**
 * Builds the tiles of every open hour whose closed minutes changed (a minute closed, a commit into the hour) and
 * deletes the ones no plan reads any more (open-hour-tile-plan.ts). Runs after the partitions: a tile is derived
 * from minute files this pass may just have written. Idempotent; a kill at any point leaves at worst a tile
 * without its marker, which the next pass writes again from the same files. The query side reads a tile only for
 * the minutes it names, so a tile never stands for minutes it was not built from.
 */
export async function refreshOpenHourTiles(
  store: ObjectStore,
  policy: OpenHourTilePolicy,
  log: Logger,
  /** The hour manifests as the pass left them (pass-manifests.ts); listed here when not given. */
  listedManifests?: readonly ObjectInfo[],
): Promise<OpenHourTileReport> {
  const [manifests, markers, ...tiles] = await Promise.all([
    listedManifests ?? store.list(manifestsPrefix),
    store.list(openHourMarkersPrefix),
    ...openHourTileTables.map((table) => store.list(buildTablePrefix(table))),
  ]);
  const plan = planOpenHourTiles(manifests, markers, tiles.flat(), policy);
  const report: OpenHourTileReport = { built: 0, deleted: 0 };
  for (const build of plan.builds) {
    await pauseAtPhase('day-tile');
    if (!(await writeTiles(store, build))) {
      log.info({ partition: build.partition }, 'open-hour tile rebuilt by a concurrent run');
      continue;
    }
    await pauseAtPhase('day-tile');
    await replaceTileMarker(store, build.marker, { openHourMinutes: build.minutes }, build.previousMarkers);
    report.built += 1;
    log.info({ partition: build.partition, minutes: build.minutes }, 'open-hour tile built');
  }
  for (const key of plan.deletes) await store.delete(key);
  report.deleted = plan.deletes.length;
  return report;
}

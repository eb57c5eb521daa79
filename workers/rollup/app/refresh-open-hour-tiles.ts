import type { Logger } from 'pino';
import type { ObjectInfo, ObjectStore } from '../../adapters/object-store/object-store.js';
import {
  buildDataFileKey,
  buildOpenHourTileKey,
  buildTablePrefix,
  manifestsPrefix,
  openHourTileTables,
  type OpenHourTileTable,
} from '../../domain/metrics-layout.js';
import { openHourMarkersPrefix } from '../../domain/metrics-markers.js';
import { partitionStartMs } from '../../domain/raw-partition.js';
import { encodeOpenHourTiles } from '../adapters/metrics-files.js';
import { decodeRequestMinuteMeasures, decodeServiceMinuteMetrics } from '../adapters/metrics-parquet.js';
import { loadSeenTiles, putTilesAsSeen, replaceTileMarker } from '../adapters/put-tiles-as-seen.js';
import {
  listOpenHourCandidates,
  planOpenHourTiles,
  type OpenHourTileBuild,
  type OpenHourTilePolicy,
  type ReadHourManifest,
} from '../domain/open-hour-tile-plan.js';
import { parseRollupManifest } from '../domain/rollup-manifest.js';
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
 * meanwhile, so no marker is written and the next pass builds again (put-tiles-as-seen.ts). One put at a time,
 * each after its kill point: a kill between the two leaves one table's tile alone, which no plan reads
 * (open-hour-coverage.ts takes a coverage both tables have).
 */
async function writeTiles(store: ObjectStore, build: OpenHourTileBuild): Promise<boolean> {
  const keyOf = (table: OpenHourTileTable) => buildOpenHourTileKey(build.partition, build.minutes, table);
  const seen = await loadSeenTiles(store, openHourTileTables.map(keyOf));
  const tiles = await encodeTiles(store, build);
  for (const table of openHourTileTables) {
    await pauseAtPhase('open-hour-tile');
    if (!(await putTilesAsSeen(store, seen, [[keyOf(table), tiles[table]]]))) return false;
  }
  return true;
}

/**
 * The candidate hours' manifests (one or two a tenant: the open hour, a closed one within its grace): what their
 * tiles cover is keyed on the digests of the covered minutes they record (docs/adr/0132), which the listing lacks.
 */
async function readCandidates(
  store: ObjectStore,
  candidates: readonly ObjectInfo[],
): Promise<Map<string, ReadHourManifest>> {
  const read = new Map<string, ReadHourManifest>();
  for (const { key } of candidates) {
    const object = await store.get(key);
    if (!object) continue;
    const manifest = parseRollupManifest(object.body, key);
    read.set(key, {
      etag: object.etag,
      published: manifest.published,
      ...(manifest.minute_digests && { minuteDigests: manifest.minute_digests }),
    });
  }
  return read;
}

async function deleteEach(
  store: ObjectStore,
  keys: readonly string[],
  phase: 'open-hour-superseded' | 'open-hour-expiry',
) {
  for (const key of keys) {
    await pauseAtPhase(phase);
    await store.delete(key);
  }
}

/**
 * Builds the tiles of every open hour whose covered minutes changed (a minute closed, a commit into a covered minute)
 * and deletes the ones no plan reads any more (open-hour-tile-plan.ts). Runs after the partitions: a tile is derived
 * from minute files this pass may just have written. Idempotent; a kill at any point leaves at worst a tile
 * without its marker, which the next pass writes again from the same files (open-hour-kill-faults.int.test.ts).
 * The query side reads a tile only for the minutes it names, so a tile never stands for minutes it was not built
 * from.
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
  const candidates = listOpenHourCandidates(manifests, tiles.flat(), policy);
  const read = await readCandidates(
    store,
    candidates.map((c) => c.manifest),
  );
  const plan = planOpenHourTiles(manifests, markers, tiles.flat(), policy, read);
  const report: OpenHourTileReport = { built: 0, deleted: 0 };
  for (const build of plan.builds) {
    if (!(await writeTiles(store, build))) {
      log.info({ partition: build.partition }, 'open-hour tile rebuilt by a concurrent run');
      continue;
    }
    await pauseAtPhase('open-hour-marker');
    // The markers it replaces are deleted after it, one kill point each (replaceTileMarker's order).
    await replaceTileMarker(store, build.marker, { openHourMinutes: build.minutes }, []);
    await deleteEach(store, build.previousMarkers, 'open-hour-superseded');
    report.built += 1;
    log.info({ partition: build.partition, minutes: build.minutes }, 'open-hour tile built');
  }
  await deleteEach(store, plan.superseded, 'open-hour-superseded');
  await deleteEach(store, plan.expired, 'open-hour-expiry');
  report.deleted = plan.superseded.length + plan.expired.length;
  return report;
}

import type { Logger } from 'pino';
import type { ObjectInfo, ObjectStore } from '../../adapters/object-store/object-store.js';
import {
  buildOpenDayTileKey,
  buildTablePrefix,
  manifestsPrefix,
  openDayTileOf,
  openDayTileTables,
  type DayTileTable,
  type OpenDayTileTable,
} from '../../domain/metrics-layout.js';
import { dayMarkersPrefix } from '../../domain/metrics-markers.js';
import { loadSeenTiles, putTilesAsSeen, replaceTileMarker } from '../adapters/put-tiles-as-seen.js';
import {
  planOpenDayTiles,
  type OpenDayTileBuild,
  type OpenDayTilePolicy,
} from '../domain/open-day-tile-plan.js';
import { buildDayTiles } from './read-day-hours.js';
import { pauseAtPhase } from './test-phase-pause.js';

export interface OpenDayTileReport {
  built: number;
  deleted: number;
}

/** The tiles of one build: the day tiles over the covered hours, each under its open-day table. */
async function encodeTiles(
  store: ObjectStore,
  build: OpenDayTileBuild,
): Promise<Map<OpenDayTileTable, Uint8Array>> {
  const { tiles } = await buildDayTiles(store, build.manifests);
  return new Map<OpenDayTileTable, Uint8Array>(
    (Object.entries(tiles) as [DayTileTable, Uint8Array][]).map(([table, body]) => [
      openDayTileOf[table],
      body,
    ]),
  );
}

/**
 * Writes one open-day build's tiles, each a conditional put on the tile seen before reading the hours (a rerun
 * after late data replaces the same hours' tile; a first build creates it); false when another run wrote one
 * meanwhile, so no marker is written and the next pass builds again (put-tiles-as-seen.ts).
 */
async function writeTiles(store: ObjectStore, build: OpenDayTileBuild): Promise<boolean> {
  const keyOf = (table: OpenDayTileTable) =>
    buildOpenDayTileKey(build.tenant, build.date, build.hours, table);
  const seen = await loadSeenTiles(store, openDayTileTables.map(keyOf));
  const tiles = await encodeTiles(store, build);
  return putTilesAsSeen(
    store,
    seen,
    [...tiles].map(([table, body]) => [keyOf(table), body] as const),
  );
}

/**
 * Builds the open-day tiles of every day still open whose closed hours changed (an hour closed, late data), and
 * deletes the ones no plan reads any more (open-day-tile-plan.ts). Runs after the partitions, like the day tiles:
 * a tile is derived from hour files this pass may just have written. Idempotent; a kill at any point leaves at
 * worst a tile without its marker, which the next pass writes again from the same hours.
 */
export async function refreshOpenDayTiles(
  store: ObjectStore,
  policy: OpenDayTilePolicy,
  log: Logger,
  /** The hour manifests as the pass left them (pass-manifests.ts); listed here when not given. */
  listedManifests?: readonly ObjectInfo[],
): Promise<OpenDayTileReport> {
  const [manifests, markers, ...tiles] = await Promise.all([
    listedManifests ?? store.list(manifestsPrefix),
    store.list(dayMarkersPrefix),
    ...openDayTileTables.map((table) => store.list(buildTablePrefix(table))),
  ]);
  const plan = planOpenDayTiles(manifests, markers, tiles.flat(), policy);
  const report: OpenDayTileReport = { built: 0, deleted: 0 };
  for (const build of plan.builds) {
    await pauseAtPhase('day-tile');
    if (!(await writeTiles(store, build))) {
      log.info({ tenant: build.tenant, date: build.date }, 'open-day tile rebuilt by a concurrent run');
      continue;
    }
    await pauseAtPhase('day-tile');
    await replaceTileMarker(store, build.marker, { openDayHours: build.hours }, build.previousMarkers);
    report.built += 1;
    log.info({ tenant: build.tenant, date: build.date, hours: build.hours }, 'open-day tile built');
  }
  for (const key of plan.deletes) await store.delete(key);
  report.deleted = plan.deletes.length;
  return report;
}

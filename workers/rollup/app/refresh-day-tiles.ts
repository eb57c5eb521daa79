import { createHash } from 'node:crypto';
import type { RollupPolicy } from '../domain/rollup-plan.js';
import { resolveTenantRetention } from '../domain/tenant-retention.js';
import type { Logger } from 'pino';
import type { ObjectInfo, ObjectStore } from '../../adapters/object-store/object-store.js';
import { dayMs } from '../../domain/hour-metrics.js';
import { buildDayTiles } from './read-day-hours.js';
import {
  buildDayTileKey,
  dayTileTables,
  type DayTileTable,
  manifestsPrefix,
  parseManifestKey,
} from '../../domain/metrics-layout.js';
import { buildDayMarkerKey, dayMarkersPrefix, parseDayMarkerKey } from '../../domain/metrics-markers.js';
import { loadSeenTiles, putTilesAsSeen, replaceTileMarker } from '../adapters/put-tiles-as-seen.js';
import { pauseAtPhase } from './test-phase-pause.js';

/**
 * Day tiles (dayTileTables: request_metrics_day and the day's hour rows of the three hour tables in one file each) are
 * derived from a closed day's hour tables. Which hour manifests (and their
 * etags) a tile was built from is encoded in its marker key (buildDayMarkerKey: _manifests_day/tenant=T/date=D/<digest>),
 * so one listing tells which days are stale: any commit, publish or retention change to an hour of the day
 * changes an etag, hence the digest. A crash between an hour commit and the tile rebuild leaves a mismatch that
 * the next run repairs. Days still open (within the lateness window) get no tile; readers use hours for them.
 */
export interface DayTileReport {
  built: number;
  deleted: number;
}

interface Day {
  tenant: string;
  date: string;
  hours: ObjectInfo[];
}

function groupHourManifests(manifests: readonly ObjectInfo[]): Map<string, Day> {
  const days = new Map<string, Day>();
  for (const m of manifests) {
    const p = parseManifestKey(m.key);
    if (!p) continue;
    const id = `${p.tenant}/${p.date}`;
    const day = days.get(id) ?? { tenant: p.tenant, date: p.date, hours: [] };
    day.hours.push(m);
    days.set(id, day);
  }
  return days;
}

/**
 * The digest names the tile tables too: a day whose marker predates a tile table (built before the day's hour
 * tiles existed) no longer matches, so the next run builds the missing tiles once.
 */
const digestOf = (hours: readonly ObjectInfo[]) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        dayTileTables,
        ...[...hours].sort((a, b) => (a.key < b.key ? -1 : 1)).map((h) => [h.key, h.etag]),
      ]),
    )
    .digest('hex');

/**
 * Rebuilds the day's tiles, each as a conditional put on the tile seen before reading the hours; undefined when
 * another run replaced one meanwhile (no marker is written then, so the next run builds the day again). The hour
 * tiles hold the same columns as the hour tables, so the hour tables' encoders write them.
 */
async function buildDayTile(store: ObjectStore, day: Day): Promise<number | undefined> {
  const keyOf = (table: DayTileTable) => buildDayTileKey(day.tenant, day.date, table);
  const seen = await loadSeenTiles(store, dayTileTables.map(keyOf));
  const { tiles, dayRows } = await buildDayTiles(store, day.hours);
  const written = await putTilesAsSeen(
    store,
    seen,
    (Object.entries(tiles) as [DayTileTable, Uint8Array][]).map(
      ([table, body]) => [keyOf(table), body] as const,
    ),
  );
  return written ? dayRows : undefined;
}

/** Marker keys per "tenant/date": normally one, two after a crash between writing a new one and deleting the old. */
function groupMarkers(markers: readonly ObjectInfo[]): Map<string, string[]> {
  const builtFrom = new Map<string, string[]>();
  for (const { key } of markers) {
    const marker = parseDayMarkerKey(key);
    if (!marker) continue;
    const id = `${marker.tenant}/${marker.date}`;
    builtFrom.set(id, [...(builtFrom.get(id) ?? []), key]);
  }
  return builtFrom;
}

/** The hour manifests (the pass's view when given, else listed) and the day markers. */
function listDayInputs(
  store: ObjectStore,
  listedManifests: readonly ObjectInfo[] | undefined,
): Promise<[readonly ObjectInfo[], ObjectInfo[]]> {
  return Promise.all([listedManifests ?? store.list(manifestsPrefix), store.list(dayMarkersPrefix)]);
}

/** Rebuilds the tiles of closed days whose hours changed; drops tiles of days past metrics retention. */
export async function refreshDayTiles(
  store: ObjectStore,
  policy: Pick<
    RollupPolicy,
    'nowMs' | 'latenessMs' | 'rawRetentionMs' | 'metricsRetentionMs' | 'retentionOverride'
  >,
  log: Logger,
  /** The hour manifests as the pass left them (pass-manifests.ts); listed here when not given. */
  listedManifests?: readonly ObjectInfo[],
): Promise<DayTileReport> {
  const [manifests, markers] = await listDayInputs(store, listedManifests);
  const days = groupHourManifests(manifests);
  const builtFrom = groupMarkers(markers);
  const report: DayTileReport = { built: 0, deleted: 0 };
  const cutoffOf = (tenant: string) =>
    policy.nowMs - resolveTenantRetention(policy, policy.retentionOverride?.(tenant)).metricsRetentionMs;
  for (const [id, day] of days) {
    const cutoff = cutoffOf(day.tenant);
    const dayEnd = Date.parse(`${day.date}T00:00:00Z`) + dayMs;
    if (dayEnd + policy.latenessMs > policy.nowMs || dayEnd <= cutoff) continue;
    const marker = buildDayMarkerKey(day.tenant, day.date, digestOf(day.hours));
    const previous = builtFrom.get(id) ?? [];
    if (previous.includes(marker)) continue;
    await pauseAtPhase('day-tile');
    const rows = await buildDayTile(store, day);
    if (rows === undefined) {
      log.info({ tenant: day.tenant, date: day.date }, 'day tile rebuilt by a concurrent run');
      continue;
    }
    await pauseAtPhase('day-tile');
    // The marker is named by the digest of what the tile holds: create-only, never replaced.
    await replaceTileMarker(store, marker, { hours: day.hours.length, rows }, previous);
    report.built += 1;
    log.info({ tenant: day.tenant, date: day.date, rows }, 'day tile built');
  }
  for (const [id, keys] of builtFrom) {
    const [tenant, date] = id.split('/') as [string, string];
    if (Date.parse(`${date}T00:00:00Z`) + dayMs > cutoffOf(tenant)) continue;
    for (const table of dayTileTables) await store.delete(buildDayTileKey(tenant, date, table));
    for (const key of keys) await store.delete(key);
    report.deleted += 1;
  }
  return report;
}

import { createHash } from 'node:crypto';
import type { ObjectInfo } from '../../adapters/object-store/object-store.js';
import { hourMs } from '../../domain/hour-metrics.js';
import {
  buildOpenHourMarkerKey,
  openHourTileTables,
  parseManifestKey,
  parseOpenHourMarkerKey,
  parseOpenHourTileKey,
} from '../../domain/metrics-layout.js';
import { partitionStartMs, type RawPartition } from '../../domain/raw-partition.js';

/**
 * Open-hour tiles (docs/adr/0123): for the hour still open at `now`, its minute rows of the first M minutes merged
 * per endpoint and per service, M = the minutes of it already closed (end + lateness past), 1-59. A 7-day call then
 * reads one row per group for those minutes instead of one per minute.
 *
 * Pure: what the listing of manifests, open-hour markers and open-hour tiles says to build and to delete. A
 * build's marker is named by the digest of what it was built from (the tables, M, the hour manifest's key and
 * etag), so a commit into the hour (new minutes, late data, a republish) builds again, and the query side's
 * snapshot version changes when a tile is written (RollupManifests.version lists the markers).
 */
export interface OpenHourTileBuild {
  partition: RawPartition;
  /** The tile covers [hour start, hour start + minutes min). */
  minutes: number;
  /** The hour's manifest the tile is built from. */
  manifest: ObjectInfo;
  marker: string;
  /** The hour's markers listed before this build (a smaller coverage's, or a generation since replaced). */
  previousMarkers: string[];
}

export interface OpenHourTilePlan {
  builds: OpenHourTileBuild[];
  /** Tiles and markers no plan can be reading any more (see planDeletes). */
  deletes: string[];
}

export interface OpenHourTilePolicy {
  nowMs: number;
  latenessMs: number;
}

/**
 * How long a closed hour's open-hour tiles stay after it closed: a query planned on a snapshot that still named
 * them finds them (a statement lasts seconds; snapshots are listed again every second).
 */
export const openHourTileGraceMs = 10 * 60_000;

const minuteMs = 60_000;

/** The minutes of the hour starting at `hourStart` closed at `now` (end + lateness past), 1-59; 0 when none or all. */
export function closedMinutesOfOpenHour(hourStart: number, policy: OpenHourTilePolicy): number {
  const closed = Math.floor((policy.nowMs - policy.latenessMs - hourStart) / minuteMs);
  return closed >= 1 && closed <= 59 ? closed : 0;
}

const digestOf = (minutes: number, manifest: ObjectInfo) =>
  createHash('sha256')
    .update(JSON.stringify([openHourTileTables, minutes, manifest.key, manifest.etag]))
    .digest('hex');

const hourId = (p: RawPartition) => `${p.tenant}/${p.date}/${p.hour}`;

function markersByHour(markers: readonly ObjectInfo[]): Map<string, string[]> {
  const byHour = new Map<string, string[]>();
  for (const { key } of markers) {
    const marker = parseOpenHourMarkerKey(key);
    if (marker) byHour.set(hourId(marker.partition), [...(byHour.get(hourId(marker.partition)) ?? []), key]);
  }
  return byHour;
}

/** A build for each open hour whose manifest no marker names with its current minutes. */
function planBuilds(
  manifests: readonly ObjectInfo[],
  markers: readonly ObjectInfo[],
  policy: OpenHourTilePolicy,
): OpenHourTileBuild[] {
  const markersOf = markersByHour(markers);
  const builds: OpenHourTileBuild[] = [];
  for (const manifest of manifests) {
    const partition = parseManifestKey(manifest.key);
    if (!partition) continue;
    const minutes = closedMinutesOfOpenHour(partitionStartMs(partition), policy);
    if (minutes === 0) continue;
    const marker = buildOpenHourMarkerKey(partition, digestOf(minutes, manifest));
    const previousMarkers = markersOf.get(hourId(partition)) ?? [];
    if (previousMarkers.includes(marker)) continue;
    builds.push({ partition, minutes, manifest, marker, previousMarkers });
  }
  return builds;
}

/**
 * Which tiles and markers to delete. Of an hour still open, every coverage but the two largest listed: the larger
 * serves plans from now on, the other plans made on a snapshot listed before it was written. Of an hour closed
 * (end + lateness past) for the grace, every tile and marker: queries read its hour row then.
 */
function planDeletes(
  tiles: readonly ObjectInfo[],
  markers: readonly ObjectInfo[],
  policy: OpenHourTilePolicy,
): string[] {
  const gone = (p: RawPartition) =>
    partitionStartMs(p) + hourMs + policy.latenessMs + openHourTileGraceMs <= policy.nowMs;
  const deletes = markers.filter(({ key }) => {
    const marker = parseOpenHourMarkerKey(key);
    return marker !== undefined && gone(marker.partition);
  });
  const byHour = new Map<string, { key: string; minutes: number; gone: boolean }[]>();
  for (const { key } of tiles) {
    const tile = parseOpenHourTileKey(key);
    if (!tile) continue;
    const id = hourId(tile.partition);
    byHour.set(id, [...(byHour.get(id) ?? []), { key, minutes: tile.minutes, gone: gone(tile.partition) }]);
  }
  const tileDeletes = [...byHour.values()].flatMap((hourTiles) => {
    const keep = new Set([...new Set(hourTiles.map((t) => t.minutes))].sort((a, b) => b - a).slice(0, 2));
    return hourTiles.filter((t) => t.gone || !keep.has(t.minutes)).map((t) => t.key);
  });
  return [...tileDeletes, ...deletes.map((m) => m.key)];
}

/** What one rollup pass does about open-hour tiles, from its listings (before any of this pass's builds). */
export function planOpenHourTiles(
  manifests: readonly ObjectInfo[],
  markers: readonly ObjectInfo[],
  tiles: readonly ObjectInfo[],
  policy: OpenHourTilePolicy,
): OpenHourTilePlan {
  return { builds: planBuilds(manifests, markers, policy), deletes: planDeletes(tiles, markers, policy) };
}

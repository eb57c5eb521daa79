import { createHash } from 'node:crypto';
import type { ObjectInfo } from '../../adapters/object-store/object-store.js';
import { hourMs } from '../../domain/hour-metrics.js';
import { openHourTileTables, parseManifestKey, parseOpenHourTileKey } from '../../domain/metrics-layout.js';
import { buildOpenHourMarkerKey, parseOpenHourMarkerKey } from '../../domain/metrics-markers.js';
import { partitionStartMs, type RawPartition } from '../../domain/raw-partition.js';

/**
 * Open-hour tiles (docs/adr/0123): for the hour still open at `now`, its minute rows of the first M minutes merged
 * per endpoint and per service, M = the minutes of it already closed (end + lateness past), 1-59. A 7-day call then
 * reads one row per group for those minutes instead of one per minute.
 *
 * Pure: what the listing of manifests, open-hour markers and open-hour tiles (and the hour manifests the refresh
 * read) says to build and to delete. A build's marker is named by the digest of what the tile covers (docs/adr/0132):
 * the tables, M and the digests of the hour's first M minutes the manifest records (`minute_digests`), or, for a
 * manifest without them, its key and etag. So a commit that changes a covered minute (late data, a republish) or a
 * newly closed minute builds again, a commit that only adds facts to minutes still open does not, and the query
 * side's snapshot version changes when a tile is written (RollupManifests.version lists the markers).
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
  /** Tiles of coverages no plan reads any more, of hours still within the grace (see planDeletes). */
  superseded: string[];
  /** Every tile and marker of hours closed for the grace (see planDeletes). */
  expired: string[];
}

export interface OpenHourTilePolicy {
  nowMs: number;
  latenessMs: number;
}

/** What the refresh read of an hour's manifest (the listing says only its key and etag). */
export interface ReadHourManifest {
  etag: string;
  published: boolean;
  /** The manifest's `minute_digests`, when it has them (commits into an hour still open). */
  minuteDigests?: readonly string[];
}

/** An hour whose tile a pass may build: its manifest as listed and the minutes the tile would cover. */
export interface OpenHourCandidate {
  partition: RawPartition;
  minutes: number;
  manifest: ObjectInfo;
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

/** What a tile of `minutes` minutes built from this manifest covers; equal digests, equal tiles. */
const digestOf = (minutes: number, manifest: ObjectInfo, read: ReadHourManifest) =>
  createHash('sha256')
    .update(
      JSON.stringify(
        read.minuteDigests
          ? [
              openHourTileTables,
              minutes,
              manifest.key,
              'minute_digests',
              read.minuteDigests.slice(0, minutes),
            ]
          : [openHourTileTables, minutes, manifest.key, read.etag],
      ),
    )
    .digest('hex');

const hourId = (p: RawPartition) => `${p.tenant}/${p.date}/${p.hour}`;

const closedFor = (p: RawPartition, policy: OpenHourTilePolicy) =>
  policy.nowMs - (partitionStartMs(p) + hourMs + policy.latenessMs);

function markersByHour(markers: readonly ObjectInfo[]): Map<string, string[]> {
  const byHour = new Map<string, string[]>();
  for (const { key } of markers) {
    const marker = parseOpenHourMarkerKey(key);
    if (marker) byHour.set(hourId(marker.partition), [...(byHour.get(hourId(marker.partition)) ?? []), key]);
  }
  return byHour;
}

function largestCoverageByHour(tiles: readonly ObjectInfo[]): Map<string, number> {
  const largest = new Map<string, number>();
  for (const { key } of tiles) {
    const tile = parseOpenHourTileKey(key);
    if (tile)
      largest.set(hourId(tile.partition), Math.max(tile.minutes, largest.get(hourId(tile.partition)) ?? 0));
  }
  return largest;
}

/**
 * The hours a pass may build a tile of: the open one, at its closed minutes; and a closed hour whose tiles are
 * still listed (within the grace), at their largest coverage: a plan whose range ends in that hour still reads
 * that tile, so a late commit into a minute it covers must rebuild it, not leave it stale until the grace ends.
 */
export function listOpenHourCandidates(
  manifests: readonly ObjectInfo[],
  tiles: readonly ObjectInfo[],
  policy: OpenHourTilePolicy,
): OpenHourCandidate[] {
  const largest = largestCoverageByHour(tiles);
  const candidates: OpenHourCandidate[] = [];
  for (const manifest of manifests) {
    const partition = parseManifestKey(manifest.key);
    if (!partition) continue;
    const open = closedMinutesOfOpenHour(partitionStartMs(partition), policy);
    const closed = closedFor(partition, policy);
    const minutes =
      open || (closed >= 0 && closed < openHourTileGraceMs ? (largest.get(hourId(partition)) ?? 0) : 0);
    if (minutes > 0) candidates.push({ partition, minutes, manifest });
  }
  return candidates;
}

/**
 * A build for each candidate hour whose tile no marker names with what it covers now. A manifest read unpublished
 * builds nothing: its data files may still be the generation before (the run that publishes it, or the next
 * pass, builds). A candidate not read is keyed on its listed etag.
 */
function planBuilds(
  candidates: readonly OpenHourCandidate[],
  read: ReadonlyMap<string, ReadHourManifest>,
  markers: readonly ObjectInfo[],
): OpenHourTileBuild[] {
  const markersOf = markersByHour(markers);
  const builds: OpenHourTileBuild[] = [];
  for (const { partition, minutes, manifest } of candidates) {
    const content = read.get(manifest.key) ?? { etag: manifest.etag, published: true };
    if (!content.published) continue;
    const marker = buildOpenHourMarkerKey(partition, digestOf(minutes, manifest, content));
    const previousMarkers = markersOf.get(hourId(partition)) ?? [];
    if (previousMarkers.includes(marker)) continue;
    builds.push({ partition, minutes, manifest, marker, previousMarkers });
  }
  return builds;
}

/**
 * Which tiles and markers to delete. Of an hour still open (or closed within the grace), every coverage but the two
 * largest listed (superseded): the larger serves plans from now on, the other plans made on a snapshot listed before
 * it was written. Of an hour closed (end + lateness past) for the grace, every tile and marker (expired): queries
 * read its hour row then.
 */
function planDeletes(
  tiles: readonly ObjectInfo[],
  markers: readonly ObjectInfo[],
  policy: OpenHourTilePolicy,
): Pick<OpenHourTilePlan, 'superseded' | 'expired'> {
  const gone = (p: RawPartition) => closedFor(p, policy) >= openHourTileGraceMs;
  const expiredMarkers = markers.filter(({ key }) => {
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
  const superseded: string[] = [];
  const expired: string[] = [];
  for (const hourTiles of byHour.values()) {
    const keep = new Set([...new Set(hourTiles.map((t) => t.minutes))].sort((a, b) => b - a).slice(0, 2));
    for (const t of hourTiles) {
      if (t.gone) expired.push(t.key);
      else if (!keep.has(t.minutes)) superseded.push(t.key);
    }
  }
  return { superseded, expired: [...expired, ...expiredMarkers.map((m) => m.key)] };
}

/**
 * What one rollup pass does about open-hour tiles, from its listings (before any of this pass's builds) and the
 * candidates' manifests as read (`listOpenHourCandidates` says which to read).
 */
export function planOpenHourTiles(
  manifests: readonly ObjectInfo[],
  markers: readonly ObjectInfo[],
  tiles: readonly ObjectInfo[],
  policy: OpenHourTilePolicy,
  read: ReadonlyMap<string, ReadHourManifest> = new Map(),
): OpenHourTilePlan {
  const candidates = listOpenHourCandidates(manifests, tiles, policy);
  return { builds: planBuilds(candidates, read, markers), ...planDeletes(tiles, markers, policy) };
}

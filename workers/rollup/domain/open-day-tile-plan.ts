import { createHash } from 'node:crypto';
import type { ObjectInfo } from '../../adapters/object-store/object-store.js';
import { dayMs, hourMs } from '../../domain/hour-metrics.js';
import { openDayTileTables, parseManifestKey, parseOpenDayTileKey } from '../../domain/metrics-layout.js';
import { buildDayMarkerKey, parseDayMarkerKey } from '../../domain/metrics-markers.js';

/**
 * Open-day tiles (docs/adr/0091): for a day still open (its end plus the lateness window not yet past), the three
 * day tiles and the service minute rows per quarter-hour, over its first N hours, N = the hours of the day already
 * closed (end + lateness past), at most 23 (a day whose 24th hour is closed is a closed day: refresh-day-tiles.ts
 * builds its day tiles). A 7-day dashboard call then reads the open day's closed hours from one file instead of 23.
 *
 * Pure: what the listing of manifests, day markers and open-day tiles says to build and to delete. The marker of
 * an open-day build lives beside the day markers (buildDayMarkerKey) under the digest of what it was built from
 * (the open-day tables, N, and the keys and etags of the day's hour manifests before hour N), so the query side's
 * snapshot version changes with it, a late commit into a covered hour rebuilds it, and the day's full tile build
 * deletes it like any older marker of the date.
 */
export interface OpenDayTileBuild {
  tenant: string;
  date: string;
  /** The tile covers [date 00:00, date 00:00 + hours h). */
  hours: number;
  /** The hour manifests the tile is built from (those of the covered hours). */
  manifests: ObjectInfo[];
  marker: string;
  /** The date's markers listed before this build (an older coverage's, or a generation late data replaced). */
  previousMarkers: string[];
}

export interface OpenDayTilePlan {
  builds: OpenDayTileBuild[];
  /** Open-day tiles no plan can be reading any more (see planOpenDayTiles). */
  deletes: string[];
}

export interface OpenDayTilePolicy {
  nowMs: number;
  latenessMs: number;
}

/**
 * How long a closed day's open-day tiles stay after its day tiles are due: a query planned on a snapshot that
 * still named them finds them, and the day tiles are built in the first pass after the day closed.
 */
export const openDayTileGraceMs = hourMs;

const dayStartOf = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** The hours of `date` closed at `now` (end + lateness past), for a day still open; 0 when none or closed. */
export function closedHoursOfOpenDay(date: string, policy: OpenDayTilePolicy): number {
  const start = dayStartOf(date);
  if (start + dayMs + policy.latenessMs <= policy.nowMs) return 0;
  return Math.max(0, Math.min(23, Math.floor((policy.nowMs - policy.latenessMs - start) / hourMs)));
}

const digestOf = (hours: number, manifests: readonly ObjectInfo[]) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        openDayTileTables,
        hours,
        ...[...manifests].sort((a, b) => (a.key < b.key ? -1 : 1)).map((m) => [m.key, m.etag]),
      ]),
    )
    .digest('hex');

function group<T>(items: readonly T[], idOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const id = idOf(item);
    if (id !== undefined) groups.set(id, [...(groups.get(id) ?? []), item]);
  }
  return groups;
}

/** The manifests of each open day's covered hours, and a build where no marker says the tile is current. */
function planBuilds(
  manifests: readonly ObjectInfo[],
  markers: readonly ObjectInfo[],
  policy: OpenDayTilePolicy,
): OpenDayTileBuild[] {
  const markersOf = group(markers, ({ key }) => {
    const m = parseDayMarkerKey(key);
    return m && `${m.tenant}/${m.date}`;
  });
  const builds: OpenDayTileBuild[] = [];
  const days = group(manifests, ({ key }) => {
    const p = parseManifestKey(key);
    return p && `${p.tenant}/${p.date}`;
  });
  for (const [id, dayManifests] of days) {
    const [tenant, date] = id.split('/') as [string, string];
    const hours = closedHoursOfOpenDay(date, policy);
    if (hours === 0) continue;
    const covered = dayManifests.filter((m) => Number(parseManifestKey(m.key)!.hour) < hours);
    if (covered.length === 0) continue;
    const marker = buildDayMarkerKey(tenant, date, digestOf(hours, covered));
    const previousMarkers = (markersOf.get(id) ?? []).map((m) => m.key);
    if (previousMarkers.includes(marker)) continue;
    builds.push({ tenant, date, hours, manifests: covered, marker, previousMarkers });
  }
  return builds;
}

/**
 * Which open-day tiles to delete. Of a day still open, every coverage but the two largest listed: the newer
 * serves plans from now on, the one before it plans made on a snapshot from before the newer was written, so a
 * tile goes at least one pass after a larger one was listed. Of a closed day, every one once the grace past the
 * day's close is over (the day tiles replace them). A tile is never replaced by one of other hours: its key
 * names them.
 */
function planDeletes(tiles: readonly ObjectInfo[], policy: OpenDayTilePolicy): string[] {
  const deletes: string[] = [];
  const byDay = group(tiles, ({ key }) => {
    const t = parseOpenDayTileKey(key);
    return t && `${t.tenant}/${t.date}`;
  });
  for (const [id, dayTiles] of byDay) {
    const date = id.split('/')[1]!;
    const closedAt = dayStartOf(date) + dayMs + policy.latenessMs;
    if (closedAt + openDayTileGraceMs <= policy.nowMs) {
      deletes.push(...dayTiles.map((t) => t.key));
      continue;
    }
    const coverages = [...new Set(dayTiles.map((t) => parseOpenDayTileKey(t.key)!.hours))].sort(
      (a, b) => b - a,
    );
    const keep = new Set(coverages.slice(0, 2));
    deletes.push(...dayTiles.filter((t) => !keep.has(parseOpenDayTileKey(t.key)!.hours)).map((t) => t.key));
  }
  return deletes;
}

/** What one rollup pass does about open-day tiles, from its listings (before any of this pass's builds). */
export function planOpenDayTiles(
  manifests: readonly ObjectInfo[],
  markers: readonly ObjectInfo[],
  tiles: readonly ObjectInfo[],
  policy: OpenDayTilePolicy,
): OpenDayTilePlan {
  return { builds: planBuilds(manifests, markers, policy), deletes: planDeletes(tiles, policy) };
}

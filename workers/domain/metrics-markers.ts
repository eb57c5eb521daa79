import type { RawPartition } from './raw-partition.js';
import { datePart, keyPattern, metricsPrefix } from './metrics-layout.js';

/**
 * The keys of the tile builds' markers, beside the hour manifests (metrics-layout.ts owns every other key under
 * metrics/): a day marker names the digest of what a day or open-day tile build read (refresh-day-tiles.ts,
 * open-day-tile-plan.ts), an open-hour marker that of an open-hour tile build (docs/adr/0123). The query side's
 * snapshot version lists them, so a tile build changes it.
 */
export const dayMarkersPrefix = `${metricsPrefix}_manifests_day/`;
/** Open-hour tile markers (docs/adr/0123): apart from the day markers, which a day's tile builds delete by date. */
export const openHourMarkersPrefix = `${metricsPrefix}_manifests_open_hour/`;

/** A day tile's marker: the digest of the hour manifests (keys and etags) the tile was built from. */
export function buildDayMarkerKey(tenant: string, date: string, digest: string): string {
  return `${buildTenantDayMarkersPrefix(tenant)}date=${date}/${digest}`;
}

export function buildTenantDayMarkersPrefix(tenant: string): string {
  return `${dayMarkersPrefix}tenant=${tenant}/`;
}

const dayMarkerKeyPattern = keyPattern(
  dayMarkersPrefix,
  String.raw`tenant=([^/]+)/${datePart}/([0-9a-f]{64})`,
);

export function parseDayMarkerKey(key: string): { tenant: string; date: string; digest: string } | undefined {
  const match = dayMarkerKeyPattern.exec(key);
  return match ? { tenant: match[1]!, date: match[2]!, digest: match[3]! } : undefined;
}

export function buildTenantOpenHourMarkersPrefix(tenant: string): string {
  return `${openHourMarkersPrefix}tenant=${tenant}/`;
}

/** An open-hour tile's marker: the digest of its minutes and of the hour manifest (key, etag) it was built from. */
export function buildOpenHourMarkerKey(p: RawPartition, digest: string): string {
  return `${buildTenantOpenHourMarkersPrefix(p.tenant)}date=${p.date}/hour=${p.hour}/${digest}`;
}

const openHourMarkerKeyPattern = keyPattern(
  openHourMarkersPrefix,
  String.raw`tenant=([^/]+)/${datePart}/hour=(\d{2})/([0-9a-f]{64})`,
);

export function parseOpenHourMarkerKey(key: string): { partition: RawPartition; digest: string } | undefined {
  const match = openHourMarkerKeyPattern.exec(key);
  return match
    ? { partition: { tenant: match[1]!, date: match[2]!, hour: match[3]! }, digest: match[4]! }
    : undefined;
}

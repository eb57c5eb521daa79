import type { FreshnessResponse } from '../../../../workers/query/api-types.js';

/** Past this the data is called stale: rollups run every minute, so 10 minutes means something is stuck. */
export const STALE_AFTER_MS = 10 * 60_000;

export interface FreshnessView {
  text: string;
  stale: boolean;
  /** No metrics at all yet. */
  empty: boolean;
}

/**
 * Says how old the newest data is ("updated 2 min ago") rather than claiming to be live.
 * `elapsedMs` is the time since the freshness response arrived, so the text keeps ageing between refreshes.
 */
export function buildFreshnessView(freshness: FreshnessResponse, elapsedMs: number): FreshnessView {
  if (freshness.lagMs === null) return { text: 'No data yet', stale: false, empty: true };
  const ageMs = Math.max(0, freshness.lagMs + elapsedMs);
  const stale = ageMs > STALE_AFTER_MS;
  const text = `Data updated ${formatAge(ageMs)}`;
  return { text: stale ? `${text} — stale, check the rollup worker` : text, stale, empty: false };
}

export function formatAge(ageMs: number): string {
  const minutes = Math.floor(ageMs / 60_000);
  if (minutes < 1) return 'less than a minute ago';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

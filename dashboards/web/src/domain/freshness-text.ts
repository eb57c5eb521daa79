import type { FreshnessResponse } from '../../../../workers/query/api-types.js';

/** Past this a fact is called old: rollups run every minute, so 10 minutes means something is stuck or stopped. */
export const STALE_AFTER_MS = 10 * 60_000;

export interface FreshnessView {
  text: string;
  stale: boolean;
  /** No metrics at all yet. */
  empty: boolean;
}

/**
 * Two separate facts, because they have different owners: when the rollup last finished a pass (is the pipeline
 * working?) and when the newest counted request happened (is traffic arriving?). Blaming the rollup for a quiet
 * service sends the on-call engineer to the wrong place. `elapsedMs` is the time since the response arrived, so
 * the ages keep growing between refreshes.
 */
export function buildFreshnessView(freshness: FreshnessResponse, elapsedMs: number): FreshnessView {
  const age = (at: number) => Math.max(0, freshness.now + elapsedMs - at);
  const pass = freshness.lastRollupPassAt === null ? null : age(freshness.lastRollupPassAt);
  const rollup = pass === null ? null : `Rollup ran ${formatAge(pass)}`;
  if (freshness.lastMetricMinute === null) {
    return { text: rollup ? `No data yet · ${rollup}` : 'No data yet', stale: false, empty: true };
  }
  const newest = freshness.newestEventAt ?? freshness.lastMetricMinute + 60_000;
  const request = `newest request ${formatAge(age(newest))}`;
  if (pass !== null && pass > STALE_AFTER_MS) {
    return { text: `${rollup} — check the rollup worker · ${request}`, stale: true, empty: false };
  }
  const quiet = age(newest) > STALE_AFTER_MS;
  const parts = [rollup ?? `Data updated ${formatAge(age(freshness.lastMetricMinute + 60_000))}`, request];
  const text = `${parts.join(' · ')}${quiet ? ' — no requests since, check the service or ingestion' : ''}`;
  return { text: text.charAt(0).toUpperCase() + text.slice(1), stale: quiet, empty: false };
}

/** While the API cannot be reached nothing on the page is current: say since when the figures are. */
export function buildApiDownFreshness(
  lastAnswerAt: number | null,
  formatTime: (t: number) => string,
): string {
  return lastAnswerAt === null
    ? 'Query API unreachable — data freshness unknown'
    : `Query API unreachable — figures are from ${formatTime(lastAnswerAt)}`;
}

export function formatAge(ageMs: number): string {
  const seconds = Math.floor(ageMs / 1000);
  if (seconds < 60) return seconds < 5 ? 'just now' : `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

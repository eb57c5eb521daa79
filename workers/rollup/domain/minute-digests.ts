import { createHash } from 'node:crypto';
import type { MinuteMetricsRow } from '../../domain/minute-metrics.js';
import { compareMinuteKeys } from '../../domain/minute-metrics.js';

const minuteMs = 60_000;
const minutesPerHour = 60;

/** A minute without rows: the digest an empty minute keeps, so an hour's list always has 60 entries. */
export const emptyMinuteDigest = '';

/**
 * The content of each minute of an hour partition's request minute rows (docs/adr/0132): 60 entries, the i-th
 * a SHA-256 (first 32 hex digits) of minute i's rows, '' for a minute without rows. An open-hour tile is a function
 * of its minutes' rows (the service rows are merged from them), so two generations whose first M entries are
 * equal have the same tile of M minutes: a commit that only added facts to later minutes does not rebuild it.
 * Every column the tile's merge reads is in the digest; the exemplars are not (hour rows carry none).
 */
export function buildMinuteDigests(rows: readonly MinuteMetricsRow[], hourStartMs: number): string[] {
  const byMinute: MinuteMetricsRow[][] = Array.from({ length: minutesPerHour }, () => []);
  for (const row of rows) {
    const minute = Math.floor((row.minuteMs - hourStartMs) / minuteMs);
    byMinute[minute]?.push(row);
  }
  return byMinute.map((minuteRows) => {
    if (minuteRows.length === 0) return emptyMinuteDigest;
    const hash = createHash('sha256');
    for (const r of [...minuteRows].sort(compareMinuteKeys)) {
      hash.update(
        JSON.stringify([
          r.minuteMs,
          r.service,
          r.method,
          r.path,
          r.requests,
          r.errors5xx,
          r.errors4xx,
          r.status1xx,
          r.status2xx,
          r.status3xx,
          r.estimatedRequests,
          r.latencySumMs,
          r.latencyMinMs,
          r.latencyMaxMs,
          r.latency.zeroCount,
          r.latency.indexes,
          r.latency.counts,
        ]),
      );
      hash.update('\n');
    }
    return hash.digest('hex').slice(0, 32);
  });
}

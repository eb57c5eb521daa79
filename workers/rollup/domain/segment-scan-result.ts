import type { RowExemplars } from '../../domain/request-exemplars.js';

/**
 * A piece of one raw segment scanned by a worker thread: its canonical facts in columns, every other line as text.
 * A segment comes back as pieces in line order (scan-segment.ts, defaultPieceFacts); indexes (`otherAt`,
 * `serverParents[].at`) count facts within the piece, group ids the whole segment's dictionary.
 */
export interface SegmentScanResult {
  id: number;
  /** The segment's last piece: it carries the lines after the last fact and the segment's exemplars. */
  last: boolean;
  count: number;
  fingerprints: Uint32Array;
  /** Fact times (ms), kept whole: the newest distinct fact's time is freshness, and a re-sent id may carry another. */
  times: Float64Array;
  groups: Uint32Array;
  statuses: Uint16Array;
  latencies: Float64Array;
  /** latencyBucketOf(latencies[i]), computed on the scan thread. */
  buckets: Int32Array;
  /**
   * The entries this piece adds to the segment's (service, method, path) dictionary: groups[i] indexes the
   * segment's dictionary (every earlier piece's entries, then these). One per segment, so a worker's heap holds one
   * segment's endpoints at most, never a whole run's (a tenant with 30k services once exhausted it).
   */
  dictionary: [string, string, string][];
  /** Lines that are not canonical facts of this hour (events, other forms, invalid): for parseRawLine. */
  otherLines: string[];
  /**
   * otherLines[k] came right before fact otherAt[k] (its column index): the main thread replays both in
   * line order, because float sums (latency_sum_ms) depend on order and output must be byte-identical to
   * the single-thread path.
   */
  otherAt: number[];
  /** Per (dictionary entry, minute number) the exemplars of this segment's facts with a trace id (last piece only). */
  exemplars: { group: number; minuteIndex: number; row: RowExemplars }[];
  /**
   * SERVER-span facts' trace id, parent span id, dictionary entry and column index, every line of the hour
   * (duplicates too), in line order: the service map names unresolved edges' callees from them (docs/adr/0085).
   */
  serverParents: { trace: string; parent: string; group: number; at: number }[];
}

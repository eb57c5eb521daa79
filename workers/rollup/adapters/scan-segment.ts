import { latencyBucketOf } from '../../domain/latency-sketch.js';
import { RawFactScanner } from '../domain/raw-fact-scanner.js';
import { buildEventFingerprint } from '../domain/event-fingerprint-set.js';
import { forEachLine } from '../domain/for-each-line.js';
import { maxRawLineBytes, readGzipLineChunks, scanThreadInflateAheadBytes } from './raw-segment-lines.js';
import type { SegmentScanResult } from '../domain/segment-scan-result.js';
import type { SegmentScanRequest } from './segment-scan-pool.js';
import { noExemplars, type RowExemplars } from '../../domain/request-exemplars.js';
import { offerScannedExemplar } from '../domain/scanned-exemplar.js';
import { EndpointDictionary } from '../domain/endpoint-dictionary.js';

/**
 * What a scan worker thread does with one segment (also callable in-thread, which is how tests compare it with
 * the in-thread path): inflates and scans one raw segment, returning its canonical facts as columns (fingerprint,
 * time, group, status, latency), in pieces, and every other line as text for the main thread's parseRawLine. Dedupe and
 * aggregation stay on the main thread, in input order, so results are identical to the single-thread path.
 */
// Strings are not interned: the endpoint dictionary groups facts by their bytes.
const scanner = new RawFactScanner(false);

/** One piece's facts; its buffers are transferred (not copied) to the main thread when the piece is sent. */
class Columns {
  count = 0;
  fingerprints: Uint32Array;
  times: Float64Array;
  groups: Uint32Array;
  statuses: Uint16Array;
  latencies: Float64Array;
  /** latencyBucketOf(latency): the logarithm is paid here, on the scan thread, not by the aggregating thread. */
  buckets: Int32Array;

  constructor(capacity: number) {
    this.fingerprints = new Uint32Array(3 * capacity);
    this.times = new Float64Array(capacity);
    this.groups = new Uint32Array(capacity);
    this.statuses = new Uint16Array(capacity);
    this.latencies = new Float64Array(capacity);
    this.buckets = new Int32Array(capacity);
  }

  push(fp: Uint32Array, ts: number, group: number, status: number, latency: number): void {
    if (this.count === this.times.length) this.grow();
    const i = this.count++;
    const fps = this.fingerprints;
    fps[i * 3] = fp[0]!;
    fps[i * 3 + 1] = fp[1]!;
    fps[i * 3 + 2] = fp[2]!;
    this.times[i] = ts;
    this.groups[i] = group;
    this.statuses[i] = status;
    this.latencies[i] = latency;
    this.buckets[i] = latencyBucketOf(latency);
  }

  private grow(): void {
    const grow = <T extends { length: number; set(a: T): void }>(a: T, make: (n: number) => T): T => {
      const b = make(a.length * 2);
      b.set(a);
      return b;
    };
    this.fingerprints = grow(this.fingerprints, (n) => new Uint32Array(n));
    this.times = grow(this.times, (n) => new Float64Array(n));
    this.groups = grow(this.groups, (n) => new Uint32Array(n));
    this.statuses = grow(this.statuses, (n) => new Uint16Array(n));
    this.latencies = grow(this.latencies, (n) => new Float64Array(n));
    this.buckets = grow(this.buckets, (n) => new Int32Array(n));
  }
}

/**
 * Facts per piece a scan sends back. The aggregating thread starts on a segment's first piece instead of waiting
 * for the whole segment (500k facts in the bench), so the two threads' pipeline fills and drains in one piece:
 * before, the main thread idled while the first segment was scanned and the scan thread idled while the main thread
 * deduped the last one (issue #18). 64k facts is ~2.5 MiB of columns, small beside a segment's.
 */
export const defaultPieceFacts = 65_536;

/** A piece being filled: its facts' columns and the lines and parents around them, indexed within the piece. */
class Piece {
  readonly columns: Columns;
  readonly otherLines: string[] = [];
  readonly otherAt: number[] = [];
  readonly serverParents: SegmentScanResult['serverParents'] = [];

  constructor(capacity: number) {
    this.columns = new Columns(capacity);
  }
}

/**
 * Scans one segment and hands its facts to `emit` in pieces of at most `pieceFacts`, in line order; the last piece
 * (`last: true`, possibly without facts) carries the lines after the last fact and the segment's exemplars.
 */
export async function scanSegment(
  request: SegmentScanRequest,
  emit: (piece: SegmentScanResult) => void,
  pieceFacts = defaultPieceFacts,
): Promise<void> {
  const capacity = Math.min(pieceFacts, 65_536);
  let piece = new Piece(capacity);
  const groups = new EndpointDictionary();
  let groupsSent = 0;
  const fp = new Uint32Array(3);
  const endMs = request.startMs + 3_600_000;
  // Keyed by group * 60 + minute of the hour: a segment holds one hour.
  const exemplars = new Map<number, { group: number; minuteIndex: number; row: RowExemplars }>();
  const exemplarsOf = (group: number, ts: number) => {
    const minuteIndex = Math.floor(ts / 60_000);
    const key = group * 60 + (minuteIndex % 60);
    let entry = exemplars.get(key);
    if (entry === undefined) {
      entry = { group, minuteIndex, row: noExemplars() };
      exemplars.set(key, entry);
    }
    return entry.row;
  };
  const send = (last: boolean) => {
    const added = groups.list.slice(groupsSent);
    emit(pieceResult(request.id, piece, added, last ? [...exemplars.values()] : [], last));
    groupsSent = groups.list.length;
    if (!last) piece = new Piece(capacity);
  };
  const chunks = readGzipLineChunks(request.body, request.key, maxRawLineBytes, scanThreadInflateAheadBytes);
  for await (const chunk of chunks) {
    forEachLine(chunk, (start, end) => {
      const fact = scanner.fact;
      if (!scanner.scan(chunk, start, end) || fact.ts < request.startMs || fact.ts >= endMs) {
        piece.otherLines.push(chunk.toString('utf8', start, end));
        piece.otherAt.push(piece.columns.count);
        return;
      }
      buildEventFingerprint(chunk, fact.idStart, fact.idEnd, fp);
      const group = groups.idOf(chunk, fact);
      if (fact.traceStart >= 0 && fact.parentStart >= 0) {
        const trace = chunk.toString('latin1', fact.traceStart, fact.traceEnd);
        const parent = chunk.toString('latin1', fact.parentStart, fact.parentEnd);
        piece.serverParents.push({ trace, parent, group, at: piece.columns.count });
      }
      piece.columns.push(fp, fact.ts, group, fact.status_code, fact.latency_ms);
      if (fact.traceStart >= 0) offerScannedExemplar(exemplarsOf(group, fact.ts), chunk, fact);
      if (piece.columns.count === pieceFacts) send(false);
    });
  }
  send(true);
}

function pieceResult(
  id: number,
  { columns, otherLines, otherAt, serverParents }: Piece,
  dictionary: SegmentScanResult['dictionary'],
  exemplars: SegmentScanResult['exemplars'],
  last: boolean,
): SegmentScanResult {
  const n = columns.count;
  return {
    id,
    last,
    count: n,
    fingerprints: columns.fingerprints.subarray(0, n * 3),
    times: columns.times.subarray(0, n),
    groups: columns.groups.subarray(0, n),
    statuses: columns.statuses.subarray(0, n),
    latencies: columns.latencies.subarray(0, n),
    buckets: columns.buckets.subarray(0, n),
    dictionary,
    otherLines,
    otherAt,
    exemplars,
    serverParents,
  };
}

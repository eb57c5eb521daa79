import { gzipSync } from 'node:zlib';
import {
  buildRawPartition,
  buildRawPartitionPrefix,
  buildRawSegmentKey,
} from '../../domain/raw-partition.js';
import { ByteSink } from './byte-sink.js';
import { forEachFramePayload } from './segment-frames.js';
import { scanFactLine } from './wal-line-scanner.js';
import type { WalRecord } from './wal-record.js';
import { walRecordJson } from './wal-record-json.js';

const maxDeadLetterItemChars = 8192;

/** Object key for one partition's share of a segment; deterministic, so a re-upload after a crash overwrites identically. */
function keyFor(record: WalRecord, ingesterId: string, seq: number): string {
  const ts = record.kind === 'rejected' ? record.received_at : record.ts;
  const partition = buildRawPartition(record.tenant, ts);
  if (record.kind !== 'rejected') return buildRawSegmentKey(partition, ingesterId, seq);
  const raw = buildRawPartitionPrefix(partition).slice('raw/'.length);
  return `dead-letter/${raw}${ingesterId}-${String(seq).padStart(12, '0')}.jsonl.gz`;
}

function serialise(record: WalRecord): string {
  if (record.kind !== 'rejected') return walRecordJson(record);
  const item = JSON.stringify(record.item) ?? 'null';
  const kept =
    item.length > maxDeadLetterItemChars ? `${item.slice(0, maxDeadLetterItemChars)}…` : record.item;
  return JSON.stringify({ ...record, item: kept });
}

/** Hour partitions repeat for long runs of records: remember the last tenant/hour instead of formatting each ts. */
function buildKeyCache(ingesterId: string, seq: number) {
  let last: { tenant: string; hourStart: number; rejected: boolean; key: string } | undefined;
  return (record: WalRecord): string => {
    const ts = record.kind === 'rejected' ? record.received_at : record.ts;
    const hourStart = ts - (((ts % 3_600_000) + 3_600_000) % 3_600_000);
    const rejected = record.kind === 'rejected';
    if (last?.tenant === record.tenant && last.hourStart === hourStart && last.rejected === rejected)
      return last.key;
    last = { tenant: record.tenant, hourStart, rejected, key: keyFor(record, ingesterId, seq) };
    return last.key;
  };
}

/** Destination keys and their JSONL bytes for one segment, in WAL order per key. */
class PackedParts {
  readonly parts = new Map<string, ByteSink>();

  add(key: string, source: Buffer, start = 0, end = source.length): void {
    let sink = this.parts.get(key);
    if (!sink) {
      sink = new ByteSink(64 * 1024);
      this.parts.set(key, sink);
    }
    // Lines are copied in, so no object per line outlives its copy.
    sink.reserve(end - start + 1);
    sink.copy(source, start, end);
    sink.byte(0x0a);
  }
}

/** A frame in the old layout (no newlines): parse it whole and serialise each record. */
function packParsedFrame(payload: Buffer, keyOf: (r: WalRecord) => string, out: PackedParts): void {
  for (const record of JSON.parse(payload.toString('utf8')) as WalRecord[]) {
    out.add(keyOf(record), Buffer.from(serialise(record), 'utf8'));
  }
}

/**
 * A frame in the ",\n" layout: each line is one record's JSON. Fact lines are routed by scanning their tenant
 * and ts and copied as they are (they are exactly what serialise would write); other lines are parsed.
 */
function packLines(payload: Buffer, keyOf: (r: WalRecord) => string, out: PackedParts): void {
  let start = 1; // past '['
  while (start < payload.length) {
    let end = payload.indexOf(0x0a, start);
    if (end < 0) end = payload.length;
    const recordEnd = end - 1; // drop the ',' (or the closing ']' on the last line)
    const fact = scanFactLine(payload, start, recordEnd);
    if (fact) {
      const key = keyOf({ kind: 'fact', tenant: fact.tenant, ts: fact.ts } as WalRecord);
      out.add(key, payload, start, recordEnd);
    } else {
      const record = JSON.parse(payload.toString('utf8', start, recordEnd)) as WalRecord;
      out.add(keyOf(record), Buffer.from(serialise(record), 'utf8'));
    }
    start = end + 1;
  }
}

/**
 * A sealed segment's bytes turned into the gzipped JSONL objects of the raw and dead-letter layers (one per
 * destination key, WAL order kept within each). Fact lines are copied from the segment without being parsed;
 * frames written before the line layout are parsed whole.
 */
export function packSegment(bytes: Buffer, ingesterId: string, seq: number): Map<string, Buffer> {
  const out = new PackedParts();
  const keyOf = buildKeyCache(ingesterId, seq);
  forEachFramePayload(bytes, (payload) => {
    if (payload.includes(0x0a)) packLines(payload, keyOf, out);
    else packParsedFrame(payload, keyOf, out);
  });
  const objects = new Map<string, Buffer>();
  // Level 1: on a 64 MiB segment of facts it costs 120 ms instead of 285 ms at the default level 6, for objects
  // about 6% larger; this CPU is shared with the request path, raw objects live only for raw retention.
  for (const [key, sink] of out.parts) objects.set(key, gzipSync(sink.contents(), { level: 1 }));
  return objects;
}

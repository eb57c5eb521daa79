import { gzipSync } from 'node:zlib';
import {
  buildRawPartition,
  buildRawPartitionPrefix,
  buildRawSegmentKey,
} from '../../domain/raw-partition.js';
import { forEachFrame } from './segment-frames.js';
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

/**
 * A sealed segment's bytes turned into the gzipped JSONL objects of the raw and dead-letter layers (one per
 * destination key, WAL order kept within each). Frame by frame: each frame's lines for a key become one Buffer,
 * so neither the segment's records nor one string per line stay alive until the end (a 64 MiB segment holds
 * some 400k records; keeping them all made this thread's garbage collection cost more than the packing).
 */
export function packSegment(bytes: Buffer, ingesterId: string, seq: number): Map<string, Buffer> {
  const parts = new Map<string, Buffer[]>();
  const keyOf = buildKeyCache(ingesterId, seq);
  forEachFrame<WalRecord>(bytes, (records) => {
    const frameLines = new Map<string, string>();
    for (const record of records) {
      const key = keyOf(record);
      frameLines.set(key, `${frameLines.get(key) ?? ''}${serialise(record)}\n`);
    }
    for (const [key, text] of frameLines) {
      const list = parts.get(key) ?? [];
      if (list.length === 0) parts.set(key, list);
      list.push(Buffer.from(text, 'utf8'));
    }
  });
  const objects = new Map<string, Buffer>();
  for (const [key, list] of parts) objects.set(key, gzipSync(Buffer.concat(list)));
  return objects;
}

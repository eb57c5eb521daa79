import { gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import {
  buildRawPartition,
  buildRawPartitionPrefix,
  buildRawSegmentKey,
} from '../../domain/raw-partition.js';
import { UploadVerificationError, type ObjectStore } from '../../adapters/object-store/object-store.js';
import type { WalRecord } from './wal-record.js';
import { readSegmentRecords, type SealedSegment } from './write-ahead-log.js';

export interface UploaderOptions {
  store: ObjectStore;
  ingesterId: string;
  log: Logger;
  deleteSealed: (segment: SealedSegment) => Promise<void>;
  onUploaded?: (seconds: number, segment: SealedSegment) => void;
  onFailure?: (error: Error) => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

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
  if (record.kind !== 'rejected') return JSON.stringify(record);
  const item = JSON.stringify(record.item) ?? 'null';
  const kept =
    item.length > maxDeadLetterItemChars ? `${item.slice(0, maxDeadLetterItemChars)}…` : record.item;
  return JSON.stringify({ ...record, item: kept });
}

/** Splits a segment's records by destination object, preserving WAL order within each. */
export function buildSegmentObjects(
  records: WalRecord[],
  ingesterId: string,
  seq: number,
): Map<string, Buffer> {
  const lines = new Map<string, string[]>();
  for (const record of records) {
    const key = keyFor(record, ingesterId, seq);
    const list = lines.get(key) ?? [];
    list.push(serialise(record));
    lines.set(key, list);
  }
  const objects = new Map<string, Buffer>();
  for (const [key, list] of lines) objects.set(key, gzipSync(`${list.join('\n')}\n`));
  return objects;
}

/**
 * Uploads sealed segments in order, one at a time, retrying with capped
 * exponential backoff while the store is unavailable. A local segment is
 * deleted only after every object it produced is stored and verified.
 */
export class SegmentUploader {
  private readonly queue: SealedSegment[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: UploaderOptions) {}

  enqueue(segment: SealedSegment): void {
    this.queue.push(segment);
    this.running ??= this.loop();
    this.wake?.();
  }

  backlog(): { segments: number; bytes: number } {
    return { segments: this.queue.length, bytes: this.queue.reduce((sum, s) => sum + s.bytes, 0) };
  }

  private async loop(): Promise<void> {
    let backoff = this.options.minBackoffMs ?? 500;
    while (this.queue.length > 0 && !this.stopped) {
      const segment = this.queue[0]!;
      try {
        await this.upload(segment);
        this.queue.shift();
        backoff = this.options.minBackoffMs ?? 500;
      } catch (error) {
        this.options.onFailure?.(error as Error);
        this.options.log.warn({ err: error, seq: segment.seq, backoffMs: backoff }, 'segment upload failed');
        await new Promise<void>((r) => {
          this.wake = r;
          setTimeout(r, backoff).unref();
        });
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 30_000);
      }
    }
    this.running = undefined;
  }

  private async upload(segment: SealedSegment): Promise<void> {
    const started = process.hrtime.bigint();
    const records = await readSegmentRecords(segment.path);
    const objects = buildSegmentObjects(records, this.options.ingesterId, segment.seq);
    for (const [key, body] of objects) {
      await this.options.store.put(key, body, { contentType: 'application/gzip' });
      const stored = await this.options.store.head(key);
      if (stored?.size !== body.length) {
        throw new UploadVerificationError(
          `object '${key}' has ${stored?.size ?? 'no'} bytes, expected ${body.length}`,
        );
      }
    }
    await this.options.deleteSealed(segment);
    this.options.onUploaded?.(Number(process.hrtime.bigint() - started) / 1e9, segment);
    this.options.log.info(
      { seq: segment.seq, objects: objects.size, records: records.length },
      'segment uploaded',
    );
  }

  /** Keeps uploading until the queue is empty or the deadline passes; returns whether it drained. */
  async drain(deadlineMs: number): Promise<boolean> {
    const deadline = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), deadlineMs).unref());
    while (this.queue.length > 0) {
      this.running ??= this.loop();
      this.wake?.();
      if ((await Promise.race([this.running, deadline])) === 'timeout') break;
    }
    this.stopped = this.queue.length > 0;
    return this.queue.length === 0;
  }
}

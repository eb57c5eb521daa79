import type { Logger } from 'pino';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildSegmentObjectKey, type SegmentIdentity } from '../../domain/raw-partition.js';
import {
  buildContentSegmentId,
  putSegmentObject,
  RawObjectCollisionError,
  type SegmentObjectOutcome,
} from './put-segment-object.js';
import type { PackedObject } from './segment-packer.js';
import { SegmentPackerThread } from './segment-packer-thread.js';
import type { TestPause } from './test-pause.js';
import type { SealedSegment } from './write-ahead-log.js';

export interface UploaderOptions {
  store: ObjectStore;
  ingesterId: string;
  log: Logger;
  deleteSealed: (segment: SealedSegment) => Promise<void>;
  onUploaded?: (seconds: number, segment: SealedSegment) => void;
  onFailure?: (error: Error) => void;
  /** A segment's object key held different records; the segment is kept and retried every maxBackoffMs. */
  onCollision?: (error: RawObjectCollisionError) => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Test-only: holds the upload before each put and before the local delete (GRAVIX_TEST_*_DELAY_MS). */
  testPause?: TestPause;
  /** Pack sealed segments on a worker thread (default) or on the event loop (GRAVIX_WAL_PACK_THREADS=0). */
  packOnThread?: boolean;
}

interface HeldSegment {
  segment: SealedSegment;
  retryAt: number;
}

/**
 * Uploads sealed segments in order, one at a time, retrying with capped exponential backoff while the store
 * is unavailable. Every object is created with a conditional put and never replaced; a local segment is
 * deleted only after every object it produced is stored and verified. A segment whose key holds different
 * records is held (kept on disk, counted in the backlog) and retried on its own slow schedule, so the
 * segments behind it keep flowing.
 */
export class SegmentUploader {
  private readonly queue: SealedSegment[] = [];
  private readonly held: HeldSegment[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly packer: SegmentPackerThread;

  constructor(private readonly options: UploaderOptions) {
    this.packer = new SegmentPackerThread(options.packOnThread ?? true);
  }

  private get minBackoffMs(): number {
    return this.options.minBackoffMs ?? 500;
  }

  private get maxBackoffMs(): number {
    return this.options.maxBackoffMs ?? 30_000;
  }

  enqueue(segment: SealedSegment): void {
    this.queue.push(segment);
    this.running ??= this.loop();
    this.wake?.();
  }

  backlog(): { segments: number; bytes: number } {
    const all = [...this.queue, ...this.held.map((h) => h.segment)];
    return { segments: all.length, bytes: all.reduce((sum, s) => sum + s.bytes, 0) };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((r) => {
      this.wake = r;
      setTimeout(r, ms).unref();
    });
  }

  /** Held segments whose retry time has come go back to the end of the queue. */
  private requeueDue(): void {
    const now = Date.now();
    for (let i = this.held.length - 1; i >= 0; i--) {
      if (this.held[i]!.retryAt <= now) this.queue.push(this.held.splice(i, 1)[0]!.segment);
    }
  }

  private async loop(): Promise<void> {
    let backoff = this.minBackoffMs;
    while (!this.stopped) {
      this.requeueDue();
      const segment = this.queue[0];
      if (!segment) {
        if (this.held.length === 0) break;
        await this.sleep(Math.min(...this.held.map((h) => h.retryAt)) - Date.now());
        continue;
      }
      try {
        await this.upload(segment);
        this.queue.shift();
        backoff = this.minBackoffMs;
      } catch (error) {
        this.options.onFailure?.(error as Error);
        if (error instanceof RawObjectCollisionError) {
          this.hold(segment, error);
          continue;
        }
        this.options.log.warn({ err: error, seq: segment.seq, backoffMs: backoff }, 'segment upload failed');
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
    this.running = undefined;
  }

  private hold(segment: SealedSegment, error: RawObjectCollisionError): void {
    this.queue.shift();
    this.held.push({ segment, retryAt: Date.now() + this.maxBackoffMs });
    this.options.onCollision?.(error);
    this.options.log.error(
      { err: error, code: error.code, key: error.key, seq: segment.seq, path: segment.path },
      'raw object collision: segment kept',
    );
  }

  private async upload(segment: SealedSegment): Promise<void> {
    const started = process.hrtime.bigint();
    const identity: SegmentIdentity = {
      ingesterId: this.options.ingesterId,
      seq: segment.seq,
      segmentId: segment.id,
    };
    const objects = await this.packer.pack(segment.path);
    for (const [index, object] of objects.entries()) {
      const key = buildSegmentObjectKey(object.layer, object.partition, identity);
      await this.options.testPause?.('upload', { seq: segment.seq, key, object: index });
      await this.putObject(key, object, identity);
    }
    await this.options.testPause?.('delete', { seq: segment.seq });
    await this.options.deleteSealed(segment);
    this.options.onUploaded?.(Number(process.hrtime.bigint() - started) / 1e9, segment);
    this.options.log.info(
      { seq: segment.seq, segmentId: segment.id, objects: objects.length, bytes: segment.bytes },
      'segment uploaded',
    );
  }

  /**
   * A segment written before segment ids existed uses its old key; if that key holds another segment's records
   * (the old sequence restarted after an idle restart), its records go under a key with an id derived from
   * them instead. Segments with an id have one key only.
   */
  private async putObject(
    key: string,
    object: PackedObject,
    identity: SegmentIdentity,
  ): Promise<SegmentObjectOutcome> {
    try {
      return await putSegmentObject(this.options.store, key, object.body);
    } catch (error) {
      if (!(error instanceof RawObjectCollisionError) || identity.segmentId !== undefined) throw error;
      const segmentId = buildContentSegmentId(object.body);
      const fallback = buildSegmentObjectKey(object.layer, object.partition, { ...identity, segmentId });
      this.options.log.warn(
        { key, fallback, seq: identity.seq },
        'segment without id: old key taken, using fallback key',
      );
      return putSegmentObject(this.options.store, fallback, object.body);
    }
  }

  /**
   * Keeps uploading until the queue is empty or the deadline passes; returns whether everything was uploaded
   * (held segments count as not uploaded). The uploader is finished afterwards.
   */
  async drain(deadlineMs: number): Promise<boolean> {
    const deadline = Date.now() + deadlineMs;
    if (this.queue.length > 0) this.running ??= this.loop();
    // A loop sleeping in backoff retries now rather than after the shutdown deadline.
    this.wake?.();
    // Referenced timers: the process waits for the deadline even while the loop only sleeps on unreferenced ones.
    while (this.queue.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.stopped = true;
    this.wake?.();
    await this.packer.close();
    return this.queue.length === 0 && this.held.length === 0;
  }
}

import type { Logger } from 'pino';
import { UploadVerificationError, type ObjectStore } from '../../adapters/object-store/object-store.js';
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
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Test-only: holds the upload before each put and before the local delete (GRAVIX_TEST_*_DELAY_MS). */
  testPause?: TestPause;
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
  private readonly packer = new SegmentPackerThread();

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
    const objects = await this.packer.pack(segment.path, this.options.ingesterId, segment.seq);
    let index = 0;
    for (const [key, body] of objects) {
      await this.options.testPause?.('upload', { seq: segment.seq, key, object: index++ });
      await this.options.store.put(key, body, { contentType: 'application/gzip' });
      const stored = await this.options.store.head(key);
      if (stored?.size !== body.length) {
        throw new UploadVerificationError(
          `object '${key}' has ${stored?.size ?? 'no'} bytes, expected ${body.length}`,
        );
      }
    }
    await this.options.testPause?.('delete', { seq: segment.seq });
    await this.options.deleteSealed(segment);
    this.options.onUploaded?.(Number(process.hrtime.bigint() - started) / 1e9, segment);
    this.options.log.info(
      { seq: segment.seq, objects: objects.size, bytes: segment.bytes },
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
    await this.packer.close();
    return this.queue.length === 0;
  }
}

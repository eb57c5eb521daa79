import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SegmentScanResult } from '../domain/segment-scan-result.js';
import { RawLineTooLongError, RawSegmentUnreadableError } from './raw-segment-lines.js';
import { scanSegment } from './scan-segment.js';

export interface SegmentScanRequest {
  id: number;
  /** Names the segment in errors. */
  key: string;
  body: Uint8Array;
  startMs: number;
}

/** What a worker answers when a segment cannot be scanned; the worker itself carries on. */
export interface SegmentScanFailure {
  id: number;
  error: { code: string; message: string };
}

export class SegmentScanWorkerError extends Error {
  readonly code = 'SEGMENT_SCAN_WORKER_FAILED';
}

export interface SegmentScanPoolOptions {
  size?: number;
  /** Old-generation heap of each worker (MiB). */
  heapMb?: number;
  /** A scan that takes longer is failed and its worker replaced (a stuck worker must not hang the run). */
  scanTimeoutMs?: number;
}

/** One segment's scan as it comes back: its pieces in line order, the last one marked `last`. */
export interface SegmentScan {
  /** The next piece; rejects when the scan failed (a bad segment, the worker died or overran its deadline). */
  next(): Promise<SegmentScanResult>;
  /** Whether next() would answer without waiting (a piece, or the failure, is there). */
  ready(): boolean;
}

/** What computePartition scans segments with: a pool of scan threads (SegmentScanPool), or a test's stand-in. */
export interface SegmentScanner {
  /** Scan threads: as many segments are queued per thread beyond the one it scans. */
  readonly size: number;
  scan(key: string, body: Uint8Array, startMs: number): SegmentScan;
}

/** Pieces that arrived before they were asked for, or the one waiting for the next piece. */
export class PieceQueue implements SegmentScan {
  private readonly pieces: SegmentScanResult[] = [];
  private waiter: { resolve(r: SegmentScanResult): void; reject(e: Error): void } | undefined;
  private failure: Error | undefined;

  push(piece: SegmentScanResult): void {
    if (this.waiter) {
      this.waiter.resolve(piece);
      this.waiter = undefined;
    } else this.pieces.push(piece);
  }

  fail(error: Error): void {
    this.failure = error;
    this.waiter?.reject(error);
    this.waiter = undefined;
  }

  ready(): boolean {
    return this.pieces.length > 0 || this.failure !== undefined;
  }

  next(): Promise<SegmentScanResult> {
    const piece = this.pieces.shift();
    if (piece) return Promise.resolve(piece);
    // Only asked for once the pieces before were taken, so a failure never goes unobserved as a rejection.
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }
}

/**
 * Scans one segment on this thread, into the same pieces a worker sends: the aggregating thread takes a segment
 * itself when it would otherwise wait for the scan thread (compute-partition.ts). Inflate chunks are awaited, so
 * the pieces of the segments before it are still taken between two chunks.
 */
export function scanInThread(
  key: string,
  body: Uint8Array,
  startMs: number,
  pieceFacts?: number,
): SegmentScan {
  const pieces = new PieceQueue();
  scanSegment({ id: -1, key, body, startMs }, (piece) => pieces.push(piece), pieceFacts).catch(
    (error: unknown) => pieces.fail(error instanceof Error ? error : new Error(String(error))),
  );
  return pieces;
}

interface Pending {
  pieces: PieceQueue;
  timer: NodeJS.Timeout;
}

const workerUrl = new URL('./segment-scan-worker.js', import.meta.url);

function rebuildError(failure: SegmentScanFailure['error']): Error {
  if (failure.code === 'RAW_SEGMENT_UNREADABLE') return new RawSegmentUnreadableError(failure.message);
  if (failure.code === 'RAW_LINE_TOO_LONG') return new RawLineTooLongError(failure.message);
  return new SegmentScanWorkerError(`segment scan failed: ${failure.code}: ${failure.message}`);
}

/**
 * Worker threads that inflate and scan raw segments in parallel. Only available when running compiled
 * JavaScript (under jest the sources are TypeScript, which a worker thread cannot load): the rollup then
 * scans in-thread, with identical results. A worker that dies (out of heap, crash) or overruns the scan deadline
 * fails every scan it held with SEGMENT_SCAN_WORKER_FAILED and is replaced, so the next partition gets a live one.
 */
export class SegmentScanPool implements SegmentScanner {
  private readonly workers: Worker[] = [];
  private readonly waiting: Map<number, Pending>[] = [];
  private readonly heapMb: number;
  private readonly scanTimeoutMs: number;
  private nextId = 0;
  private closed = false;

  static isAvailable(): boolean {
    return import.meta.url.endsWith('.js') && existsSync(fileURLToPath(workerUrl));
  }

  constructor(options: SegmentScanPoolOptions = {}) {
    // Small heaps: a worker holds one segment's inflate chunk, columns and dictionary at a time, and the rollup's
    // whole-process RSS budget (512 MiB for a 10M-event partition) is shared with the main thread's dedupe table.
    this.heapMb = options.heapMb ?? 32;
    this.scanTimeoutMs = options.scanTimeoutMs ?? 300_000;
    const size = options.size ?? Math.max(1, availableParallelism());
    for (let index = 0; index < size; index++) {
      this.waiting.push(new Map());
      this.workers.push(this.startWorker(index));
    }
  }

  private startWorker(index: number): Worker {
    const resourceLimits = { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: 4 };
    const worker = new Worker(workerUrl, { resourceLimits });
    let failure: Error | undefined;
    worker.on('message', (message: SegmentScanResult | SegmentScanFailure) => {
      const pending = this.waiting[index]!.get(message.id);
      if (!pending) return;
      if ('error' in message || message.last) {
        this.waiting[index]!.delete(message.id);
        clearTimeout(pending.timer);
      }
      if ('error' in message) pending.pieces.fail(rebuildError(message.error));
      else pending.pieces.push(message);
    });
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      const cause = failure ?? new Error(`exited with code ${code}`);
      const detail = (cause as { code?: string }).code ?? cause.message;
      this.failAll(index, `segment scan worker died (${detail}; heap limit ${this.heapMb} MiB)`, cause);
      if (!this.closed) this.workers[index] = this.startWorker(index);
    });
    return worker;
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Scans on the next worker (round robin); the body is transferred when it owns its whole buffer. The pieces are
   * read later, in input order; the deadline covers the whole segment.
   */
  scan(key: string, body: Uint8Array, startMs: number): SegmentScan {
    const id = this.nextId++;
    const index = id % this.workers.length;
    const worker = this.workers[index]!;
    const pieces = new PieceQueue();
    const timer = setTimeout(() => {
      this.failAll(index, `segment scan of '${key}' took more than ${this.scanTimeoutMs} ms`);
      // Its exit finds nothing left to fail and starts the replacement.
      void worker.terminate();
    }, this.scanTimeoutMs);
    this.waiting[index]!.set(id, { pieces, timer });
    const ownsBuffer = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const transfer = ownsBuffer && body.buffer instanceof ArrayBuffer ? [body.buffer] : [];
    worker.postMessage({ id, key, body, startMs } satisfies SegmentScanRequest, transfer);
    return pieces;
  }

  private failAll(index: number, message: string, cause?: Error): void {
    for (const pending of this.waiting[index]!.values()) {
      clearTimeout(pending.timer);
      pending.pieces.fail(new SegmentScanWorkerError(message, { cause }));
    }
    this.waiting[index]!.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

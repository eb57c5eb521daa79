import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface SegmentScanRequest {
  id: number;
  body: Uint8Array;
  startMs: number;
}

export interface SegmentScanResult {
  id: number;
  count: number;
  fingerprints: Uint32Array;
  minutes: Int32Array;
  groups: Uint32Array;
  statuses: Uint16Array;
  latencies: Float64Array;
  /** The newest event time (ms) among this segment's facts of the hour; -Infinity when it has none. */
  newestTs: number;
  /** Groups first seen in this segment by this worker: [id, service, method, path]. */
  newGroups: [number, string, string, string][];
  /** Lines that are not canonical facts of this hour (events, other forms, invalid): for parseRawLine. */
  otherLines: string[];
  /**
   * otherLines[k] came right before fact otherAt[k] (its column index): the main thread replays both in
   * line order, because float sums (latency_sum_ms) depend on order and output must be byte-identical to
   * the single-thread path.
   */
  otherAt: number[];
}

export interface ScanGroup {
  service: string;
  method: string;
  path: string;
}

/** A result with the dictionary its group ids refer to (a worker sends each group once per run). */
export type ResolvedScan = SegmentScanResult & { groupsById: ScanGroup[] };

export class SegmentScanWorkerError extends Error {
  readonly code = 'SEGMENT_SCAN_WORKER_FAILED';
}

const workerUrl = new URL('./segment-scan-worker.js', import.meta.url);

/**
 * Worker threads that inflate and scan raw segments in parallel. Only available when running compiled
 * JavaScript (under jest the sources are TypeScript, which a worker thread cannot load): the rollup then
 * scans in-thread, with identical results.
 */
export class SegmentScanPool {
  private readonly workers: Worker[];
  private readonly waiting: Map<number, { resolve(r: ResolvedScan): void; reject(e: Error): void }>[];
  private readonly dictionaries: ScanGroup[][];
  private nextId = 0;

  static isAvailable(): boolean {
    return import.meta.url.endsWith('.js') && existsSync(fileURLToPath(workerUrl));
  }

  constructor(size = Math.max(1, availableParallelism())) {
    // Small heaps: a worker holds one segment's inflate chunk and columns at a time, and the rollup's
    // whole-process RSS budget (512 MiB for a 10M-event partition) is shared with the main thread's dedupe table.
    const resourceLimits = { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 };
    this.workers = Array.from({ length: size }, () => new Worker(workerUrl, { resourceLimits }));
    this.waiting = this.workers.map(() => new Map());
    this.dictionaries = this.workers.map(() => []);
    this.workers.forEach((worker, index) => {
      worker.on('message', (result: SegmentScanResult) => {
        const dictionary = this.dictionaries[index]!;
        for (const [id, service, method, path] of result.newGroups)
          dictionary[id] = { service, method, path };
        const pending = this.waiting[index]!.get(result.id);
        this.waiting[index]!.delete(result.id);
        pending?.resolve({ ...result, groupsById: dictionary });
      });
      worker.on('error', (error) => this.failAll(index, error));
      worker.on('exit', (code) =>
        this.failAll(index, new Error(`segment scan worker exited with code ${code}`)),
      );
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Scans on the next worker (round robin); the body is transferred when it owns its whole buffer. */
  scan(body: Uint8Array, startMs: number): Promise<ResolvedScan> {
    const id = this.nextId++;
    const worker = id % this.workers.length;
    const result = new Promise<ResolvedScan>((resolve, reject) => {
      this.waiting[worker]!.set(id, { resolve, reject });
    });
    const ownsBuffer = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const transfer = ownsBuffer && body.buffer instanceof ArrayBuffer ? [body.buffer] : [];
    this.workers[worker]!.postMessage({ id, body, startMs } satisfies SegmentScanRequest, transfer);
    // Awaited later, in input order; until then a failure must not count as an unhandled rejection.
    result.catch(() => undefined);
    return result;
  }

  private failAll(index: number, cause: Error): void {
    for (const pending of this.waiting[index]!.values()) {
      pending.reject(new SegmentScanWorkerError('segment scan worker failed', { cause }));
    }
    this.waiting[index]!.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

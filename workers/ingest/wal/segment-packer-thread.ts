import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RawPartition, SegmentLayer } from '../../domain/raw-partition.js';
import { packSegment, type PackedObject } from './segment-packer.js';

export interface PackRequest {
  id: number;
  path: string;
}

export type PackReply =
  | { id: number; objects: { layer: SegmentLayer; partition: RawPartition; body: Uint8Array }[] }
  | { id: number; error: string };

export class SegmentPackError extends Error {
  readonly code = 'SEGMENT_PACK_FAILED';
}

const workerUrl = new URL('./segment-packer-worker.js', import.meta.url);

/**
 * Packs sealed segments into upload objects on a worker thread, so the ingest event loop keeps answering while
 * a large segment is prepared. Under jest the sources are TypeScript, which a worker thread cannot load: packing
 * then runs in-thread with identical output.
 */
export class SegmentPackerThread {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve(o: PackedObject[]): void; reject(e: Error): void }>();

  /**
   * `threaded: false` packs on the caller's thread. The embedded process (`gravix dev`, small segments) uses it:
   * a packing thread frees the buffers of a pack only when its own isolate collects, which a thread that runs
   * almost no JavaScript does after ~64 MiB of them (V8's external-memory trigger), so it held 70-80 MiB of
   * dead buffers there; the event loop's frequent scavenges free them at once (issue #19, bench/demo).
   */
  constructor(private readonly threaded = true) {}

  static isAvailable(): boolean {
    return import.meta.url.endsWith('.js') && existsSync(fileURLToPath(workerUrl));
  }

  async pack(path: string): Promise<PackedObject[]> {
    if (!this.threaded || !SegmentPackerThread.isAvailable()) return packSegment(await readFile(path));
    const worker = this.worker ?? this.startWorker();
    const id = this.nextId++;
    const result = new Promise<PackedObject[]>((resolve, reject) =>
      this.waiting.set(id, { resolve, reject }),
    );
    // Referenced only while it has work: a pending pack keeps the process alive, an idle thread does not.
    worker.ref();
    worker.postMessage({ id, path } satisfies PackRequest);
    return result;
  }

  private startWorker(): Worker {
    const worker = new Worker(workerUrl);
    worker.on('message', (reply: PackReply) => {
      const pending = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if ('error' in reply) pending?.reject(new SegmentPackError(reply.error));
      else {
        const objects = reply.objects.map(({ layer, partition, body: b }) => ({
          layer,
          partition,
          body: Buffer.from(b.buffer, b.byteOffset, b.byteLength),
        }));
        pending?.resolve(objects);
      }
    });
    const fail = (cause: Error) => {
      this.worker = undefined;
      for (const pending of this.waiting.values())
        pending.reject(new SegmentPackError('segment packer thread failed', { cause }));
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`segment packer thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}

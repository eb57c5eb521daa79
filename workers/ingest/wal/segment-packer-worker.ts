import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { packSegment } from './segment-packer.js';
import type { PackReply, PackRequest } from './segment-packer-thread.js';

// Decoding, re-serialising and gzipping a sealed segment (up to 64 MiB) takes hundreds of milliseconds of CPU;
// here it runs beside the event loop that answers ingest requests instead of stalling it.
parentPort?.on('message', (request: PackRequest) => {
  void (async () => {
    try {
      const packed = packSegment(await readFile(request.path));
      // Fresh copies own their ArrayBuffers, so they can be transferred without detaching a shared pool.
      const objects = packed.map((o) => ({ ...o, body: new Uint8Array(o.body) }));
      const reply: PackReply = { id: request.id, objects };
      parentPort!.postMessage(
        reply,
        objects.map((o) => o.body.buffer as ArrayBuffer),
      );
    } catch (error) {
      const reply: PackReply = { id: request.id, error: (error as Error).message };
      parentPort!.postMessage(reply);
    }
  })();
});

import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { packSegment } from './segment-packer.js';
import type { PackReply, PackRequest } from './segment-packer-thread.js';

// Decoding, re-serialising and gzipping a sealed segment (up to 64 MiB) takes hundreds of milliseconds of CPU;
// here it runs beside the event loop that answers ingest requests instead of stalling it.
parentPort?.on('message', (request: PackRequest) => {
  void (async () => {
    try {
      const objects = packSegment(await readFile(request.path), request.ingesterId, request.seq);
      // Fresh copies own their ArrayBuffers, so they can be transferred without detaching a shared pool.
      const entries = [...objects].map(([key, body]): [string, Uint8Array] => [key, new Uint8Array(body)]);
      const reply: PackReply = { id: request.id, objects: entries };
      parentPort!.postMessage(
        reply,
        entries.map(([, body]) => body.buffer as ArrayBuffer),
      );
    } catch (error) {
      const reply: PackReply = { id: request.id, error: (error as Error).message };
      parentPort!.postMessage(reply);
    }
  })();
});

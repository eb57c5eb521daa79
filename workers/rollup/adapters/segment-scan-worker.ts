import { parentPort } from 'node:worker_threads';
import { scanSegment } from './scan-segment.js';
import type { SegmentScanResult } from '../domain/segment-scan-result.js';
import type { SegmentScanFailure, SegmentScanRequest } from './segment-scan-pool.js';

/** Sends one piece; its columns are transferred (not copied) back. */
function sendPiece(piece: SegmentScanResult): void {
  const { fingerprints, times, groups, statuses, latencies, buckets } = piece;
  const transfer = [fingerprints, times, groups, statuses, latencies, buckets];
  parentPort?.postMessage(
    piece,
    transfer.map((a) => a.buffer as ArrayBuffer),
  );
}

// Worker thread around scanSegment: requests are handled one at a time, in arrival order, each answered in pieces.
let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (request: SegmentScanRequest) => {
  queue = queue.then(async () => {
    try {
      await scanSegment(request, sendPiece);
    } catch (error) {
      // A bad segment fails its scan, not the worker: the pool rejects this request with the same code, whatever
      // pieces it sent before.
      const { code = 'INTERNAL', message = String(error) } = error as { code?: string; message?: string };
      parentPort?.postMessage({ id: request.id, error: { code, message } } satisfies SegmentScanFailure);
    }
  });
});

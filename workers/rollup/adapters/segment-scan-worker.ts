import { parentPort } from 'node:worker_threads';
import { scanSegment } from './scan-segment.js';
import type { SegmentScanResult } from '../domain/segment-scan-result.js';
import type { SegmentScanFailure, SegmentScanRequest } from './segment-scan-pool.js';

// Worker thread around scanSegment: requests are handled one at a time, in arrival order, and the columns are
// transferred (not copied) back.
let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (request: SegmentScanRequest) => {
  queue = queue.then(async () => {
    let result: SegmentScanResult;
    try {
      result = await scanSegment(request);
    } catch (error) {
      // A bad segment fails its scan, not the worker: the pool rejects this request with the same code.
      const { code = 'INTERNAL', message = String(error) } = error as { code?: string; message?: string };
      parentPort?.postMessage({ id: request.id, error: { code, message } } satisfies SegmentScanFailure);
      return;
    }
    const { fingerprints, times, groups, statuses, latencies, buckets } = result;
    const transfer = [fingerprints, times, groups, statuses, latencies, buckets];
    parentPort?.postMessage(
      result,
      transfer.map((a) => a.buffer as ArrayBuffer),
    );
  });
});

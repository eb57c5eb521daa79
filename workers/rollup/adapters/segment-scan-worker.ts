import { parentPort } from 'node:worker_threads';
import { RawFactScanner } from '../domain/raw-fact-scanner.js';
import { buildEventFingerprint } from '../domain/event-fingerprint-set.js';
import { forEachLine } from '../domain/for-each-line.js';
import { readGzipLineChunks } from './raw-segment-lines.js';
import type { SegmentScanResult } from '../domain/segment-scan-result.js';
import type { SegmentScanFailure, SegmentScanRequest } from './segment-scan-pool.js';

/**
 * Worker thread: inflates and scans one raw segment, returning its canonical facts as columns (fingerprint,
 * minute, group, status, latency) and every other line as text for the main thread's parseRawLine. Dedupe and
 * aggregation stay on the main thread, in input order, so results are identical to the single-thread path.
 */
const minuteMs = 60_000;
const scanner = new RawFactScanner();

/** One segment's facts; its buffers are transferred (not copied) to the main thread when done. */
class Columns {
  count = 0;
  fingerprints = new Uint32Array(3 * 65_536);
  minutes = new Int32Array(65_536);
  groups = new Uint32Array(65_536);
  statuses = new Uint16Array(65_536);
  latencies = new Float64Array(65_536);

  push(fp: Uint32Array, minute: number, group: number, status: number, latency: number): void {
    if (this.count === this.minutes.length) this.grow();
    const i = this.count++;
    this.fingerprints.set(fp, i * 3);
    this.minutes[i] = minute;
    this.groups[i] = group;
    this.statuses[i] = status;
    this.latencies[i] = latency;
  }

  private grow(): void {
    const grow = <T extends { length: number; set(a: T): void }>(a: T, make: (n: number) => T): T => {
      const b = make(a.length * 2);
      b.set(a);
      return b;
    };
    this.fingerprints = grow(this.fingerprints, (n) => new Uint32Array(n));
    this.minutes = grow(this.minutes, (n) => new Int32Array(n));
    this.groups = grow(this.groups, (n) => new Uint32Array(n));
    this.statuses = grow(this.statuses, (n) => new Uint16Array(n));
    this.latencies = grow(this.latencies, (n) => new Float64Array(n));
  }
}

/** One segment's endpoint dictionary: ids index `list`. */
class SegmentGroups {
  private readonly ids = new Map<string, Map<string, Map<string, number>>>();
  readonly list: [string, string, string][] = [];

  idOf(service: string, method: string, path: string): number {
    let byMethod = this.ids.get(service);
    if (!byMethod) this.ids.set(service, (byMethod = new Map()));
    let byPath = byMethod.get(method);
    if (!byPath) byMethod.set(method, (byPath = new Map()));
    let id = byPath.get(path);
    if (id === undefined) {
      id = this.list.length;
      byPath.set(path, id);
      this.list.push([service, method, path]);
    }
    return id;
  }
}

async function scanSegment(request: SegmentScanRequest): Promise<SegmentScanResult> {
  const columns = new Columns();
  const otherLines: string[] = [];
  const otherAt: number[] = [];
  const groups = new SegmentGroups();
  const fp = new Uint32Array(3);
  const endMs = request.startMs + 3_600_000;
  let newestTs = -Infinity;
  for await (const chunk of readGzipLineChunks(request.body, request.key)) {
    forEachLine(chunk, (start, end) => {
      const fact = scanner.fact;
      if (!scanner.scan(chunk, start, end) || fact.ts < request.startMs || fact.ts >= endMs) {
        otherLines.push(chunk.toString('utf8', start, end));
        otherAt.push(columns.count);
        return;
      }
      buildEventFingerprint(chunk, fact.idStart, fact.idEnd, fp);
      const group = groups.idOf(fact.service, fact.method, fact.path);
      columns.push(fp, Math.floor(fact.ts / minuteMs), group, fact.status_code, fact.latency_ms);
      if (fact.ts > newestTs) newestTs = fact.ts;
    });
  }
  const n = columns.count;
  return {
    id: request.id,
    count: n,
    fingerprints: columns.fingerprints.subarray(0, n * 3),
    minutes: columns.minutes.subarray(0, n),
    groups: columns.groups.subarray(0, n),
    statuses: columns.statuses.subarray(0, n),
    latencies: columns.latencies.subarray(0, n),
    newestTs,
    dictionary: groups.list,
    otherLines,
    otherAt,
  };
}

// Requests are handled one at a time, in arrival order.
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
    const transfer = [result.fingerprints, result.minutes, result.groups, result.statuses, result.latencies];
    parentPort?.postMessage(
      result,
      transfer.map((a) => a.buffer as ArrayBuffer),
    );
  });
});

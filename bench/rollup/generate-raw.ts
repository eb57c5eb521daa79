import { gzipSync } from 'node:zlib';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { buildRawPartition, buildRawSegmentKey } from '../../workers/domain/raw-partition.js';
import { buildSeededFacts } from '../../workers/rollup/testing/seeded-raw-events.js';

/**
 * Writes `events` raw lines into one (tenant, hour) partition as ingest would, in segments of `perSegment`
 * lines; `duplicateShare` of each segment is replayed from the previous one (client retries).
 */
export async function generateRawPartition(
  storeRoot: string,
  options: { events: number; perSegment: number; duplicateShare: number; hourMs: number },
): Promise<{ lines: number; segments: number }> {
  const store = new LocalObjectStore(storeRoot);
  const partition = buildRawPartition('bench', options.hourMs);
  let lines = 0;
  let seq = 0;
  let previous: string[] = [];
  while (lines < options.events) {
    const fresh = Math.min(options.perSegment, options.events - lines);
    const replay = previous.slice(0, Math.floor(fresh * options.duplicateShare));
    const facts = buildSeededFacts({
      seed: seq + 1,
      count: fresh - replay.length,
      fromMs: options.hourMs,
      idPrefix: 'b',
    });
    const body = [...replay, ...facts.map((f) => JSON.stringify({ ...f, tenant: 'bench' }))];
    await store.put(
      buildRawSegmentKey(partition, 'ing-0', seq++),
      gzipSync(body.join('\n') + '\n', { level: 1 }),
    );
    lines += body.length;
    previous = body;
  }
  return { lines, segments: seq };
}

import { gzipSync } from 'node:zlib';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildRawPartition, buildRawSegmentKey } from '../../domain/raw-partition.js';
import type { RawRecord } from '../../domain/raw-record.js';

/** Writes records as one sealed raw segment of the partition of the first record's event time. */
export async function putRawSegment(
  store: ObjectStore,
  records: readonly RawRecord[],
  options: { ingester?: string; seq: number },
): Promise<string> {
  const first = records[0]!;
  const key = buildRawSegmentKey(
    buildRawPartition(first.tenant, first.ts),
    options.ingester ?? 'ing-0',
    options.seq,
  );
  const body = gzipSync(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await store.put(key, body, { ifNoneMatch: '*' });
  return key;
}

/** Splits records into consecutive segments of at most `size` records each. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

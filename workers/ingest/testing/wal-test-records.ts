import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RawFact } from '../../domain/raw-record.js';
import type { WalRecord } from '../wal/wal-record.js';
import { walRecordJson } from '../wal/wal-record-json.js';
import { readSegmentRecords } from '../wal/write-ahead-log.js';

/**
 * A valid fact as the WAL stores it, with overrides for what a test is about: the one fixture factory of the
 * WAL tests (segments, lanes, packing, upload, the line scanner and the JSON writer).
 */
export const buildWalFact = (overrides: Partial<RawFact> = {}): RawFact => ({
  kind: 'fact',
  tenant: 'acme',
  event_id: 'e-1',
  ts: 1_795_000_000_000,
  service: 'api',
  method: 'GET',
  path: '/a',
  status_code: 200,
  latency_ms: 1,
  ...overrides,
});

/** The JSONL text the raw layer holds for these records, in this order (one walRecordJson line each). */
export const walJsonLines = (...records: readonly WalRecord[]): string =>
  records.map((record) => `${walRecordJson(record)}\n`).join('');

/** The event ids the segments hold, segment after segment in WAL order; '' for a dead letter, which has none. */
export async function readSegmentIds(segments: readonly { path: string }[]): Promise<string[]> {
  return (await Promise.all(segments.map((segment) => readSegmentRecords(segment.path))))
    .flat()
    .map((record) => (record.kind === 'rejected' ? '' : record.event_id));
}

/** Seals the open segments, then every record of the WAL directory's sealed segments (directory order). */
export async function readSealedRecords(
  wal: { sealNow(): Promise<void> },
  dir: string,
): Promise<WalRecord[]> {
  await wal.sealNow();
  const files = readdirSync(dir).filter((name) => name.endsWith('.sealed'));
  return (await Promise.all(files.map((name) => readSegmentRecords(join(dir, name))))).flat();
}

import { tenantIdPattern } from './raw-record.js';

export interface RawPartition {
  tenant: string;
  /** YYYY-MM-DD (UTC) */
  date: string;
  /** 00-23 (UTC) */
  hour: string;
}

export class InvalidPartitionError extends Error {
  readonly code = 'INVALID_PARTITION';
}

export function buildRawPartition(tenant: string, ts: number): RawPartition {
  const iso = new Date(ts).toISOString();
  return { tenant, date: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

export function buildRawPartitionPrefix(p: RawPartition): string {
  return `raw/tenant=${p.tenant}/date=${p.date}/hour=${p.hour}/`;
}

/** Sequence numbers are zero-padded so keys sort in write order. */
export function buildRawSegmentKey(p: RawPartition, ingesterId: string, seq: number): string {
  return `${buildRawPartitionPrefix(p)}${ingesterId}-${String(seq).padStart(12, '0')}.jsonl.gz`;
}

const rawKeyPattern = /^raw\/tenant=([^/]+)\/date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/([^/]+)\.jsonl\.gz$/;

/** Parses a raw segment key back into its partition; throws for anything else. */
export function parseRawSegmentKey(key: string): RawPartition & { file: string } {
  const match = rawKeyPattern.exec(key);
  if (!match || !tenantIdPattern.test(match[1]!)) {
    throw new InvalidPartitionError(`key '${key}' is not a raw segment key (${rawKeyPattern.source})`);
  }
  return { tenant: match[1]!, date: match[2]!, hour: match[3]!, file: match[4]! };
}

/** Start of the partition's hour, ms since epoch. */
export function partitionStartMs(p: RawPartition): number {
  return Date.parse(`${p.date}T${p.hour}:00:00.000Z`);
}

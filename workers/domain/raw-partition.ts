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

/** The two layers a WAL segment is uploaded to: valid records, and rejected items with their errors. */
export type SegmentLayer = 'raw' | 'dead-letter';

/**
 * Which WAL segment an object holds records of. `seq` comes from the ingester's persisted high-water mark, so it
 * grows across restarts and keys sort in write order; `segmentId` is random per segment, so a key stays unique
 * even when the WAL volume (and with it the high-water mark) is lost or restored from a backup. Segments
 * written before segment ids existed have none: their objects keep the old `<ingester>-<seq>` name.
 */
export interface SegmentIdentity {
  ingesterId: string;
  seq: number;
  segmentId?: string;
}

/** 16 lowercase hex digits (64 random bits). */
export const segmentIdPattern = /^[0-9a-f]{16}$/;

export function buildRawPartition(tenant: string, ts: number): RawPartition {
  const iso = new Date(ts).toISOString();
  return { tenant, date: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

export function buildRawPartitionPrefix(p: RawPartition): string {
  return `raw/tenant=${p.tenant}/date=${p.date}/hour=${p.hour}/`;
}

/** `<ingester>-<seq, 12 digits>-<segment id>`, or `<ingester>-<seq>` for a segment without an id. */
export function buildSegmentFileName(identity: SegmentIdentity): string {
  const name = `${identity.ingesterId}-${String(identity.seq).padStart(12, '0')}`;
  if (identity.segmentId === undefined) return name;
  if (!segmentIdPattern.test(identity.segmentId)) {
    throw new InvalidPartitionError(
      `segment id '${identity.segmentId}' must match ${segmentIdPattern.source}`,
    );
  }
  return `${name}-${identity.segmentId}`;
}

/** Where one segment's records of one partition go: `<layer>/tenant=T/date=D/hour=H/<file name>.jsonl.gz`. */
export function buildSegmentObjectKey(
  layer: SegmentLayer,
  p: RawPartition,
  identity: SegmentIdentity,
): string {
  const prefix = buildRawPartitionPrefix(p).slice('raw/'.length);
  return `${layer}/${prefix}${buildSegmentFileName(identity)}.jsonl.gz`;
}

/** The raw layer's key for one segment's share of a partition (see buildSegmentObjectKey). */
export function buildRawSegmentKey(
  p: RawPartition,
  ingesterId: string,
  seq: number,
  segmentId?: string,
): string {
  return buildSegmentObjectKey('raw', p, { ingesterId, seq, segmentId });
}

const rawKeyPattern = /^raw\/tenant=([^/]+)\/date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/([^/]+)\.jsonl\.gz$/;

/**
 * Parses a raw segment key back into its partition; throws for anything else. Any file name is accepted, so
 * keys written before segment ids (`<ingester>-<seq>`) and after (`<ingester>-<seq>-<id>`) both parse.
 */
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

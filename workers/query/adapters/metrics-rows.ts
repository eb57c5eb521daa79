import type { BucketRow, CountRow, EventRow, GroupKey } from '../query-engine.js';

/** SQL engines return BIGINT as bigint or string depending on the driver; the API speaks JSON numbers. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value !== '') return Number(value);
  return 0;
}

const toText = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

function groupKey(row: Record<string, unknown>): GroupKey {
  const key: GroupKey = {};
  if (row['t'] !== undefined) key.t = toNumber(row['t']);
  for (const name of ['service', 'method', 'path'] as const) {
    if (row[name] !== undefined) key[name] = String(row[name]);
  }
  return key;
}

export function toCountRow(row: Record<string, unknown>): CountRow {
  return {
    ...groupKey(row),
    requests: toNumber(row['requests']),
    errors5xx: toNumber(row['errors5xx']),
    errors4xx: toNumber(row['errors4xx']),
  };
}

export function toBucketRow(row: Record<string, unknown>): BucketRow {
  const index = row['bucket_index'];
  return {
    ...groupKey(row),
    index: index === null || index === undefined ? null : toNumber(index),
    count: toNumber(row['bucket_count']),
  };
}

export function toEventRow(row: Record<string, unknown>): EventRow {
  return {
    t: toNumber(row['t']),
    type: String(row['type']),
    service: String(row['service']),
    version: toText(row['version']),
    description: toText(row['description']),
  };
}

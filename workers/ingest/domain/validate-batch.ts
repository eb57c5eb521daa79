import type { RawRecord } from '../../domain/raw-record.js';
import type { DeadLetterRecord, WalRecord } from '../wal/wal-record.js';
import type { ItemError } from './item-error.js';
import type { ItemResult } from './parse-request-fact.js';
import type { ParsedBatch } from './parse-batch-body.js';

export interface ValidatedBatch {
  /** What the WAL frame holds: dead letters (broken lines, then rejected items), then accepted records. */
  records: WalRecord[];
  accepted: number;
  /** Every rejection, ordered by item index. */
  rejected: ItemError[];
}

/** A rejected item's JSON text past this many characters is cut, so an abuser cannot fill the WAL with rejects. */
export const maxDeadLetterItemChars = 8192;

/** The item as kept: itself, or its JSON text cut at maxDeadLetterItemChars and marked with an ellipsis. */
export function boundedDeadLetterItem(item: unknown): unknown {
  const text = JSON.stringify(item) ?? 'null';
  return text.length > maxDeadLetterItemChars ? `${text.slice(0, maxDeadLetterItemChars)}…` : item;
}

/** A rejected item as the WAL and the dead-letter store keep it: cut before it is written anywhere. */
export function deadLetter(tenant: string, now: number, error: ItemError, item: unknown): DeadLetterRecord {
  return { kind: 'rejected', tenant, received_at: now, error, item: boundedDeadLetterItem(item) };
}

/** Validates every item of a parsed batch; rejected items become dead-letter records instead of being dropped. */
export function validateBatch(
  batch: ParsedBatch,
  tenant: string,
  now: number,
  parse: (value: unknown, index: number) => ItemResult<RawRecord>,
): ValidatedBatch {
  const accepted: WalRecord[] = [];
  const rejected: ItemError[] = [...batch.lineErrors];
  const deadLetters = batch.lineErrors.map((e) => deadLetter(tenant, now, e, null));
  for (const { index, value } of batch.items) {
    const result = parse(value, index);
    if (result.ok) accepted.push(result.value);
    else {
      rejected.push(result.error);
      deadLetters.push(deadLetter(tenant, now, result.error, value));
    }
  }
  if (batch.lineErrors.length > 0) rejected.sort((a, b) => a.index - b.index);
  const records = deadLetters.length === 0 ? accepted : [...deadLetters, ...accepted];
  return { records, accepted: accepted.length, rejected };
}

import type { RawRecord } from '../../domain/raw-record.js';
import type { ItemError } from '../domain/item-error.js';

/** An item that failed validation, kept durably so nothing a client sent is silently lost. */
export interface DeadLetterRecord {
  kind: 'rejected';
  tenant: string;
  received_at: number;
  error: ItemError;
  /** The item as received, or its JSON text cut to 8192 characters (boundedDeadLetterItem); null for a broken NDJSON line. */
  item: unknown;
}

export type WalRecord = RawRecord | DeadLetterRecord;

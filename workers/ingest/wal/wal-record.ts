import type { RawRecord } from '../../domain/raw-record.js';
import type { ItemError } from '../domain/item-error.js';

/** An item that failed validation, kept durably so nothing a client sent is silently lost. */
export interface DeadLetterRecord {
  kind: 'rejected';
  tenant: string;
  received_at: number;
  error: ItemError;
  /** The item as received (or the raw NDJSON line), truncated to 8 KiB when serialised. */
  item: unknown;
}

export type WalRecord = RawRecord | DeadLetterRecord;

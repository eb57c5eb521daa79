import type protobuf from 'protobufjs';
import { HttpError } from '../../shared/http/http-error.js';
import type { ParsedBatch } from '../domain/parse-batch-body.js';
import { own, repeated } from './otlp-values.js';

/** gravix.v1 field names (protobufjs's lowerCamelCase) -> the JSON field names the item parsers read. */
const jsonNames: Record<string, string> = {
  eventId: 'event_id',
  timestampUnixMs: 'timestamp',
  timestampRfc3339: 'timestamp',
  statusCode: 'status_code',
  latencyMs: 'latency_ms',
  traceId: 'trace_id',
};

/** Long -> number: epoch milliseconds fit a double exactly until the year 287,396. */
function plain(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && typeof (value as { low?: unknown }).low === 'number') {
    const long = value as { low: number; high: number };
    return long.high * 4294967296 + (long.low >>> 0);
  }
  return value;
}

/**
 * A decoded gravix.v1 message as the item its JSON twin would be: only fields present on the wire (proto3
 * `optional` keeps presence), under their JSON names, so the item parsers give the same records and errors.
 */
function toItem(message: unknown): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const key of Object.keys(message as object)) {
    const value = own(message, key);
    if (value !== undefined && value !== null) item[jsonNames[key] ?? key] = plain(value);
  }
  return item;
}

/**
 * Decodes a gravix.v1 RequestFactBatch or ServiceEventBatch body into a ParsedBatch; 400 MALFORMED_BODY when
 * the bytes are not one, or hold no items; 413 past maxItems.
 */
export function decodeProtobufBatch(
  body: Buffer,
  type: protobuf.Type,
  field: 'facts' | 'events',
  maxItems: number,
): ParsedBatch {
  let message: unknown;
  try {
    message = type.decode(body);
  } catch (error) {
    throw new HttpError(
      400,
      'MALFORMED_BODY',
      `body is not a protobuf ${type.name}: ${(error as Error).message}`,
    );
  }
  const items = repeated(message, field) ?? [];
  if (items.length === 0) throw new HttpError(400, 'MALFORMED_BODY', 'body holds no items');
  if (items.length > maxItems)
    throw new HttpError(
      413,
      'BATCH_TOO_LARGE',
      `batch holds ${items.length} items; the limit is ${maxItems}`,
    );
  return { items: items.map((m, index) => ({ index, value: toItem(m) })), lineErrors: [] };
}

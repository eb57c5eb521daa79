import type { RawFact } from '../../domain/raw-record.js';
import { httpMethods } from '../../domain/request-vocabulary.js';
import {
  readEnum,
  readInteger,
  readNumber,
  readOptionalString,
  readString,
  readTimestamp,
  type Item,
  type TimeWindow,
} from './field-readers.js';
import { FieldError, type ItemError } from './item-error.js';
import { normalisePath } from './normalise-path.js';
import type { RouteBudget } from './route-budget.js';

/** An hour: anything slower is a client bug, not a latency. */
export const maxLatencyMs = 3_600_000;

export interface FactContext {
  tenant: string;
  window: TimeWindow;
  routes: RouteBudget;
}

export type ItemResult<T> = { ok: true; value: T } | { ok: false; error: ItemError };

export function isItem(value: unknown): value is Item {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Runs a field-reading parser, turning the first FieldError into this item's ItemError. The parser is a
 * module-level function taking the batch's context, so no closure is allocated per item.
 */
export function parseItem<T, C>(
  value: unknown,
  index: number,
  ctx: C,
  parse: (item: Item, ctx: C) => T,
): ItemResult<T> {
  if (!isItem(value)) {
    return {
      ok: false,
      error: { index, code: 'NOT_AN_OBJECT', message: `item ${index} must be a JSON object` },
    };
  }
  try {
    return { ok: true, value: parse(value, ctx) };
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    return { ok: false, error: { index, code: error.code, field: error.field, message: error.message } };
  }
}

function readPath(item: Item): string {
  const path = readString(item, 'path', 2048);
  if (!path.startsWith('/')) {
    throw new FieldError(
      'INVALID_VALUE',
      'path',
      `path must start with '/', got ${JSON.stringify(path.slice(0, 40))}`,
    );
  }
  return normalisePath(path);
}

function readFact(item: Item, ctx: FactContext): RawFact {
  // Fields are read in the order clients see them documented, so the first problem reported is the first field.
  const fact: RawFact = {
    kind: 'fact',
    tenant: ctx.tenant,
    event_id: readString(item, 'event_id', 128),
    ts: readTimestamp(item, 'timestamp', ctx.window),
    service: readString(item, 'service', 128),
    method: readEnum(item, 'method', httpMethods),
    path: readPath(item),
    status_code: readInteger(item, 'status_code', 100, 599),
    latency_ms: readNumber(item, 'latency_ms', 0, maxLatencyMs),
  };
  const env = readOptionalString(item, 'env', 64);
  if (env !== undefined) fact.env = env;
  const version = readOptionalString(item, 'version', 128);
  if (version !== undefined) fact.version = version;
  const traceId = readOptionalString(item, 'trace_id', 128);
  if (traceId !== undefined) fact.trace_id = traceId;
  fact.service = ctx.routes.admitService(ctx.tenant, fact.service);
  fact.path = ctx.routes.admit(ctx.tenant, fact.service, fact.path);
  return fact;
}

/** Validates one RequestFact and turns it into the raw record the WAL stores. */
export function parseRequestFact(value: unknown, index: number, ctx: FactContext): ItemResult<RawFact> {
  return parseItem(value, index, ctx, readFact);
}

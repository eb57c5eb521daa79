import { httpMethods } from '../../domain/request-vocabulary.js';
import { parseRfc3339 } from '../../domain/rfc3339.js';
import { codePointLength } from '../../domain/text-rule.js';

export class QueryParamError extends Error {
  readonly code = 'INVALID_QUERY_PARAMETER';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

type Params = Record<string, unknown>;
const minute = 60_000;
const maxRangeMs = 90 * 86_400_000;
/** 9999-12-31T23:59:59.999Z: the last instant an RFC 3339 date can name (and far inside JavaScript's range). */
const maxTimeMs = 253_402_300_799_999;

function single(params: Params, field: string): string | undefined {
  const value = params[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new QueryParamError(field, `${field} must be given once`);
  return value;
}

/** ms since epoch (digits only) or an RFC 3339 date-time; not whatever else Date.parse takes (`-1`, `2024`). */
export function parseTime(params: Params, field: string): number | undefined {
  const raw = single(params, field);
  if (raw === undefined || raw === '') return undefined;
  const ms = /^\d+$/.test(raw) ? Number(raw) : parseRfc3339(raw);
  if (ms === undefined || !Number.isFinite(ms)) {
    throw new QueryParamError(
      field,
      `${field} must be ms since epoch or an RFC 3339 time, got '${raw.slice(0, 40)}'`,
    );
  }
  if (ms < 0 || ms > maxTimeMs) {
    throw new QueryParamError(
      field,
      `${field} must be a time from 1970-01-01 to 9999-12-31, got '${raw.slice(0, 40)}'`,
    );
  }
  return ms;
}

export interface TimeRange {
  from: number;
  to: number;
}

/**
 * from/to default to the last hour; from is floored and to ceiled to whole minutes, the unit metrics are stored in.
 * The order is judged on the times as given: rounded outwards, 12:00:40..12:00:20 would become 12:00..12:01 and a
 * reversed range would be answered as if it were a minute long.
 */
export function parseRange(params: Params, now: number, defaultSpanMs = 3_600_000): TimeRange {
  const askedTo = parseTime(params, 'to') ?? Math.ceil(now / minute) * minute;
  const to = Math.ceil(askedTo / minute) * minute;
  const askedFrom = parseTime(params, 'from') ?? to - defaultSpanMs;
  const from = Math.floor(askedFrom / minute) * minute;
  if (askedFrom >= askedTo)
    throw new QueryParamError('from', `from must be before to (from=${askedFrom}, to=${askedTo})`);
  if (to - from > maxRangeMs) {
    // In minutes, the unit the range was rounded to: a rounded day count said "at most 90 days, got 90 days"
    // for a range 1 ms (one rounded minute) too long.
    throw new QueryParamError(
      'from',
      `the range may span at most 90 days (${maxRangeMs / minute} minutes), got ${(to - from) / minute} minutes ` +
        `(from=${from}, to=${to} once rounded to whole minutes)`,
    );
  }
  return { from, to };
}

export function parseText(params: Params, field: string, maxLength = 2048): string | undefined {
  const raw = single(params, field);
  if (raw === undefined || raw === '') return undefined;
  // Characters are code points, as JSON Schema's maxLength in the OpenAPI document counts them.
  if (raw.length > maxLength && codePointLength(raw) > maxLength)
    throw new QueryParamError(field, `${field} must be at most ${maxLength} characters`);
  return raw;
}

/** parseText for a parameter the route cannot do without (a service-map edge's caller and callee). */
export function requireText(params: Params, field: string, maxLength = 2048): string {
  const value = parseText(params, field, maxLength);
  if (value === undefined) throw new QueryParamError(field, `${field} is required`);
  return value;
}

export function parseMethod(params: Params): string | undefined {
  const raw = parseText(params, 'method', 16);
  if (raw === undefined) return undefined;
  const method = raw.toUpperCase();
  if (!(httpMethods as readonly string[]).includes(method)) {
    throw new QueryParamError('method', `method must be one of ${httpMethods.join(', ')}, got '${raw}'`);
  }
  return method;
}

export function parseChoice<T extends string>(
  params: Params,
  field: string,
  allowed: readonly T[],
): T | undefined {
  const raw = parseText(params, field, 32);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new QueryParamError(field, `${field} must be one of ${allowed.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}

export function parseInteger(params: Params, field: string, min: number, max: number): number | undefined {
  const raw = parseText(params, field, 16);
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new QueryParamError(field, `${field} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

/** step as ms, or with a unit: 60000, 5m, 1h, 1d. Must be a whole number of minutes, at most the longest range. */
export function parseStep(params: Params): number | undefined {
  const raw = parseText(params, 'step', 16);
  if (raw === undefined) return undefined;
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(raw);
  const unit = { ms: 1, s: 1000, m: minute, h: 60 * minute, d: 1440 * minute }[match?.[2] ?? 'ms'];
  const ms = match ? Number(match[1]) * (unit ?? 1) : NaN;
  if (!Number.isFinite(ms) || ms < minute || ms > maxRangeMs || ms % minute !== 0) {
    throw new QueryParamError(
      'step',
      `step must be a whole number of minutes from 1m to 90d (e.g. 60000, 5m, 1h), got '${raw}'`,
    );
  }
  return ms;
}

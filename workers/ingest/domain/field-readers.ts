import { parseRfc3339 } from '../../domain/rfc3339.js';
import { checkText, codePointLength } from '../../domain/text-rule.js';
import { FieldError } from './item-error.js';

export type Item = Record<string, unknown>;

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

export function readString(item: Item, field: string, maxLength: number): string {
  const value = item[field];
  if (value === undefined || value === null)
    throw new FieldError('MISSING_FIELD', field, `${field} is required`);
  if (typeof value !== 'string') {
    throw new FieldError('INVALID_TYPE', field, `${field} must be a string, got ${show(value)}`);
  }
  // Characters are code points, as JSON Schema's maxLength in the OpenAPI document counts them.
  const length = value.length > maxLength ? codePointLength(value) : value.length;
  if (length === 0 || length > maxLength) {
    throw new FieldError(
      'OUT_OF_RANGE',
      field,
      `${field} must be 1 to ${maxLength} characters, got ${length}`,
    );
  }
  // The one text rule every edge applies (workers/domain/text-rule.ts): no control characters, valid Unicode.
  const violation = checkText(field, value, maxLength);
  if (violation) throw new FieldError('INVALID_VALUE', field, violation.message);
  return value;
}

export function readOptionalString(item: Item, field: string, maxLength: number): string | undefined {
  return item[field] === undefined || item[field] === null ? undefined : readString(item, field, maxLength);
}

export function readNumber(item: Item, field: string, min: number, max: number): number {
  const value = item[field];
  if (value === undefined || value === null)
    throw new FieldError('MISSING_FIELD', field, `${field} is required`);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new FieldError('INVALID_TYPE', field, `${field} must be a finite number, got ${show(value)}`);
  }
  if (value < min || value > max) {
    throw new FieldError('OUT_OF_RANGE', field, `${field} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

export function readInteger(item: Item, field: string, min: number, max: number): number {
  const value = readNumber(item, field, min, max);
  if (!Number.isInteger(value)) {
    throw new FieldError('INVALID_TYPE', field, `${field} must be an integer, got ${value}`);
  }
  return value;
}

export interface TimeWindow {
  now: number;
  maxPastMs: number;
  maxFutureMs: number;
}

/** RFC 3339 string or epoch milliseconds, inside [now - maxPast, now + maxFuture]. */
export function readTimestamp(item: Item, field: string, window: TimeWindow): number {
  const value = item[field];
  if (value === undefined || value === null)
    throw new FieldError('MISSING_FIELD', field, `${field} is required`);
  let ms: number | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) ms = value;
  else if (typeof value === 'string') ms = parseRfc3339(value);
  if (ms === undefined) {
    throw new FieldError(
      'INVALID_VALUE',
      field,
      `${field} must be an RFC 3339 string or integer epoch milliseconds, got ${show(value)}`,
    );
  }
  const [earliest, latest] = [window.now - window.maxPastMs, window.now + window.maxFutureMs];
  if (ms < earliest || ms > latest) {
    throw new FieldError(
      'OUT_OF_RANGE',
      field,
      `${field} must be between ${new Date(earliest).toISOString()} and ${new Date(latest).toISOString()}, got ${show(value)}`,
    );
  }
  return ms;
}

const canonicalByLowerCase = new WeakMap<readonly string[], Map<string, string>>();

/** Case-insensitive: the canonical spelling from `allowed` is returned. */
export function readEnum<T extends string>(item: Item, field: string, allowed: readonly T[]): T {
  const value = readString(item, field, 32);
  let canonical = canonicalByLowerCase.get(allowed);
  if (!canonical) {
    canonical = new Map(allowed.map((a) => [a.toLowerCase(), a]));
    canonicalByLowerCase.set(allowed, canonical);
  }
  // Clients almost always send the canonical spelling; only other spellings pay for lower-casing.
  const match = (allowed as readonly string[]).includes(value) ? value : canonical.get(value.toLowerCase());
  if (match === undefined)
    throw new FieldError(
      'INVALID_VALUE',
      field,
      `${field} must be one of ${allowed.join(', ')}, got ${show(value)}`,
    );
  return match as T;
}

const pow10 = Array.from({ length: 23 }, (_, i) => Math.pow(10, i));

/**
 * JSON number without exponent and with at most 15 significant digits, else NaN (caller falls back).
 * digits / 10^k with both exact (< 2^53, k <= 22) is the correctly rounded value, the same double JSON.parse
 * gives (Clinger's fast path).
 */
export function parseSimpleJsonNumber(buf: Uint8Array, start: number, end: number): number {
  const negative = buf[start] === 0x2d;
  const from = negative ? start + 1 : start;
  // JSON forbids leading zeros ("01"), which Number() would accept.
  if (from >= end || (buf[from] === 0x30 && from + 1 < end && buf[from + 1] !== 0x2e)) return NaN;
  const value = parseDigits(buf, from, end);
  return negative ? -value : value;
}

function parseDigits(buf: Uint8Array, from: number, end: number): number {
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (let i = from; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x2e && fraction < 0 && digits > 0) {
      fraction = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39) return NaN;
    mantissa = mantissa * 10 + (c - 0x30);
    digits++;
    if (fraction >= 0) fraction++;
  }
  if (digits === 0 || digits > 15 || fraction === 0) return NaN;
  return fraction > 0 ? mantissa / pow10[fraction]! : mantissa;
}

/** Longest number text parseJsonNumber reads itself; a longer one answers NaN (the caller's fallback decides). */
const maxNumberText = 64;

/**
 * Any JSON number (RFC 8259 grammar: exponents, more than 15 digits), the same double JSON.parse gives, else NaN.
 * Unrounded latencies (17 significant digits, ~2% of the bench's lines) used to fail the simple path, and with it
 * the whole line went to JSON.parse on the aggregating thread; Number() of a text that passed the JSON grammar
 * rounds exactly as JSON.parse does (both are V8's correctly rounded StringToDouble). Only the grammar check is
 * ours, because Number() also accepts what JSON does not ("0x1f", "01", ".5", "1.", "+1", "Infinity", spaces).
 */
export function parseJsonNumber(buf: Uint8Array, start: number, end: number): number {
  const simple = parseSimpleJsonNumber(buf, start, end);
  if (!Number.isNaN(simple) || end - start > maxNumberText || !isJsonNumber(buf, start, end)) return simple;
  return Number(String.fromCharCode(...buf.subarray(start, end)));
}

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

function digitsEnd(buf: Uint8Array, at: number, end: number): number {
  let i = at;
  while (i < end && isDigit(buf[i])) i++;
  return i;
}

/** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? over exactly [start, end). */
function isJsonNumber(buf: Uint8Array, start: number, end: number): boolean {
  const from = buf[start] === 0x2d ? start + 1 : start;
  if (from >= end || !isDigit(buf[from])) return false;
  let i = buf[from] === 0x30 ? from + 1 : digitsEnd(buf, from, end);
  if (i < end && buf[i] === 0x2e) i = nonEmptyDigitsEnd(buf, i + 1, end);
  return exponentEnd(buf, i, end) === end;
}

/** Past an exponent at `at` ([eE][+-]?[0-9]+), `at` itself when there is none, -1 for a broken one. */
function exponentEnd(buf: Uint8Array, at: number, end: number): number {
  if (at < 0 || at >= end || (buf[at] !== 0x65 && buf[at] !== 0x45)) return at;
  const sign = buf[at + 1] === 0x2b || buf[at + 1] === 0x2d;
  return nonEmptyDigitsEnd(buf, sign ? at + 2 : at + 1, end);
}

/** The end of one or more digits from `at`, or -1 when there is none. */
function nonEmptyDigitsEnd(buf: Uint8Array, at: number, end: number): number {
  const i = digitsEnd(buf, at, end);
  return i > at ? i : -1;
}

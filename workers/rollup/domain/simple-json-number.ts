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

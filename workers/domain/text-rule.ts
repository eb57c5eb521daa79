import { isUtf8 } from 'node:buffer';
import { findFormatCharacter } from './format-characters.js';

/**
 * The one rule for text a client sends (query parameters, and every text field of an ingested fact or event): well-formed Unicode
 * (so it encodes as valid UTF-8), no control characters (C0, DEL, C1) and no invisible format characters
 * (Unicode category Cf, format-characters.ts), which would let a tenant show one name while storing another
 * ("admin\u202Enimda" reads "adminadmin", "check\u200Bout" reads "checkout"). Pure, so every edge checks
 * text the same way; the caller reports the violation with its field. Decision: docs/adr/0090.
 */

export type TextViolation =
  | { rule: 'control'; message: string }
  | { rule: 'format'; message: string }
  | { rule: 'unicode'; message: string }
  | { rule: 'length'; message: string };

// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Length in Unicode code points: what JSON Schema's maxLength counts, so the OpenAPI document and the servers
 * agree (String.length counts UTF-16 units, two for every character beyond the BMP, such as an emoji).
 */
export function codePointLength(value: string): number {
  let surrogatePairs = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        surrogatePairs++;
        i++;
      }
    }
  }
  return value.length - surrogatePairs;
}

/** Why `value` breaks the text rule, with the field named, or undefined when it is fine. Lengths in code points. */
export function checkText(field: string, value: string, maxLength: number): TextViolation | undefined {
  // UTF-16 units are never fewer than code points: only a long string pays for the count.
  if (value.length > maxLength && codePointLength(value) > maxLength) {
    return { rule: 'length', message: `${field} must be at most ${maxLength} characters` };
  }
  const control = controlCharacter.exec(value);
  if (control) {
    return {
      rule: 'control',
      message: `${field} must not contain control characters (${codePoint(control[0])} at ${control.index})`,
    };
  }
  const format = findFormatCharacter(value);
  if (format) {
    return {
      rule: 'format',
      message: `${field} must not contain invisible format characters (${codePoint(format.char)} at ${format.index})`,
    };
  }
  if (loneSurrogate.test(value)) {
    return { rule: 'unicode', message: `${field} must be valid Unicode (it has a lone surrogate)` };
  }
  return undefined;
}

const leadLength = (c: number) =>
  c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;

/** The bytes a second byte may take after lead byte c: narrower after E0, ED, F0, F4 (no overlongs, surrogates). */
const narrowSecondByte = new Map<number, readonly [number, number]>([
  [0xe0, [0xa0, 0xbf]],
  [0xed, [0x80, 0x9f]],
  [0xf0, [0x90, 0xbf]],
  [0xf4, [0x80, 0x8f]],
]);
const secondByteRange = (c: number) => narrowSecondByte.get(c) ?? ([0x80, 0xbf] as const);

/** Length of the well-formed UTF-8 sequence starting at b[i] (Unicode table 3-7), or 0 if it is not one. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  const length = leadLength(c);
  if (length <= 1) return length;
  if (i + length > b.length) return 0;
  const [lo, hi] = secondByteRange(c);
  if (b[i + 1]! < lo || b[i + 1]! > hi) return 0;
  for (let k = 2; k < length; k++) if (b[i + k]! < 0x80 || b[i + k]! > 0xbf) return 0;
  return length;
}

/**
 * Decodes a body a client sent. Valid UTF-8 decodes as usual; each byte of an invalid sequence becomes a lone
 * surrogate (U+DC80-U+DCFF, Python's "surrogateescape") instead of U+FFFD, so invalid bytes inside a string
 * value break checkText for that field (the item is refused naming it, exactly like an escaped lone surrogate),
 * and anywhere else they make the JSON invalid. A lossy decode would have stored U+FFFD silently.
 */
export function decodeClientUtf8(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const parts: string[] = [];
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    if (runStart < i) parts.push(bytes.toString('utf8', runStart, i));
    parts.push(String.fromCharCode(0xdc00 + bytes[i]!));
    i += 1;
    runStart = i;
  }
  if (runStart < i) parts.push(bytes.toString('utf8', runStart, i));
  return parts.join('');
}

/** Strict UTF-8 decoding of bytes a client sent: undefined when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

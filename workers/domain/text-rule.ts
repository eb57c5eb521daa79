/**
 * The one rule for text a client sends (query parameters today, ingest body fields later): well-formed Unicode
 * (so it encodes as valid UTF-8) and no control characters (C0, DEL, C1). Pure, so every edge checks text the
 * same way; the caller reports the violation with its field.
 */

export type TextViolation =
  | { rule: 'control'; message: string }
  | { rule: 'unicode'; message: string }
  | { rule: 'length'; message: string };

// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `value` breaks the text rule, with the field named, or undefined when it is fine. */
export function checkText(field: string, value: string, maxLength: number): TextViolation | undefined {
  if (value.length > maxLength) {
    return { rule: 'length', message: `${field} must be at most ${maxLength} characters` };
  }
  const control = controlCharacter.exec(value);
  if (control) {
    return {
      rule: 'control',
      message: `${field} must not contain control characters (${codePoint(control[0])} at ${control.index})`,
    };
  }
  if (loneSurrogate.test(value)) {
    return { rule: 'unicode', message: `${field} must be valid Unicode (it has a lone surrogate)` };
  }
  return undefined;
}

/** Strict UTF-8 decoding of bytes a client sent: undefined when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

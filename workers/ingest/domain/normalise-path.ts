const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isHexLetter = (c: number) => (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isTokenPunctuation = (c: number) => c === 45 || c === 95; // '-' or '_'

/** Digit and letter counts of a segment, or undefined if it is empty or has a character outside [A-Za-z0-9_-]. */
function countTokenChars(text: string, start: number, end: number) {
  if (end <= start) return undefined;
  const counts = { digits: 0, hexLetters: 0, letters: 0 };
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) counts.digits++;
    else if (isLetter(c)) {
      counts.letters++;
      if (isHexLetter(c)) counts.hexLetters++;
    } else if (!isTokenPunctuation(c)) return undefined;
  }
  return counts;
}

/**
 * Whether a path segment is an id: a number, a UUID, a hex id (8+ hex characters with a digit, so words like
 * "cafe" or "deadbeef" stay), or an opaque token (20+ of [A-Za-z0-9_-] mixing letters and digits, e.g. base62
 * ids). One pass over the characters instead of four regular expressions: this runs for every ingested fact.
 */
export function isIdSegment(text: string, start = 0, end = text.length): boolean {
  const counts = countTokenChars(text, start, end);
  const length = end - start;
  if (!counts) return false;
  const { digits, hexLetters, letters } = counts;
  if (digits === length) return true;
  if (length === 36 && uuid.test(text.slice(start, end))) return true;
  if (length >= 8 && digits > 0 && digits + hexLetters === length) return true;
  return length >= 20 && digits > 0 && letters > 0;
}

/**
 * Turns a raw request path into a low-cardinality route template: drops the
 * query string and fragment, collapses repeated slashes and a trailing slash,
 * and replaces id-like segments (numbers, UUIDs, hex, opaque tokens) with ':id'.
 * Templates that already contain parameters (':id', '{id}') pass through.
 */
export function normalisePath(rawPath: string): string {
  let end = rawPath.length;
  for (let i = 0; i < end; i++) {
    const c = rawPath.charCodeAt(i);
    if (c === 63 || c === 35) end = i; // '?' or '#'
  }
  let template = '';
  let start = 0;
  while (start < end) {
    let slash = rawPath.indexOf('/', start);
    if (slash === -1 || slash > end) slash = end;
    if (slash > start)
      template += isIdSegment(rawPath, start, slash) ? '/:id' : `/${rawPath.slice(start, slash)}`;
    start = slash + 1;
  }
  return template === '' ? '/' : template;
}

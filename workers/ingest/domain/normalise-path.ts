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

function allDigits(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/**
 * From this length on a run of hex characters is an id even without a digit. Below it a digit is required, so words
 * spelled in a-f ("deadbeef", "defaced") stay; from 12 on no word is at stake, while a random 12-character hex id
 * (a Docker short id) has no digit once in ~130,000 and would otherwise become a route of its own.
 */
export const hexIdWithoutDigitLength = 12;

/**
 * Whether a path segment is an id (docs/ingest-limits.md, "Path templates"): a number, a UUID, a hex id (12+ hex
 * characters, or 8-11 with a digit), or an opaque token (20+ of [A-Za-z0-9_-] mixing letters and digits, e.g.
 * base62 ids). One pass over the characters instead of four regular expressions: this runs for every ingested fact.
 */
export function isIdSegment(text: string, start = 0, end = text.length): boolean {
  const length = end - start;
  // Under 8 characters only a number is an id: most words are settled by their first character.
  if (length < 8) return length > 0 && allDigits(text, start, end);
  const counts = countTokenChars(text, start, end);
  if (!counts) return false;
  const { digits, hexLetters, letters } = counts;
  if (digits === length || (length === 36 && uuid.test(text.slice(start, end)))) return true;
  if (digits + hexLetters === length) return isHexId(digits, length);
  // An opaque token needs a digit and a letter.
  return digits > 0 && length >= 20 && letters > 0;
}

/** Hex (8+ characters is given here): a digit is needed below hexIdWithoutDigitLength. */
const isHexId = (digits: number, length: number) => digits > 0 || length >= hexIdWithoutDigitLength;

/** Where the path part ends: at the first '?' or '#'. */
function pathEnd(rawPath: string): number {
  const query = rawPath.indexOf('?');
  const fragment = rawPath.indexOf('#');
  if (query === -1) return fragment === -1 ? rawPath.length : fragment;
  return fragment === -1 ? query : Math.min(query, fragment);
}

/**
 * Turns a raw request path into a low-cardinality route template: drops the
 * query string and fragment, collapses repeated slashes and a trailing slash,
 * and replaces id-like segments (numbers, UUIDs, hex, opaque tokens) with ':id'.
 * Templates that already contain parameters (':id', '{id}') pass through.
 * Runs of kept segments are copied with one slice each, and a path that is
 * already its own template comes back as the same string: this runs for every
 * ingested fact, and a slice plus a concatenation per segment cost more than
 * the rest of a fact's validation.
 */
export function normalisePath(rawPath: string): string {
  const end = pathEnd(rawPath);
  let template = rawPath.charCodeAt(0) === 47 ? '' : '/';
  // The pending verbatim run rawPath[runStart, runEnd): kept segments with their single separating slashes.
  let [runStart, runEnd] = [0, 0];
  let start = 0;
  while (start < end) {
    let slash = rawPath.indexOf('/', start);
    if (slash === -1 || slash > end) slash = end;
    if (slash > start && isIdSegment(rawPath, start, slash)) {
      template += `${rawPath.slice(runStart, runEnd)}/:id`;
      [runStart, runEnd] = [slash, slash];
    } else if (slash > start) {
      // Contiguous with the run (one '/' between): extend it; otherwise a slash was dropped, so start a new run.
      if (runEnd !== start - 1 && runEnd !== start) {
        template += rawPath.slice(runStart, runEnd);
        runStart = start - 1;
      }
      runEnd = slash;
    }
    start = slash + 1;
  }
  template += rawPath.slice(runStart, runEnd);
  return template === '' ? '/' : template;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const number = /^\d+$/;
// Hex ids: long enough not to swallow words like "cafe" or "add"; must contain a digit.
const hexId = /^(?=.*\d)[0-9a-f]{8,}$/i;
// Opaque tokens such as base62 ids (e.g. "aZ3kP9qLm2Xv"): long, mixed letters and digits, no separators.
const opaqueToken = /^(?=.*\d)(?=.*[a-zA-Z])[A-Za-z0-9_-]{20,}$/;

function isIdSegment(segment: string): boolean {
  return number.test(segment) || uuid.test(segment) || hexId.test(segment) || opaqueToken.test(segment);
}

/**
 * Turns a raw request path into a low-cardinality route template: drops the
 * query string and fragment, collapses repeated slashes and a trailing slash,
 * and replaces id-like segments (numbers, UUIDs, hex, opaque tokens) with ':id'.
 * Templates that already contain parameters (':id', '{id}') pass through.
 */
export function normalisePath(rawPath: string): string {
  const path = rawPath.split(/[?#]/, 1)[0] ?? '';
  const segments = path.split('/').filter((s) => s.length > 0);
  const templated = segments.map((s) => (isIdSegment(s) ? ':id' : s));
  return `/${templated.join('/')}`;
}

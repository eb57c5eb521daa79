import { checkText } from '../../domain/text-rule.js';
import { QueryParamError } from './query-params.js';

export type QueryParams = Record<string, string | string[]>;

/** Longest parameter value the API reads (a path template); anything longer is refused before it is parsed. */
const maxValueLength = 2048;

function decode(field: string, raw: string): string {
  // RFC 3986: a query is ASCII; anything else must come percent-encoded, as browsers and URLSearchParams send it.
  // (Raw bytes above 0x7f reach Node as latin-1 characters, which would pass for valid text here.)
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(raw)) throw new QueryParamError(field, `${field} must be percent-encoded UTF-8`);
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    throw new QueryParamError(field, `${field} must be percent-encoded UTF-8`);
  }
}

/**
 * The edge's only reading of a query string: strict percent-decoding to UTF-8, the shared text rule on every name
 * and value, and only the names the route takes (a misspelt or unsupported parameter is a 400 naming it, never
 * silently ignored). A repeated name becomes an array, which the single-value readers refuse.
 */
export function parseQueryString(rawQuery: string, route: string, allowed: readonly string[]): QueryParams {
  const params: QueryParams = {};
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const name = decode('parameter name', rawName);
    const nameProblem = checkText('parameter name', name, 64);
    if (nameProblem) throw new QueryParamError(rawName.slice(0, 64), nameProblem.message);
    if (!allowed.includes(name)) {
      throw new QueryParamError(
        name,
        `unknown query parameter '${name}'; ${route} takes ${allowed.length ? allowed.join(', ') : 'none'}`,
      );
    }
    const value = decode(name, eq === -1 ? '' : pair.slice(eq + 1));
    const problem = checkText(name, value, maxValueLength);
    if (problem) throw new QueryParamError(name, problem.message);
    const previous = params[name];
    params[name] = previous === undefined ? value : [...[previous].flat(), value];
  }
  return params;
}

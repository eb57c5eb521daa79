import { ApiUnreachableError, buildApiError } from './api-errors.js';

export interface ApiRequest {
  baseUrl: string;
  token: string | null;
  /** A signed-in person's CSRF token (from whoami), sent on every call that is not GET (docs/adr/0076). */
  csrf: string | null;
  method: string;
  /** The path under `/api/v1/`, query string included. */
  resource: string;
  body?: unknown;
}

/**
 * One JSON call of the page's identity and settings APIs: the token or the session's cookie, the CSRF token on
 * changes, the API's error body as a typed error (api-errors.ts), 204 as null.
 */
export async function sendApiRequest<T>(request: ApiRequest): Promise<T> {
  const { baseUrl, token, csrf, method, resource, body } = request;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers['Authorization'] = `Bearer ${token}`;
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/api/v1/${resource}`, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body !== undefined && { body: JSON.stringify(body) }),
      // Key changes are answered after they spread to every replica (~3 s, docs/adr/0069).
      signal: AbortSignal.timeout(30_000),
    });
  } catch (cause) {
    throw new ApiUnreachableError(`The query API at ${baseUrl} is unreachable`, { cause });
  }
  const parsed: unknown = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw buildApiError(response.status, parsed);
  return parsed as T;
}

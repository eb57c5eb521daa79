/** One error class per way a query API call fails; the app decides what the user sees from the class. */

/** 401: no token or a rejected one. The app shows the token login. */
export class ApiUnauthorizedError extends Error {
  readonly code = 'UNAUTHORIZED';
  constructor(
    message: string,
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

/** The API could not be reached at all (connection refused, timeout, proxy without upstream). */
export class ApiUnreachableError extends Error {
  readonly code = 'API_UNREACHABLE';
}

/** The API answered with an error body (4xx other than 401, or 5xx). */
export class ApiResponseError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly requestId: string | null,
    readonly field: string | null,
  ) {
    super(message);
  }
}

interface ErrorBody {
  code: string;
  message: string;
  field: string | null;
  requestId: string | null;
}

/**
 * Reads `{"error": {"code","message","field"?,"request_id"}}` from an untrusted body. A body that is not the
 * API's shape (e.g. an HTML page from a proxy) still yields a usable message naming the status.
 */
export function parseErrorBody(status: number, body: unknown): ErrorBody {
  const error = isRecord(body) && isRecord(body['error']) ? body['error'] : null;
  const text = (key: string) => (error && typeof error[key] === 'string' ? (error[key] as string) : null);
  return {
    code: text('code') ?? `HTTP_${status}`,
    message: text('message') ?? `The query API answered HTTP ${status}`,
    field: text('field'),
    requestId: text('request_id'),
  };
}

/** Maps a failed response to its error class. 502/503/504 mean a proxy or the server is not there. */
export function buildApiError(status: number, body: unknown): Error {
  const parsed = parseErrorBody(status, body);
  if (status === 401) return new ApiUnauthorizedError(parsed.message, parsed.requestId);
  if ((status === 502 || status === 504) && parsed.code === `HTTP_${status}`) {
    return new ApiUnreachableError(`The query API is unreachable (HTTP ${status} from a proxy)`);
  }
  return new ApiResponseError(parsed.message, status, parsed.code, parsed.requestId, parsed.field);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a failed call of the page's settings, identity and alert clients says: the API's message and code, 403 named. */
export function describeApiError(error: unknown): string {
  if (error instanceof ApiResponseError)
    return error.status === 403
      ? `Not allowed (403 ${error.code}): ${error.message}`
      : `${error.message} (${error.code})`;
  if (error instanceof ApiUnauthorizedError) return `Not signed in: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

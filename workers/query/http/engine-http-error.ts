import { EngineUnavailableError, QueryTimeoutError, TooManyQueriesError } from '../app/engine-guard.js';
import { QueryParamError } from '../domain/query-params.js';
import { HttpError } from '../../shared/http/http-error.js';

/**
 * The guard's refusals and engine failures as the API's errors: 429 `TOO_MANY_QUERIES` and 503 `QUERY_TIMEOUT` /
 * `ENGINE_UNAVAILABLE`, each with Retry-After (docs/openapi/gravix-api.yaml, TooManyQueries and QueryUnavailable).
 * Every route that reads through the engine answers through this, not only the data routes: probe 5 found
 * `GET /api/v1/tenant-usage` answering a timed-out statement with 500 INTERNAL.
 */
export function engineHttpError(error: unknown): unknown {
  if (error instanceof QueryParamError)
    return new HttpError(400, error.code, error.message, { field: error.field });
  if (error instanceof TooManyQueriesError)
    return new HttpError(429, error.code, error.message, { retryAfterSeconds: 1 });
  if (error instanceof QueryTimeoutError)
    return new HttpError(503, error.code, error.message, { retryAfterSeconds: 5 });
  if (error instanceof EngineUnavailableError)
    return new HttpError(503, error.code, error.message, { retryAfterSeconds: error.retryAfterSeconds });
  return error;
}

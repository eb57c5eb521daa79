import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { HttpError } from './http-error.js';

/** body-parser's failure types, mapped onto the API's error codes. */
const bodyParserErrors: Record<string, [number, string]> = {
  'entity.too.large': [413, 'BODY_TOO_LARGE'],
  'encoding.unsupported': [415, 'UNSUPPORTED_ENCODING'],
  'charset.unsupported': [415, 'UNSUPPORTED_ENCODING'],
  // express.json() on the admin routes: a body that is not JSON is the client's fault, not a 500.
  'entity.parse.failed': [400, 'MALFORMED_BODY'],
  'request.aborted': [400, 'REQUEST_ABORTED'],
  'entity.verify.failed': [400, 'MALFORMED_BODY'],
  'request.size.invalid': [400, 'MALFORMED_BODY'],
};

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const e = error as { type?: string; status?: number; message?: string; code?: string };
  const mapped = e.type ? bodyParserErrors[e.type] : undefined;
  if (mapped) return new HttpError(mapped[0], mapped[1], e.message ?? mapped[1]);
  // The router's decoding of a path parameter (`/api/v1/keys/%ED%A0%80`): the client's fault, as for a query
  // parameter (workers/query/domain/parse-query-string.ts).
  if (error instanceof URIError) {
    return new HttpError(400, 'INVALID_PATH_PARAMETER', 'a path parameter must be percent-encoded UTF-8');
  }
  // zlib failures while inflating a gzip body.
  if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR') {
    return new HttpError(400, 'MALFORMED_BODY', `body is not valid gzip: ${e.message}`);
  }
  return new HttpError(500, 'INTERNAL', 'internal error');
}

/**
 * The one place errors become responses: `{"error": {code, message, field?, request_id}, ...extra}`, with
 * Retry-After when the error carries one. Written with Node's own response API, so handlers that never enter
 * express (the ingest hot lane) answer byte for byte as the express error middleware does.
 */
export function writeErrorResponse(
  res: ServerResponse,
  error: unknown,
  requestId: string | undefined,
  log: Logger,
): void {
  const http = toHttpError(error);
  if (http.status >= 500) log.error({ err: error, requestId }, 'request failed');
  const body: Record<string, unknown> = { code: http.code, message: http.message, request_id: requestId };
  if (http.details.field) body['field'] = http.details.field;
  const json = JSON.stringify({ error: body, ...http.details.extra });
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  };
  if (http.details.retryAfterSeconds !== undefined)
    headers['Retry-After'] = String(http.details.retryAfterSeconds);
  if (http.details.allow) headers['Allow'] = http.details.allow.join(', ');
  res.writeHead(http.status, headers).end(json);
}

/** Express error middleware rendering every error through writeErrorResponse. */
export function buildErrorHandler(log: Logger) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    writeErrorResponse(res, error, res.locals['requestId'] as string | undefined, log);
  };
}

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new HttpError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`));
}

import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { writeErrorResponse } from '../../shared/http/error-handler.js';
import { HttpError } from '../../shared/http/http-error.js';
import type { ItemError } from '../domain/item-error.js';
import { protoSchemas } from './proto-schemas.js';

/** How an OTLP/HTTP request was encoded; its answer uses the same encoding. */
export type OtlpEncoding = 'protobuf' | 'json';

/** The encoding a Content-Type names (parameters and case ignored); undefined for any other type. */
export function otlpEncodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/** At most this many rejections are spelled out in partial_success.error_message; all go to the dead letters. */
const listedRejections = 5;

/** partial_success.error_message: how many spans were refused, and why for the first few. */
export function partialSuccessMessage(rejected: readonly ItemError[], spans: number): string {
  if (rejected.length === 0) return '';
  const shown = rejected
    .slice(0, listedRejections)
    .map((e) => `span ${e.index} (${e.code}${e.field ? ` ${e.field}` : ''}): ${e.message}`);
  const more = rejected.length > listedRejections ? `; and ${rejected.length - listedRejections} more` : '';
  return `${rejected.length} of ${spans} spans rejected: ${shown.join('; ')}${more}`;
}

/** ExportTraceServiceResponse, with partial_success only when a span was rejected (the spec's rule). */
export function writeTraceResponse(
  res: ServerResponse,
  encoding: OtlpEncoding,
  rejected: readonly ItemError[],
  spans: number,
): void {
  const partialSuccess =
    rejected.length === 0
      ? undefined
      : { rejectedSpans: rejected.length, errorMessage: partialSuccessMessage(rejected, spans) };
  let body: Buffer;
  if (encoding === 'protobuf') {
    const type = protoSchemas().exportTraceResponse;
    body = Buffer.from(type.encode(type.create(partialSuccess ? { partialSuccess } : {})).finish());
  } else body = Buffer.from(JSON.stringify(partialSuccess ? { partialSuccess } : {}));
  res
    .writeHead(200, {
      'Content-Type': encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json',
      'Content-Length': body.length,
    })
    .end(body);
}

/**
 * ExportMetricsServiceResponse: partial_success when a data point was rejected, and also (rejected 0, as the
 * specification allows for warnings) to state the accuracy of the bucket layouts the request used.
 */
export function writeMetricsResponse(
  res: ServerResponse,
  encoding: OtlpEncoding,
  rejected: readonly ItemError[],
  dataPoints: number,
  accuracy: string,
): void {
  const refused = partialSuccessMessage(rejected, dataPoints).replace(/\bspans?\b/g, 'data points');
  const errorMessage = [refused, accuracy].filter((m) => m !== '').join('; ');
  const partialSuccess =
    errorMessage === '' ? undefined : { rejectedDataPoints: rejected.length, errorMessage };
  let body: Buffer;
  if (encoding === 'protobuf') {
    const type = protoSchemas().exportMetricsResponse;
    body = Buffer.from(type.encode(type.create(partialSuccess ? { partialSuccess } : {})).finish());
  } else body = Buffer.from(JSON.stringify(partialSuccess ? { partialSuccess } : {}));
  res
    .writeHead(200, {
      'Content-Type': encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json',
      'Content-Length': body.length,
    })
    .end(body);
}

/** The gRPC status code OTLP/HTTP's google.rpc.Status carries for an HTTP status. */
function grpcCode(status: number): number {
  if (status === 400 || status === 413 || status === 415) return 3; // INVALID_ARGUMENT
  if (status === 401) return 16; // UNAUTHENTICATED
  if (status === 403) return 7; // PERMISSION_DENIED
  if (status === 429) return 8; // RESOURCE_EXHAUSTED
  if (status === 503) return 14; // UNAVAILABLE
  return 13; // INTERNAL
}

/**
 * An error answer. A JSON client gets the API's error body (it is also what OTLP/JSON clients log); a protobuf
 * client gets the google.rpc.Status OTLP/HTTP specifies, whose message carries the same code, text and request
 * id. Status and Retry-After are the same either way, which is what exporters act on.
 */
export function writeOtlpError(
  res: ServerResponse,
  encoding: OtlpEncoding,
  error: unknown,
  requestId: string,
  log: Logger,
): void {
  if (encoding === 'json' || !(error instanceof HttpError)) {
    writeErrorResponse(res, error, requestId, log);
    return;
  }
  const field = error.details.field ? ` (field ${error.details.field})` : '';
  const message = `${error.code}: ${error.message}${field} (request_id ${requestId})`;
  const type = protoSchemas().status;
  const body = Buffer.from(type.encode(type.create({ code: grpcCode(error.status), message })).finish());
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/x-protobuf',
    'Content-Length': body.length,
  };
  if (error.details.retryAfterSeconds !== undefined)
    headers['Retry-After'] = String(error.details.retryAfterSeconds);
  res.writeHead(error.status, headers).end(body);
}

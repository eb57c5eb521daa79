import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Credential } from '../../shared/http/authenticate.js';
import { HttpError } from '../../shared/http/http-error.js';
import type { FactContext } from '../domain/parse-request-fact.js';
import { decodeTraceRequest } from '../otlp/decode-trace-request.js';
import {
  countRecordSpans,
  MalformedTraceRequestError,
  mapSpanReadings,
  mapTraceRequest,
  type MappedTraceRequest,
} from '../otlp/map-trace-request.js';
import { scanTraceRequest } from '../otlp/scan-trace-request.js';
import { otlpEncodingOf, writeTraceResponse, type OtlpEncoding } from '../otlp/otlp-answers.js';
import { encodeWalFrame } from '../wal/write-ahead-log.js';
import type { IngestAppDeps } from './ingest-app.js';
import { readRequestBody } from './read-request-body.js';
import {
  admitBytes,
  admitBeforeRead,
  admitItems,
  admitTurn,
  onCpuTurn,
  recordAccepted,
} from './tenant-admission.js';

/** The request's OTLP encoding, or 415 naming the two the specification defines. */
export function requireOtlpEncoding(req: IncomingMessage): OtlpEncoding {
  const encoding = otlpEncodingOf(req.headers['content-type']);
  if (encoding) return encoding;
  req.resume();
  throw new HttpError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    `content-type '${req.headers['content-type'] ?? ''}' is not supported; use application/x-protobuf or application/json`,
  );
}

/**
 * The body, charged to the tenant's byte rate: the declared length before the turn is taken, a chunked body once
 * read.
 */
/** The export's body, charged to the byte rate once read when no size was declared (both OTLP routes). */
export async function readChargedBody(
  deps: IngestAppDeps,
  req: IncomingMessage,
  tenant: string,
  declared: number | undefined,
): Promise<Buffer> {
  const body = await readRequestBody(req, deps.limits.maxBodyBytes);
  if (declared === undefined) admitBytes(deps.rates, tenant, body?.length ?? 0);
  // An empty body is a valid protobuf message with no spans; OTLP/JSON needs at least `{}`.
  return body ?? Buffer.alloc(0);
}

function admitSpans(deps: IngestAppDeps, tenant: string, candidates: number): void {
  if (candidates > deps.limits.maxItemsPerBatch) {
    throw new HttpError(
      413,
      'BATCH_TOO_LARGE',
      `request holds ${candidates} server and client spans; the limit is ${deps.limits.maxItemsPerBatch}`,
    );
  }
  admitItems(deps.rates, tenant, candidates);
}

function mapOrRefuse(request: unknown, ctx: FactContext, now: number): MappedTraceRequest {
  try {
    return mapTraceRequest(request, ctx, now);
  } catch (error) {
    if (error instanceof MalformedTraceRequestError) throw new HttpError(400, error.code, error.message);
    throw error;
  }
}

/**
 * The body's records: protobuf read in one pass straight to the records (scan-trace-request.ts); OTLP/JSON, and
 * protobuf bytes the one pass leaves to it, through protobufjs's message and the same rules (docs/adr/0118). Both
 * charge the item rate with the record spans before any is mapped.
 */
function decodeAndMap(
  deps: IngestAppDeps,
  tenant: string,
  body: Buffer,
  encoding: OtlpEncoding,
  context: () => FactContext,
  now: number,
): MappedTraceRequest {
  const scanned = encoding === 'protobuf' ? scanTraceRequest(body, deps.limits.maxJsonDepth) : undefined;
  if (scanned) {
    admitSpans(deps, tenant, scanned.recordSpans.length);
    return mapSpanReadings(scanned.recordSpans, scanned.spans, context(), now);
  }
  const request = decodeTraceRequest(body, encoding, deps.limits.maxJsonDepth);
  admitSpans(deps, tenant, countRecordSpans(request));
  return mapOrRefuse(request, context(), now);
}

/**
 * Appends an OTLP export's records as one WAL frame (fsynced) before it is answered 200; `what` names the items in
 * the 503 (spans, data points). Shared by /v1/traces and /v1/metrics so both keep the one acknowledgement rule.
 */
export async function appendOtlpRecordsDurably(
  deps: IngestAppDeps,
  tenant: string,
  records: MappedTraceRequest['records'],
  what: string,
): Promise<void> {
  if (records.length === 0) return;
  try {
    await deps.wal.appendFrame(encodeWalFrame(records), tenant);
  } catch (error) {
    deps.log.error({ err: error }, 'write-ahead log append failed');
    throw new HttpError(503, 'WAL_UNAVAILABLE', `the ${what} could not be made durable; retry later`, {
      retryAfterSeconds: 1,
    });
  }
}

/**
 * POST /v1/traces after the API key: the same admission, durability and acknowledgement rule as a fact batch
 * (disk share and byte rate before the body is read, one of the tenant's turns while it is read and mapped, the
 * item rate before any span is mapped, 200 only once the frame is fsynced, after the turn is given back),
 * answered as OTLP/HTTP answers.
 */
export function buildOtlpTracesAcceptor(
  deps: IngestAppDeps,
  contextFor: (tenant: string, now: number) => FactContext,
) {
  return async (req: IncomingMessage, res: ServerResponse, key: Credential, encoding: OtlpEncoding) => {
    const { tenant } = key;
    const declared = admitBeforeRead(deps.wal, deps.limits, deps.rates, req, tenant);
    // Reading, decoding and mapping is the CPU work a tenant's turn covers, as for a fact batch (tenant-turns.ts).
    const release = await admitTurn(deps.turns, tenant);
    let mapped: MappedTraceRequest;
    let bytes = 0;
    try {
      const body = await readChargedBody(deps, req, tenant, declared);
      bytes = body.length;
      mapped = await onCpuTurn(deps.cpuTurns, tenant, bytes, () => {
        const now = deps.now?.() ?? Date.now();
        return decodeAndMap(deps, tenant, body, encoding, () => contextFor(tenant, now), now);
      });
    } finally {
      release();
    }
    await appendOtlpRecordsDurably(deps, tenant, mapped.records, 'spans');
    deps.metrics.factsAccepted.inc({ tenant }, mapped.accepted);
    if (mapped.edges > 0) deps.metrics.edgesAccepted.inc({ tenant }, mapped.edges);
    recordAccepted(deps.rates, tenant, mapped.accepted + mapped.edges, bytes);
    if (mapped.skipped > 0) deps.metrics.spansSkipped.inc({ tenant }, mapped.skipped);
    for (const e of mapped.rejected) deps.metrics.factsRejected.inc({ tenant, code: e.code });
    writeTraceResponse(res, encoding, mapped.rejected, mapped.spans);
  };
}

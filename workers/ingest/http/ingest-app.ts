import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express from 'express';
import type { Logger } from 'pino';
import type { KeyAccess } from '../../domain/key-ring.js';
import { parseRequestFact, type FactContext } from '../domain/parse-request-fact.js';
import { protoSchemas } from '../otlp/proto-schemas.js';
import { parseServiceEvent } from '../domain/parse-service-event.js';
import { otlpEncodingOf, writeOtlpError } from '../otlp/otlp-answers.js';
import { buildOtlpTracesAcceptor, requireOtlpEncoding } from './otlp-traces-acceptor.js';
import { buildOtlpMetricsAcceptor } from './otlp-metrics-acceptor.js';
import type { RouteBudget } from '../domain/route-budget.js';
import type { TenantTurns } from '../domain/tenant-turns.js';
import type { FairCpuTurns } from '../domain/fair-cpu-turns.js';
import type { IngestMetrics } from '../ingest-metrics.js';
import { RouteCache } from '../fast-facts/route-cache.js';
import { credentialOf, resolveCredential, type Credential } from '../../shared/http/authenticate.js';
import { mountRoutes } from '../../shared/http/mount-routes.js';
import { routeScope } from '../../shared/http/route-table.js';
import { buildErrorHandler, notFound, writeErrorResponse } from '../../shared/http/error-handler.js';
import { HttpError } from '../../shared/http/http-error.js';
import { allowedMethods, buildMethodNotAllowed } from '../../shared/http/method-not-allowed.js';
import { buildExactExpressApp } from '../../shared/http/exact-express-app.js';
import { buildMetricsApp } from '../../shared/http/metrics-app.js';
import { buildOpenApiHandler } from '../../shared/http/openapi-document.js';
import { requestId, requestIdFor } from '../../shared/http/request-id.js';
import {
  factBatchReader,
  parsedBatchReader,
  protobufBatchReader,
  type BatchReader,
} from './batch-readers.js';
import { closeIfBodyUnread, readRequestBody } from './read-request-body.js';
import { timedSteps, waitEnd, waitStart, type StageTimings } from './stage-timings.js';
import type { SlicedWork } from '../domain/fair-cpu-turns.js';
import type { ItemError } from '../domain/item-error.js';
import {
  admitBytes,
  admitBeforeRead,
  admitItems,
  admitItemsSoFar,
  admitBatchTurn,
  onCpuTurnSliced,
  recordAccepted,
  type DiskUsage,
  type TenantRates,
} from './tenant-admission.js';

export interface IngestLimits {
  maxBodyBytes: number;
  maxItemsPerBatch: number;
  /** Deepest nesting of arrays and objects a body may have (GRAVIX_MAX_JSON_DEPTH). */
  maxJsonDepth: number;
  diskBudgetBytes: number;
  /** One tenant's share of diskBudgetBytes. */
  tenantDiskBytes: number;
  maxPastMs: number;
  /**
   * A tenant's own bound on how old a fact may be, below maxPastMs: its raw retention (GravixTenant
   * `retention.rawDays`). The rollup retires a raw partition past raw retention, and a fact that lands after that
   * is kept but never counted (workers/rollup/README.md, retention), so it must be refused, not acknowledged.
   */
  maxPastMsOf?: (tenant: string) => number | undefined;
  maxFutureMs: number;
}

export interface IngestAppDeps {
  wal: DiskUsage & {
    appendFrame(frame: Buffer, owner: string): Promise<void>;
    isWritable(): Promise<boolean>;
  };
  keys: KeyAccess;
  rates: TenantRates;
  routes: RouteBudget;
  /** Per-tenant turns at reading and parsing batches (GRAVIX_TENANT_MAX_ACTIVE_BATCHES); none: no limit. */
  turns?: TenantTurns;
  /** Tenants' turns at the event loop's CPU for parsing read bodies (GRAVIX_TENANT_TURN_BYTES); none: at once. */
  cpuTurns?: FairCpuTurns;
  metrics: IngestMetrics;
  log: Logger;
  limits: IngestLimits;
  now?: () => number;
  /** Benches only: time per tenant and stage (stage-timings.ts); never set by the product. */
  stageTimings?: StageTimings;
}

/** OTLP/HTTP's default path for traces, which exporters append to OTEL_EXPORTER_OTLP_ENDPOINT. */
export const otlpTracesPath = '/v1/traces';
export const otlpMetricsPath = '/v1/metrics';

/** A batch endpoint's readers: JSON and NDJSON bodies, and gravix.v1 protobuf (`application/x-protobuf`). */
interface BatchReaders {
  json: BatchReader;
  protobuf: BatchReader;
}

type IngestEndpoint = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The body read, then parsed and validated into a WAL frame in the tenant's turn at the CPU (FairCpuTurns): the part
 * of a batch that is CPU on the event loop. The append is started in that turn (its fsync is shared with other
 * batches) and awaited by the caller once the tenant's turn (TenantTurns) is given back.
 */
async function readAndValidate(
  deps: IngestAppDeps,
  readers: BatchReaders,
  req: IncomingMessage,
  tenant: string,
  declared: number | undefined,
) {
  const timings = deps.stageTimings;
  const reading = waitStart(timings);
  const body = await readRequestBody(req, deps.limits.maxBodyBytes);
  waitEnd(timings, tenant, 'read', reading);
  if (!body) throw new HttpError(400, 'MALFORMED_BODY', 'request body is required');
  if (declared === undefined) admitBytes(deps.rates, tenant, body.length);
  const queued = waitStart(timings);
  const sliceBytes = deps.cpuTurns?.sliceBytes ?? Infinity;
  return onCpuTurnSliced(
    deps.cpuTurns,
    tenant,
    parseAndAppend(deps, readers, req, tenant, body, sliceBytes, () =>
      waitEnd(timings, tenant, 'cpuTurn', queued),
    ),
  );
}

/**
 * The synchronous part of a batch, run in its tenant's turns at the CPU, in slices of about `sliceBytes` of body
 * (docs/adr/0107): parse, item rate, validate, WAL append. `started` is called as its first slice starts (benches).
 */
function* parseAndAppend(
  deps: IngestAppDeps,
  readers: BatchReaders,
  req: IncomingMessage,
  tenant: string,
  body: Buffer,
  sliceBytes: number,
  started: () => void,
): SlicedWork<Validated> {
  const timings = deps.stageTimings;
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  const isNdjson = contentType.startsWith('application/x-ndjson');
  const readBatch = contentType.startsWith('application/x-protobuf') ? readers.protobuf : readers.json;
  const batch = yield* timedSteps(
    timings,
    tenant,
    'parse',
    // A batch whose items so far already pass what its tenant's bucket can pay is refused there, unscanned.
    readBatch(body, isNdjson, deps.limits.maxItemsPerBatch, sliceBytes, (n) =>
      admitItemsSoFar(deps.rates, tenant, n),
    ),
    started,
  );
  admitItems(deps.rates, tenant, batch.items);
  // Only counts and rejections outlive the append: the parsed batch can be collected while fsync runs.
  const { frame, accepted, rejected } = yield* timedSteps(
    timings,
    tenant,
    'validate',
    batch.validate(tenant, deps.now?.() ?? Date.now(), sliceBytes),
  );
  let appended: Promise<void>;
  try {
    appended = deps.wal.appendFrame(frame, tenant);
  } catch (error) {
    appended = Promise.reject(error as Error);
  }
  // Awaited by the caller right after the turn is given back; a failure is answered there (503).
  appended.catch(() => {});
  return { appended, accepted, rejected, bytes: body.length };
}

interface Validated {
  appended: Promise<void>;
  accepted: number;
  rejected: ItemError[];
  bytes: number;
}

/**
 * Validates, dead-letters and fsyncs one batch, then answers 200; throws HttpError for every refusal. The cheap
 * refusals come first: the disk share and a declared size over the byte rate before the body is read, the item
 * rate before any item is validated.
 */
function buildBatchAcceptor(
  deps: IngestAppDeps,
  readers: BatchReaders,
  onAccepted: (tenant: string, n: number) => void,
) {
  return async (req: IncomingMessage, res: ServerResponse, key: Credential, requestId: string) => {
    const { tenant } = key;
    const started = waitStart(deps.stageTimings);
    if (started !== undefined) res.once('finish', () => deps.stageTimings?.answered(tenant, started));
    const declared = admitBeforeRead(deps.wal, deps.limits, deps.rates, req, tenant);
    // The CPU work (read, parse, validate) takes one of the tenant's turns; the WAL append does not need one.
    const waiting = waitStart(deps.stageTimings);
    const release = await admitBatchTurn(deps.turns, deps.rates, tenant);
    waitEnd(deps.stageTimings, tenant, 'turn', waiting);
    let validated: Validated;
    try {
      validated = await readAndValidate(deps, readers, req, tenant, declared);
    } finally {
      release();
    }
    const { appended, accepted, rejected, bytes } = validated;
    const appending = waitStart(deps.stageTimings);
    try {
      await appended;
      waitEnd(deps.stageTimings, tenant, 'append', appending);
    } catch (error) {
      deps.log.error({ err: error }, 'write-ahead log append failed');
      throw new HttpError(503, 'WAL_UNAVAILABLE', 'the batch could not be made durable; retry later', {
        retryAfterSeconds: 1,
      });
    }
    onAccepted(tenant, accepted);
    recordAccepted(deps.rates, tenant, accepted, bytes);
    for (const e of rejected) deps.metrics.factsRejected.inc({ tenant, code: e.code });
    if (accepted === 0) {
      throw new HttpError(400, 'VALIDATION_FAILED', `all ${rejected.length} items were rejected`, {
        extra: { accepted: 0, rejected },
      });
    }
    const json = JSON.stringify({ accepted, rejected, request_id: requestId });
    res
      .writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(json),
      })
      .end(json);
  };
}

/**
 * One durable batch endpoint (facts or events) as a plain Node handler: request id, metrics, API key, the batch,
 * and every error rendered as the API's error body. It never rejects, so express and the hot lane can both call it.
 */
function buildIngestEndpoint(
  deps: IngestAppDeps,
  route: 'facts' | 'events',
  readers: BatchReaders,
  onAccepted: (tenant: string, n: number) => void,
): IngestEndpoint {
  const accept = buildBatchAcceptor(deps, readers, onAccepted);
  const scope = routeScope('ingest', `POST /api/v1/${route}`);
  if (scope === 'public')
    throw new Error(`POST /api/v1/${route} must not be public: it writes a tenant's data`);
  return async (req, res) => {
    const id = requestIdFor(req);
    res.setHeader('X-Request-Id', id);
    const stop = deps.metrics.requestDuration.startTimer({ route });
    res.on('finish', () => {
      stop();
      deps.metrics.httpRequests.inc({ route, status: String(res.statusCode) });
    });
    try {
      await accept(req, res, resolveCredential(req, deps.keys, scope), id);
    } catch (error) {
      // Nothing throws once the 200 is written, but if it ever did, the client must not see a half answer.
      if (res.headersSent) {
        deps.log.error({ err: error, requestId: id }, 'ingest request failed after answering');
        res.destroy();
      } else {
        closeIfBodyUnread(req, res);
        writeErrorResponse(res, error, id, deps.log);
      }
    }
  };
}

/**
 * POST /v1/traces and /v1/metrics (OTLP/HTTP) as plain Node handlers, like the batch endpoints; errors are
 * answered in the request's encoding (otlp/otlp-answers.ts).
 */
function buildOtlpEndpoint(
  deps: IngestAppDeps,
  path: typeof otlpTracesPath | typeof otlpMetricsPath,
  accept: ReturnType<typeof buildOtlpTracesAcceptor>,
): IngestEndpoint {
  const scope = routeScope('ingest', `POST ${path}`);
  if (scope === 'public') throw new Error(`POST ${path} must not be public: it writes a tenant's data`);
  const route = path === otlpTracesPath ? 'otlp-traces' : 'otlp-metrics';
  return async (req, res) => {
    const id = requestIdFor(req);
    res.setHeader('X-Request-Id', id);
    const stop = deps.metrics.requestDuration.startTimer({ route });
    res.on('finish', () => {
      stop();
      deps.metrics.httpRequests.inc({ route, status: String(res.statusCode) });
    });
    const encoding = otlpEncodingOf(req.headers['content-type']) ?? 'json';
    try {
      await accept(req, res, resolveCredential(req, deps.keys, scope), requireOtlpEncoding(req));
    } catch (error) {
      if (res.headersSent) {
        deps.log.error({ err: error, requestId: id }, 'ingest request failed after answering');
        res.destroy();
      } else {
        closeIfBodyUnread(req, res);
        writeOtlpError(res, encoding, error, id, deps.log);
      }
    }
  };
}

function buildIngestEndpoints(deps: IngestAppDeps) {
  const window = (tenant: string, now: number) => ({
    now,
    maxPastMs: Math.min(deps.limits.maxPastMs, deps.limits.maxPastMsOf?.(tenant) ?? Infinity),
    maxFutureMs: deps.limits.maxFutureMs,
  });
  const factContext = (tenant: string, now: number): FactContext => ({
    tenant,
    window: window(tenant, now),
    routes: deps.routes,
  });
  const facts = factBatchReader(factContext, new RouteCache(deps.routes), deps.limits.maxJsonDepth);
  const factParser = (tenant: string, now: number) => {
    const ctx = factContext(tenant, now);
    return (v: unknown, i: number) => parseRequestFact(v, i, ctx);
  };
  const eventParser = (tenant: string, now: number) => {
    const ctx = { tenant, window: window(tenant, now) };
    return (v: unknown, i: number) => parseServiceEvent(v, i, ctx);
  };
  const events = parsedBatchReader(eventParser, deps.limits.maxJsonDepth);
  const factReaders = {
    json: facts,
    protobuf: protobufBatchReader(() => protoSchemas().requestFactBatch, 'facts', factParser),
  };
  const eventReaders = {
    json: events,
    protobuf: protobufBatchReader(() => protoSchemas().serviceEventBatch, 'events', eventParser),
  };
  return {
    facts: buildIngestEndpoint(deps, 'facts', factReaders, (t, n) =>
      deps.metrics.factsAccepted.inc({ tenant: t }, n),
    ),
    events: buildIngestEndpoint(deps, 'events', eventReaders, (t, n) =>
      deps.metrics.eventsAccepted.inc({ tenant: t }, n),
    ),
    otlpTraces: buildOtlpEndpoint(deps, otlpTracesPath, buildOtlpTracesAcceptor(deps, factContext)),
    otlpMetrics: buildOtlpEndpoint(deps, otlpMetricsPath, buildOtlpMetricsAcceptor(deps, factContext)),
  };
}

/**
 * Whether the WAL can take a batch now: 'ready', 'disk-buffer-full' (the whole buffer, not one tenant's share,
 * is at its budget: uploads are behind) or 'wal-not-writable' (its directory refuses a new file).
 */
async function walReadiness(deps: IngestAppDeps): Promise<string> {
  if (!(await deps.wal.isWritable())) return 'wal-not-writable';
  if (deps.wal.diskBytes() >= deps.limits.diskBudgetBytes) return 'disk-buffer-full';
  return 'ready';
}

/** The metrics listener's app: /metrics only, served on GRAVIX_INGEST_METRICS_PORT, which no Ingress routes. */
export function buildIngestMetricsListener(metrics: IngestMetrics, log: Logger): RequestListener {
  return buildMetricsApp(metrics.registry, 'ingest-metrics', log);
}

/** The express app: every route, the ingest endpoints included (for any spelling of their URLs). */
function buildExpressApp(
  deps: IngestAppDeps,
  endpoints: Record<'facts' | 'events' | 'otlpTraces' | 'otlpMetrics', IngestEndpoint>,
) {
  const app = buildExactExpressApp();
  // Responses are per-request acknowledgements; an ETag (a hash of every body) buys nothing.
  app.set('etag', false);
  // The batch endpoints set their own request id; express reaches them only for other spellings of their URLs.
  app.use(requestId);
  mountRoutes(app, 'ingest', deps.keys, {
    'POST /api/v1/facts': { authenticatesItself: (req, res) => void endpoints.facts(req, res) },
    'POST /api/v1/events': { authenticatesItself: (req, res) => void endpoints.events(req, res) },
    'POST /v1/traces': { authenticatesItself: (req, res) => void endpoints.otlpTraces(req, res) },
    'POST /v1/metrics': { authenticatesItself: (req, res) => void endpoints.otlpMetrics(req, res) },
    'GET /api/v1/openapi.json': buildOpenApiHandler(),
    'GET /live': (_req, res) => void res.json({ status: 'ok' }),
    'GET /ready': async (_req, res) => {
      const readiness = await walReadiness(deps);
      res.status(readiness === 'ready' ? 200 : 503).json({ status: readiness });
    },
    // A tenant's view of its own budgets on this ingester (docs/ingest-limits.md); /metrics is on its own port.
    'GET /api/v1/cardinality': (_req, res) => void res.json(deps.routes.report(credentialOf(res).tenant)),
  });
  app.use(buildMethodNotAllowed(allowedMethods('ingest')));
  app.use(notFound);
  app.use(buildErrorHandler(deps.log));
  return app;
}

/** The express half alone: its routes are held to docs/openapi/gravix-api.yaml (openapi-routes.test.ts). */
export function buildIngestExpressApp(deps: IngestAppDeps): express.Express {
  return buildExpressApp(deps, buildIngestEndpoints(deps));
}

/**
 * The ingest server's request listener. The two batch endpoints, at their canonical URLs, are called directly
 * (the hot lane); every other request, including other spellings of those URLs, goes to the express app, which
 * serves them with the same endpoint functions. Express sets its own prototypes on every request and response
 * and walks its router: on the development machine that alone caps a trivial handler at ~16k req/s against
 * ~66k for plain Node (npm run bench:http-ceiling), most of the single-event budget (docs/adr/0010).
 */
export function buildIngestListener(deps: IngestAppDeps): RequestListener {
  const endpoints = buildIngestEndpoints(deps);
  const app = buildExpressApp(deps, endpoints);
  const hotLane = new Map<string, IngestEndpoint>([
    ['/api/v1/facts', endpoints.facts],
    ['/api/v1/events', endpoints.events],
    [otlpTracesPath, endpoints.otlpTraces],
    [otlpMetricsPath, endpoints.otlpMetrics],
  ]);
  return (req, res) => {
    const endpoint = req.method === 'POST' ? hotLane.get(req.url ?? '') : undefined;
    if (endpoint) void endpoint(req, res);
    else app(req, res);
  };
}

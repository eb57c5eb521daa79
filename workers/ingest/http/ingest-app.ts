import express, { type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { RawRecord } from '../../domain/raw-record.js';
import type { ApiKeyEntry } from '../../domain/api-keys.js';
import {
  BatchTooLargeError,
  MalformedBodyError,
  parseBatchBody,
  type ParsedBatch,
} from '../domain/parse-batch-body.js';
import { parseRequestFact, type ItemResult } from '../domain/parse-request-fact.js';
import { parseServiceEvent } from '../domain/parse-service-event.js';
import type { RateLimiter } from '../domain/rate-limiter.js';
import type { RouteBudget } from '../domain/route-budget.js';
import { validateBatch } from '../domain/validate-batch.js';
import type { IngestMetrics } from '../ingest-metrics.js';
import type { WalRecord } from '../wal/wal-record.js';
import { buildAuthenticate } from '../../shared/http/authenticate.js';
import { buildErrorHandler, notFound } from '../../shared/http/error-handler.js';
import { HttpError } from '../../shared/http/http-error.js';
import { requestId } from '../../shared/http/request-id.js';
import { readRequestBody } from './read-request-body.js';

export interface IngestLimits {
  maxBodyBytes: number;
  maxItemsPerBatch: number;
  diskBudgetBytes: number;
  maxPastMs: number;
  maxFutureMs: number;
}

export interface IngestAppDeps {
  wal: { append(records: WalRecord[]): Promise<void>; diskBytes(): number; isWritable(): Promise<boolean> };
  apiKeys: () => readonly ApiKeyEntry[];
  limiter: RateLimiter;
  routes: RouteBudget;
  metrics: IngestMetrics;
  log: Logger;
  limits: IngestLimits;
  now?: () => number;
}

/** Made once per batch (tenant and clock fixed), then called for each item. */
type ItemParserFor = (
  tenant: string,
  now: number,
) => (value: unknown, index: number) => ItemResult<RawRecord>;

function readBatch(req: Request, body: Buffer | undefined, maxItems: number): ParsedBatch {
  if (!body) throw new HttpError(400, 'MALFORMED_BODY', 'request body is required');
  const isNdjson = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-ndjson');
  try {
    return parseBatchBody(body.toString('utf8'), isNdjson, maxItems);
  } catch (error) {
    if (error instanceof MalformedBodyError) throw new HttpError(400, error.code, error.message);
    if (error instanceof BatchTooLargeError) throw new HttpError(413, error.code, error.message);
    throw error;
  }
}

/** The durable batch endpoint shared by facts and events: validate, dead-letter, fsync, then answer. */
function buildBatchHandler(
  deps: IngestAppDeps,
  parserFor: ItemParserFor,
  onAccepted: (tenant: string, n: number) => void,
) {
  return async (req: Request, res: Response): Promise<void> => {
    const { tenant, name } = res.locals['apiKey'] as ApiKeyEntry;
    const body = await readRequestBody(req, deps.limits.maxBodyBytes);
    if (deps.wal.diskBytes() >= deps.limits.diskBudgetBytes) {
      throw new HttpError(
        503,
        'DISK_BUFFER_FULL',
        'the local buffer is full while uploads catch up; retry later',
        {
          retryAfterSeconds: 5,
        },
      );
    }
    const batch = readBatch(req, body, deps.limits.maxItemsPerBatch);
    const decision = deps.limiter.take(name, batch.items.length + batch.lineErrors.length);
    if (!decision.allowed) {
      throw new HttpError(429, 'RATE_LIMITED', `API key '${name}' is over its rate limit`, {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
    }
    const now = deps.now?.() ?? Date.now();
    // Only counts and rejections outlive the append: the parsed items and records can be collected while fsync runs.
    const { records, accepted, rejected } = validateBatch(batch, tenant, now, parserFor(tenant, now));
    try {
      await deps.wal.append(records);
    } catch (error) {
      deps.log.error({ err: error }, 'write-ahead log append failed');
      throw new HttpError(503, 'WAL_UNAVAILABLE', 'the batch could not be made durable; retry later', {
        retryAfterSeconds: 1,
      });
    }
    onAccepted(tenant, accepted);
    for (const e of rejected) deps.metrics.factsRejected.inc({ tenant, code: e.code });
    if (accepted === 0) {
      throw new HttpError(400, 'VALIDATION_FAILED', `all ${rejected.length} items were rejected`, {
        extra: { accepted: 0, rejected },
      });
    }
    // Written directly: express's res.json would also hash the body for an ETag no client uses.
    const json = JSON.stringify({ accepted, rejected, request_id: res.locals['requestId'] });
    res
      .writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(json),
      })
      .end(json);
  };
}

function timed(deps: IngestAppDeps, route: string) {
  return (_req: Request, res: Response, next: () => void) => {
    const stop = deps.metrics.requestDuration.startTimer({ route });
    res.on('finish', () => {
      stop();
      deps.metrics.httpRequests.inc({ route, status: String(res.statusCode) });
    });
    next();
  };
}

export function buildIngestApp(deps: IngestAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Responses are per-request acknowledgements; an ETag (a hash of every body) buys nothing.
  app.set('etag', false);
  app.use(requestId);
  const window = (now: number) => ({
    now,
    maxPastMs: deps.limits.maxPastMs,
    maxFutureMs: deps.limits.maxFutureMs,
  });
  const auth = buildAuthenticate(deps.apiKeys, 'ingest');
  const facts: ItemParserFor = (tenant, now) => {
    const ctx = { tenant, window: window(now), routes: deps.routes };
    return (v, i) => parseRequestFact(v, i, ctx);
  };
  const events: ItemParserFor = (tenant, now) => {
    const ctx = { tenant, window: window(now) };
    return (v, i) => parseServiceEvent(v, i, ctx);
  };
  app.post(
    '/api/v1/facts',
    timed(deps, 'facts'),
    auth,
    buildBatchHandler(deps, facts, (t, n) => deps.metrics.factsAccepted.inc({ tenant: t }, n)),
  );
  app.post(
    '/api/v1/events',
    timed(deps, 'events'),
    auth,
    buildBatchHandler(deps, events, (t, n) => deps.metrics.eventsAccepted.inc({ tenant: t }, n)),
  );
  app.get('/live', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/ready', async (_req, res) => {
    const writable = await deps.wal.isWritable();
    res.status(writable ? 200 : 503).json({ status: writable ? 'ready' : 'wal-not-writable' });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  app.use(notFound);
  app.use(buildErrorHandler(deps.log));
  return app;
}

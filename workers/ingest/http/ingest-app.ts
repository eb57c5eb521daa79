import express, { type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { ApiKeyEntry } from '../../domain/api-keys.js';
import { parseServiceEvent } from '../domain/parse-service-event.js';
import type { RateLimiter } from '../domain/rate-limiter.js';
import type { RouteBudget } from '../domain/route-budget.js';
import type { IngestMetrics } from '../ingest-metrics.js';
import { RouteCache } from '../fast-facts/route-cache.js';
import { buildAuthenticate } from '../../shared/http/authenticate.js';
import { buildErrorHandler, notFound } from '../../shared/http/error-handler.js';
import { HttpError } from '../../shared/http/http-error.js';
import { requestId } from '../../shared/http/request-id.js';
import { factBatchReader, parsedBatchReader, type BatchReader } from './batch-readers.js';
import { readRequestBody } from './read-request-body.js';

export interface IngestLimits {
  maxBodyBytes: number;
  maxItemsPerBatch: number;
  diskBudgetBytes: number;
  maxPastMs: number;
  maxFutureMs: number;
}

export interface IngestAppDeps {
  wal: { appendFrame(frame: Buffer): Promise<void>; diskBytes(): number; isWritable(): Promise<boolean> };
  apiKeys: () => readonly ApiKeyEntry[];
  limiter: RateLimiter;
  routes: RouteBudget;
  metrics: IngestMetrics;
  log: Logger;
  limits: IngestLimits;
  now?: () => number;
}

/** The durable batch endpoint shared by facts and events: validate, dead-letter, fsync, then answer. */
function buildBatchHandler(
  deps: IngestAppDeps,
  readBatch: BatchReader,
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
    if (!body) throw new HttpError(400, 'MALFORMED_BODY', 'request body is required');
    const isNdjson = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-ndjson');
    const batch = readBatch(body, isNdjson, deps.limits.maxItemsPerBatch);
    const decision = deps.limiter.take(name, batch.items);
    if (!decision.allowed) {
      throw new HttpError(429, 'RATE_LIMITED', `API key '${name}' is over its rate limit`, {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
    }
    // Only counts and rejections outlive the append: the parsed batch can be collected while fsync runs.
    const { frame, accepted, rejected } = batch.validate(tenant, deps.now?.() ?? Date.now());
    try {
      await deps.wal.appendFrame(frame);
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
  const facts = factBatchReader(
    (tenant, now) => ({ tenant, window: window(now), routes: deps.routes }),
    new RouteCache(deps.routes),
  );
  const events = parsedBatchReader((tenant, now) => {
    const ctx = { tenant, window: window(now) };
    return (v, i) => parseServiceEvent(v, i, ctx);
  });
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

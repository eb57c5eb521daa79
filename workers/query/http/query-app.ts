import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ApiKeyEntry } from '../../domain/api-keys.js';
import { buildAuthenticate } from '../../shared/http/authenticate.js';
import { buildErrorHandler, notFound } from '../../shared/http/error-handler.js';
import { HttpError } from '../../shared/http/http-error.js';
import { requestId } from '../../shared/http/request-id.js';
import { chooseStep } from '../domain/choose-step.js';
import {
  QueryParamError,
  parseChoice,
  parseInteger,
  parseMethod,
  parseRange,
  parseStep,
  parseText,
} from '../domain/query-params.js';
import type { QueryService } from '../query-service.js';

export interface QueryAppDeps {
  service: QueryService;
  apiKeys: () => readonly ApiKeyEntry[];
  log: Logger;
  registry: Registry;
  /** Built dashboard assets to serve at '/', when present. */
  dashboardDir?: string;
  now?: () => number;
}

type Handler = (req: Request, res: Response) => Promise<unknown>;

/** Runs a route, turning parameter errors into 400s that name the field. */
function route(handler: Handler) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.json(await handler(req, res));
    } catch (error) {
      if (error instanceof QueryParamError)
        next(new HttpError(400, error.code, error.message, { field: error.field }));
      else next(error);
    }
  };
}

const tenantOf = (res: Response) => (res.locals['apiKey'] as ApiKeyEntry).tenant;

function mountApi(app: express.Express, deps: QueryAppDeps): void {
  const now = () => deps.now?.() ?? Date.now();
  const api = express.Router();
  api.use(buildAuthenticate(deps.apiKeys, 'query'));
  api.get(
    '/services',
    route(async (req, res) => {
      const { from, to } = parseRange(req.query, now());
      return deps.service.services(tenantOf(res), from, to);
    }),
  );
  api.get(
    '/timeseries',
    route(async (req, res) => {
      const { from, to } = parseRange(req.query, now());
      return deps.service.timeseries({
        tenant: tenantOf(res),
        from,
        to,
        stepMs: chooseStep(from, to, parseStep(req.query)),
        service: parseText(req.query, 'service', 128),
        method: parseMethod(req.query),
        path: parseText(req.query, 'path'),
        compare: parseChoice(req.query, 'compare', ['1d', '7d'] as const),
      });
    }),
  );
  api.get(
    '/endpoints',
    route(async (req, res) => {
      const { from, to } = parseRange(req.query, now());
      const sort =
        parseChoice(req.query, 'sort', ['errors', 'error_rate', 'p95', 'requests'] as const) ?? 'errors';
      const limit = parseInteger(req.query, 'limit', 1, 1000) ?? 20;
      return deps.service.endpoints(
        tenantOf(res),
        from,
        to,
        sort,
        limit,
        parseText(req.query, 'service', 128),
      );
    }),
  );
  // /service-events is the dashboard's: on a pipeline's Ingress, /api/v1/events (every method) belongs to
  // ingestion, which takes POSTed deploy events there (cdk8s/ingress.ts). /events stays for same-origin servers.
  api.get(
    ['/service-events', '/events'],
    route(async (req, res) => {
      const { from, to } = parseRange(req.query, now());
      return deps.service.events(tenantOf(res), from, to, parseText(req.query, 'service', 128));
    }),
  );
  api.get(
    '/freshness',
    route(async (_req, res) => deps.service.freshness(tenantOf(res), now())),
  );
  app.use('/api/v1', api);
}

function mountDashboard(app: express.Express, dir: string | undefined): void {
  if (!dir || !existsSync(join(dir, 'index.html'))) return;
  // Hashed assets may be cached for long; the app shell must be revalidated so an upgrade shows at once.
  const shell = (_req: Request, res: Response) =>
    res.setHeader('Cache-Control', 'no-cache').sendFile(join(dir, 'index.html'));
  app.get('/', shell);
  app.use(express.static(dir, { index: false, maxAge: '365d', immutable: true }));
  // Client-side routes: any other GET that is not an API call gets the app shell.
  app.get(/^\/(?!api\/|metrics|live|ready).*/, shell);
}

export function buildQueryApp(deps: QueryAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestId);
  app.get('/live', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/ready', (_req, res) => void res.json({ status: 'ready' }));
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.registry.contentType);
    res.send(await deps.registry.metrics());
  });
  mountApi(app, deps);
  mountDashboard(app, deps.dashboardDir);
  app.use(notFound);
  app.use(buildErrorHandler(deps.log));
  return app;
}

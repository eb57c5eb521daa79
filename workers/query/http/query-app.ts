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
import { parseQueryString, type QueryParams } from '../domain/parse-query-string.js';
import {
  defaultEndpointsLimit,
  defaultServicesLimit,
  maxEndpointsLimit,
  maxServicesLimit,
  type QueryService,
} from '../query-service.js';

export interface QueryAppDeps {
  service: QueryService;
  apiKeys: () => readonly ApiKeyEntry[];
  log: Logger;
  registry: Registry;
  /** Built dashboard assets to serve at '/', when present. */
  dashboardDir?: string;
  now?: () => number;
}

type Handler = (params: QueryParams, res: Response) => Promise<unknown>;

/**
 * Runs a route over its query parameters, read once at the edge (parseQueryString: strict UTF-8, the text rule,
 * only the names in `allowed`), turning parameter errors into 400s that name the field.
 */
function route(path: string, allowed: readonly string[], handler: Handler) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const at = req.originalUrl.indexOf('?');
      const params = parseQueryString(
        at === -1 ? '' : req.originalUrl.slice(at + 1),
        `/api/v1${path}`,
        allowed,
      );
      res.json(await handler(params, res));
    } catch (error) {
      if (error instanceof QueryParamError)
        next(new HttpError(400, error.code, error.message, { field: error.field }));
      else next(error);
    }
  };
}

const tenantOf = (res: Response) => (res.locals['apiKey'] as ApiKeyEntry).tenant;

/** The parameters each route takes; any other name is a 400 (docs/query-api.md lists them with defaults). */
const routeParams = {
  '/services': ['from', 'to', 'limit'],
  '/timeseries': ['service', 'method', 'path', 'from', 'to', 'step', 'compare'],
  '/endpoints': ['service', 'from', 'to', 'sort', 'limit'],
  '/events': ['service', 'from', 'to'],
  '/service-events': ['service', 'from', 'to'],
  '/freshness': [],
} as const;

function mountApi(app: express.Express, deps: QueryAppDeps): void {
  const now = () => deps.now?.() ?? Date.now();
  const api = express.Router();
  const get = (path: keyof typeof routeParams, handler: Handler) =>
    api.get(path, route(path, routeParams[path], handler));
  api.use(buildAuthenticate(deps.apiKeys, 'query'));
  get('/services', async (q, res) => {
    const { from, to } = parseRange(q, now());
    const limit = parseInteger(q, 'limit', 1, maxServicesLimit) ?? defaultServicesLimit;
    return deps.service.services(tenantOf(res), from, to, limit);
  });
  get('/timeseries', async (q, res) => {
    const { from, to } = parseRange(q, now());
    return deps.service.timeseries({
      tenant: tenantOf(res),
      from,
      to,
      stepMs: chooseStep(from, to, parseStep(q)),
      service: parseText(q, 'service', 128),
      method: parseMethod(q),
      path: parseText(q, 'path'),
      compare: parseChoice(q, 'compare', ['1d', '7d'] as const),
    });
  });
  get('/endpoints', async (q, res) => {
    const { from, to } = parseRange(q, now());
    const sort = parseChoice(q, 'sort', ['errors', 'error_rate', 'p95', 'requests'] as const) ?? 'errors';
    const limit = parseInteger(q, 'limit', 1, maxEndpointsLimit) ?? defaultEndpointsLimit;
    return deps.service.endpoints(tenantOf(res), from, to, sort, limit, parseText(q, 'service', 128));
  });
  // /service-events is the dashboard's: on a pipeline's Ingress, /api/v1/events (every method) belongs to
  // ingestion, which takes POSTed deploy events there (cdk8s/ingress.ts). /events stays for same-origin servers.
  for (const path of ['/service-events', '/events'] as const) {
    get(path, async (q, res) => {
      const { from, to } = parseRange(q, now());
      return deps.service.events(tenantOf(res), from, to, parseText(q, 'service', 128));
    });
  }
  get('/freshness', async (_q, res) => deps.service.freshness(tenantOf(res), now()));
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

import { buildTenantUsageHandlers, type TenantUsageDeps } from './tenant-usage-routes.js';
import { engineHttpError } from './engine-http-error.js';
import { defaultQuotaStaleMs } from '../../domain/quota-replicas.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExactExpressApp } from '../../shared/http/exact-express-app.js';
import { buildMetricsApp } from '../../shared/http/metrics-app.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { KeyAccess } from '../../domain/key-ring.js';
import { credentialOf } from '../../shared/http/authenticate.js';
import { mountRoutes } from '../../shared/http/mount-routes.js';
import { buildErrorHandler, notFound } from '../../shared/http/error-handler.js';
import { allowedMethods, buildMethodNotAllowed } from '../../shared/http/method-not-allowed.js';
import { buildOpenApiHandler } from '../../shared/http/openapi-document.js';
import { requestId } from '../../shared/http/request-id.js';
import { setSecurityHeaders } from '../../shared/http/security-headers.js';
import { buildIdentityHandlers, type IdentityDeps } from './identity-routes.js';
import { buildSessionAccess, buildSignInHandlers, type SignInDeps } from './sign-in-routes.js';
import type { AlertStore } from '../../alert/adapters/alert-store.js';
import { buildAlertHandlers } from '../../alert/http/alert-routes.js';
import type { SavedViewStore } from '../adapters/saved-view-store.js';
import { buildViewHandlers } from './view-routes.js';
import { listedParameters, withQueryParameterChecks } from './query-parameters.js';
import type { RouteKey } from '../../shared/http/route-table.js';
import type { EngineReadiness } from '../app/engine-guard.js';
import { chooseStep } from '../domain/choose-step.js';
import {
  parseChoice,
  parseInteger,
  parseMethod,
  parseRange,
  parseStep,
  parseText,
  requireText,
} from '../domain/query-params.js';
import { defaultServiceMapLimit, maxServiceMapLimit } from '../app/service-map.js';
import { parseQueryString, type QueryParams } from '../domain/parse-query-string.js';
import {
  defaultEndpointsLimit,
  defaultServicesLimit,
  maxEndpointsLimit,
  maxEndpointsOffset,
  maxServicesLimit,
  type QueryService,
} from '../app/query-service.js';
import { defaultExemplarsLimit, maxExemplarsLimit } from '../app/list-exemplars.js';

export interface QueryAppDeps {
  service: QueryService;
  /** Alert rules, silences and alert state (docs/alerts.md); absent: those routes answer 503. */
  alerts?: AlertStore;
  /** Saved dashboard views (docs/dashboard.md); absent: those routes answer 503. */
  views?: SavedViewStore;
  keys: KeyAccess;
  /** Key lifecycle and the audit log (admin routes). */
  identity: IdentityDeps;
  /** Sign-in for people through an OpenID provider (docs/adr/0076); absent, only keys authenticate. */
  signIn?: SignInDeps;
  log: Logger;
  /** Whether the engine answers (a short, cached probe): /ready's answer. */
  readiness: () => Promise<EngineReadiness>;
  /** The tenants' settings and the ingest replicas' beats for GET /api/v1/tenant-usage; absent: no quotas, no beats. */
  tenantUsage?: Pick<TenantUsageDeps, 'settingsOf' | 'loadBeats' | 'staleMs'>;
  /** Built dashboard assets to serve at '/', when present. */
  dashboardDir?: string;
  /** Ingest port written into the app shell for the first-event curl (`gravix dev`); unset: same origin. */
  dashboardIngestPort?: number;
  now?: () => number;
}

type Handler = (params: QueryParams, res: Response, signal: AbortSignal) => Promise<unknown>;

/**
 * Runs a route over its query parameters, read once at the edge (parseQueryString: strict UTF-8, the text rule,
 * only the names in `allowed`), turning parameter errors into 400s that name the field.
 */
function route(path: string, allowed: readonly string[], handler: Handler) {
  return async (req: Request, res: Response, next: NextFunction) => {
    // A client that goes away cancels its statements in the engine.
    const gone = new AbortController();
    res.once('close', () => gone.abort(new Error('the client closed the connection')));
    try {
      const at = req.originalUrl.indexOf('?');
      const query = at === -1 ? '' : req.originalUrl.slice(at + 1);
      const params = parseQueryString(query, `/api/v1${path}`, allowed);
      res.json(await handler(params, res, gone.signal));
    } catch (error) {
      if (!gone.signal.aborted) next(engineHttpError(error));
    }
  };
}

const tenantOf = (res: Response) => credentialOf(res).tenant;

/** A data route's path under /api/v1 (its parameters: queryParameters in query-parameters.ts). */
type DataPath = RouteKey<'query'> extends infer K ? (K extends `GET /api/v1${infer P}` ? P : never) : never;

type RouteGetter = (path: DataPath, handler: Handler) => ReturnType<typeof route>;

/** The service map's routes (docs/adr/0085): the map of a range, and one edge's series. */
function serviceMapHandlers(deps: QueryAppDeps, get: RouteGetter, now: () => number) {
  return {
    'GET /api/v1/service-map': get('/service-map', async (q, res, signal) => {
      const { from, to } = parseRange(q, now());
      const limit = parseInteger(q, 'limit', 1, maxServiceMapLimit) ?? defaultServiceMapLimit;
      return deps.service.serviceMap({ tenant: tenantOf(res), from, to, limit, signal });
    }),
    'GET /api/v1/service-map/edge': get('/service-map/edge', async (q, res, signal) => {
      const { from, to } = parseRange(q, now());
      return deps.service.edgeTimeseries({
        tenant: tenantOf(res),
        from,
        to,
        stepMs: chooseStep(from, to, parseStep(q)),
        caller: requireText(q, 'caller', 128),
        callee: requireText(q, 'callee', 256),
        signal,
      });
    }),
  };
}

/** The query routes' handlers (the route table, workers/shared/http/route-table.ts, gives their scopes). */
function dataHandlers(deps: QueryAppDeps) {
  const now = () => deps.now?.() ?? Date.now();
  const get = (path: DataPath, handler: Handler) =>
    route(path, listedParameters(`GET /api/v1${path}`), handler);
  // One series selection (range, step, service/method/path) for every chart route: /timeseries and
  // /latency-heatmap must answer the same steps for the same URL words.
  const parseSeriesQuery = (q: QueryParams, res: Response) => {
    const { from, to } = parseRange(q, now());
    return {
      tenant: tenantOf(res),
      from,
      to,
      stepMs: chooseStep(from, to, parseStep(q)),
      service: parseText(q, 'service', 128),
      method: parseMethod(q),
      path: parseText(q, 'path'),
    };
  };
  const events = (path: '/events' | '/service-events') =>
    get(path, async (q, res, signal) => {
      const { from, to } = parseRange(q, now());
      return deps.service.events(tenantOf(res), from, to, parseText(q, 'service', 128), signal);
    });
  return {
    'GET /api/v1/services': get('/services', async (q, res, signal) => {
      const { from, to } = parseRange(q, now());
      const limit = parseInteger(q, 'limit', 1, maxServicesLimit) ?? defaultServicesLimit;
      const latency = parseChoice(q, 'latency', ['0', '1'] as const) === '1';
      return deps.service.services(tenantOf(res), from, to, limit, signal, latency);
    }),
    'GET /api/v1/timeseries': get('/timeseries', async (q, res, signal) => {
      return deps.service.timeseries({
        ...parseSeriesQuery(q, res),
        compare: parseChoice(q, 'compare', ['1d', '7d'] as const),
        worst: parseChoice(q, 'worst', ['0', '1'] as const) === '1',
        signal,
      });
    }),
    'GET /api/v1/latency-heatmap': get('/latency-heatmap', async (q, res, signal) => {
      return deps.service.latencyHeatmap({ ...parseSeriesQuery(q, res), signal });
    }),
    ...serviceMapHandlers(deps, get, now),
    'GET /api/v1/endpoints': get('/endpoints', async (q, res, signal) => {
      const { from, to } = parseRange(q, now());
      const sort = parseChoice(q, 'sort', ['errors', 'error_rate', 'p95', 'requests'] as const) ?? 'errors';
      const limit = parseInteger(q, 'limit', 1, maxEndpointsLimit) ?? defaultEndpointsLimit;
      const service = parseText(q, 'service', 128);
      const page = {
        offset: parseInteger(q, 'offset', 0, maxEndpointsOffset) ?? 0,
        minRequests: parseInteger(q, 'min_requests', 1, 1_000_000_000) ?? 1,
      };
      return deps.service.endpoints(tenantOf(res), from, to, sort, limit, service, signal, page);
    }),
    // /service-events is the dashboard's: on a pipeline's Ingress, /api/v1/events (every method) belongs to
    // ingestion, which takes POSTed deploy events there (cdk8s/ingress.ts). /events stays for same-origin servers.
    'GET /api/v1/service-events': events('/service-events'),
    'GET /api/v1/events': events('/events'),
    'GET /api/v1/freshness': get('/freshness', async (_q, res, signal) =>
      deps.service.freshness(tenantOf(res), now(), signal),
    ),
    'GET /api/v1/exemplars': get('/exemplars', async (q, res, signal) => {
      const { from, to } = parseRange(q, now());
      const request = {
        from,
        to,
        service: parseText(q, 'service', 128),
        method: parseMethod(q),
        path: parseText(q, 'path'),
        kind: parseChoice(q, 'kind', ['slowest', 'error'] as const) ?? 'slowest',
        limit: parseInteger(q, 'limit', 1, maxExemplarsLimit) ?? defaultExemplarsLimit,
      };
      return deps.service.exemplars(tenantOf(res), request, signal);
    }),
    'GET /api/v1/stored-cardinality': get('/stored-cardinality', async (q, res, signal) => {
      const { from, to } = parseRange(q, now());
      return deps.service.storedCardinality(tenantOf(res), from, to, signal);
    }),
  };
}

const ingestPortMeta = '<meta name="gravix-ingest-port" content="" />';
const signInMeta = '<meta name="gravix-sign-in" content="" />';

/** The dashboard's app shell for '/' (undefined when the dashboard is not built) and its assets. */
function dashboardShell(dir: string | undefined, ingestPort: number | undefined, oidc: boolean) {
  if (!dir || !existsSync(join(dir, 'index.html'))) return undefined;
  // The server-side facts the page needs: where ingestion listens (an integer, so nothing to escape) and whether
  // people sign in through an OpenID provider (a fixed word).
  const html = readFileSync(join(dir, 'index.html'), 'utf8')
    .replace(ingestPortMeta, ingestPortMeta.replace('content=""', `content="${ingestPort ?? ''}"`))
    .replace(signInMeta, signInMeta.replace('content=""', `content="${oidc ? 'oidc' : ''}"`));
  // Hashed assets may be cached for long; the app shell must be revalidated so an upgrade shows at once.
  const shell = (_req: Request, res: Response) =>
    res.setHeader('Cache-Control', 'no-cache').type('html').send(html);
  return { dir, shell };
}

function mountDashboardAssets(app: express.Express, dashboard: ReturnType<typeof dashboardShell>): void {
  if (!dashboard) return;
  app.use(express.static(dashboard.dir, { index: false, maxAge: '365d', immutable: true }));
  // Client-side routes: any other GET that is not an API call gets the app shell. Any spelling of the API's and the
  // probes' paths (`/API/v1/services`, `/live/`) is left to the 404: the shell's 200 would hide a wrong URL.
  app.get(/^\/(?!api(?:\/|$)|metrics\/?$|live\/?$|ready\/?$)/i, dashboard.shell);
}

function readinessError(ready: { reason: string }, res: Response) {
  return {
    status: 'not ready',
    error: {
      code: 'ENGINE_UNAVAILABLE',
      message: ready.reason,
      request_id: res.locals['requestId'] as string,
    },
  };
}

/** The metrics listener: /metrics only, on GRAVIX_QUERY_METRICS_PORT, which no Ingress routes. */
export function buildQueryMetricsApp(registry: Registry, log: Logger): express.Express {
  return buildMetricsApp(registry, 'query-metrics', log);
}

export function buildQueryApp(deps: QueryAppDeps): express.Express {
  const app = buildExactExpressApp();
  app.use(requestId);
  app.use(setSecurityHeaders);
  const dashboard = dashboardShell(deps.dashboardDir, deps.dashboardIngestPort, deps.signIn !== undefined);
  // /metrics is served on its own port (buildQueryMetricsApp), so the public port answers it with 404.
  mountRoutes(
    app,
    'query',
    deps.keys,
    withQueryParameterChecks({
      ...dataHandlers(deps),
      ...buildIdentityHandlers(deps.identity),
      ...buildSignInHandlers(deps.signIn),
      ...buildAlertHandlers({
        alerts: deps.alerts,
        now: () => deps.now?.() ?? Date.now(),
        audit: deps.identity.audit,
      }),
      ...buildViewHandlers({
        views: deps.views,
        now: () => deps.now?.() ?? Date.now(),
        audit: deps.identity.audit,
      }),
      ...buildTenantUsageHandlers({
        settingsOf: () => undefined,
        loadBeats: async () => [],
        staleMs: defaultQuotaStaleMs,
        ...deps.tenantUsage,
        storedCounts: (tenant, from, to) => deps.service.storedCardinality(tenant, from, to),
        now: () => deps.now?.() ?? Date.now(),
      }),
      'GET /api/v1/openapi.json': buildOpenApiHandler(),
      'GET /live': (_req, res) => void res.json({ status: 'ok' }),
      'GET /ready': async (_req, res) => {
        const ready = await deps.readiness();
        if (ready.ready) res.json({ status: 'ready' });
        else res.status(503).json(readinessError(ready, res));
      },
      'GET /': dashboard?.shell,
    }),
    deps.signIn && buildSessionAccess(deps.signIn),
  );
  mountDashboardAssets(app, dashboard);
  app.use(buildMethodNotAllowed(allowedMethods('query')));
  app.use(notFound);
  app.use(buildErrorHandler(deps.log));
  return app;
}

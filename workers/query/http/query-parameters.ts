import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError } from '../../shared/http/http-error.js';
import type { RouteHandler } from '../../shared/http/mount-routes.js';
import type { RouteKey } from '../../shared/http/route-table.js';
import { parseQueryString } from '../domain/parse-query-string.js';
import { QueryParamError } from '../domain/query-params.js';

/**
 * Whose query string a route reads: the user's browser for the dashboard's shell (its client-side URL words), the
 * OpenID provider for the sign-in callback (it may add `iss`, `session_state`, ...), the kubelet for the probes,
 * any tool for the OpenAPI document (the ingest server serves it too, unchecked). Those are not held to a list;
 * every other route is.
 */
type NotListed = 'shell' | 'provider' | 'probe' | 'document';

/**
 * The query parameters each route of the query server takes (docs/query-api.md, docs/openapi/gravix-api.yaml):
 * any other name is a 400 `INVALID_QUERY_PARAMETER` naming it, never silently ignored (docs/adr/0130). A route
 * added to the route table must be listed here (the compiler asks), so no route can skip the rule.
 */
export const queryParameters: Record<RouteKey<'query'>, readonly string[] | NotListed> = {
  'GET /api/v1/services': ['from', 'to', 'limit', 'latency'],
  'GET /api/v1/timeseries': ['service', 'method', 'path', 'from', 'to', 'step', 'compare', 'worst'],
  'GET /api/v1/latency-heatmap': ['service', 'method', 'path', 'from', 'to', 'step'],
  'GET /api/v1/service-map': ['from', 'to', 'limit'],
  'GET /api/v1/service-map/edge': ['caller', 'callee', 'from', 'to', 'step'],
  'GET /api/v1/endpoints': ['service', 'from', 'to', 'sort', 'limit', 'offset', 'min_requests'],
  'GET /api/v1/events': ['service', 'from', 'to'],
  'GET /api/v1/service-events': ['service', 'from', 'to'],
  'GET /api/v1/exemplars': ['service', 'method', 'path', 'from', 'to', 'kind', 'limit'],
  'GET /api/v1/freshness': [],
  'GET /api/v1/stored-cardinality': ['from', 'to'],
  'GET /api/v1/whoami': [],
  'GET /api/v1/auth/login': ['tenant', 'return'],
  'GET /api/v1/auth/callback': 'provider',
  'POST /api/v1/auth/logout': [],
  'GET /api/v1/keys': [],
  'POST /api/v1/keys': [],
  'POST /api/v1/keys/{id}/rotate': [],
  'DELETE /api/v1/keys/{id}': [],
  'GET /api/v1/audit': ['from', 'to', 'actor'],
  'GET /api/v1/tenant-usage': [],
  'GET /api/v1/alerts': ['from', 'to'],
  'GET /api/v1/alert-rules': [],
  'GET /api/v1/alert-rules/{name}': [],
  'PUT /api/v1/alert-rules/{name}': [],
  'DELETE /api/v1/alert-rules/{name}': [],
  'GET /api/v1/alert-silences': [],
  'POST /api/v1/alert-silences': [],
  'DELETE /api/v1/alert-silences/{id}': [],
  'GET /api/v1/views': [],
  'POST /api/v1/views': [],
  'POST /api/v1/views/{id}/rename': [],
  'DELETE /api/v1/views/{id}': [],
  'GET /api/v1/openapi.json': 'document',
  'GET /live': 'probe',
  'GET /ready': 'probe',
  'GET /': 'shell',
};

/** The parameters a listed route takes (for the routes that read their values from the parsed string). */
export function listedParameters(key: RouteKey<'query'>): readonly string[] {
  const listed = queryParameters[key];
  if (typeof listed === 'string') throw new Error(`route '${key}' reads a query string it does not list`);
  return listed;
}

/**
 * The edge check for a route: its query string read once by parseQueryString (strict UTF-8, the text rule, only
 * the listed names) before its handler runs, whether or not the handler reads parameters itself. Undefined for a
 * route whose query string is not ours to list.
 */
export function checkQueryParameters(key: RouteKey<'query'>): RequestHandler | undefined {
  const listed = queryParameters[key];
  if (typeof listed === 'string') return undefined;
  const path = key.slice(key.indexOf(' ') + 1);
  return (req: Request, _res: Response, next: NextFunction) => {
    const at = req.originalUrl.indexOf('?');
    try {
      parseQueryString(at === -1 ? '' : req.originalUrl.slice(at + 1), path, listed);
      next();
    } catch (error) {
      if (error instanceof QueryParamError)
        next(new HttpError(400, error.code, error.message, { field: error.field }));
      else next(error);
    }
  };
}

/** The handler map with each listed route's check in front of its handler (after the route table's scope check). */
export function withQueryParameterChecks(
  handlers: Record<RouteKey<'query'>, RouteHandler>,
): Record<RouteKey<'query'>, RouteHandler> {
  const checked = { ...handlers };
  for (const key of Object.keys(handlers) as RouteKey<'query'>[]) {
    const handler = handlers[key];
    const check = checkQueryParameters(key);
    if (!check || handler === undefined || 'authenticatesItself' in handler) continue;
    checked[key] = [check, ...[handler].flat()];
  }
  return checked;
}

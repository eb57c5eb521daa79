import type { RouteScope } from '../../domain/access-scopes.js';

/**
 * Every route of the ingest and query servers with the scope it needs: the one place access is decided. The servers
 * mount their routes from this table (`mountRoutes`, the ingest hot lane through `routeScope`), the OpenAPI document
 * repeats each scope as `x-gravix-scope` (openapi-routes.test.ts holds both to it), and role-matrix.int.test.ts
 * walks it with every role and with no credentials against the real servers.
 *
 * Adding a route: one row here (server, method, path in OpenAPI spelling, scope), its handler in the server's
 * handler map (the compiler asks for it) and its operation in docs/openapi/gravix-api.yaml.
 */
export const routeTable = [
  // ingest server
  { server: 'ingest', method: 'POST', path: '/api/v1/facts', scope: 'ingest' },
  { server: 'ingest', method: 'POST', path: '/api/v1/events', scope: 'ingest' },
  { server: 'ingest', method: 'POST', path: '/v1/traces', scope: 'ingest' },
  { server: 'ingest', method: 'POST', path: '/v1/metrics', scope: 'ingest' },
  { server: 'ingest', method: 'GET', path: '/api/v1/cardinality', scope: 'ingest' },
  { server: 'ingest', method: 'GET', path: '/api/v1/openapi.json', scope: 'public' },
  { server: 'ingest', method: 'GET', path: '/live', scope: 'public' },
  { server: 'ingest', method: 'GET', path: '/ready', scope: 'public' },
  // query server: reading a tenant's data is the viewer's right (`query`)
  { server: 'query', method: 'GET', path: '/api/v1/services', scope: 'query' },
  { server: 'query', method: 'GET', path: '/api/v1/timeseries', scope: 'query' },
  { server: 'query', method: 'GET', path: '/api/v1/latency-heatmap', scope: 'query' },
  { server: 'query', method: 'GET', path: '/api/v1/service-map', scope: 'query' },
  { server: 'query', method: 'GET', path: '/api/v1/service-map/edge', scope: 'query' },
  { server: 'query', method: 'GET', path: '/api/v1/endpoints', scope: 'query' },
  { server: 'query', method: 'GET', path: '/api/v1/events', scope: 'query' },
  { server: 'query', method: 'GET', path: '/api/v1/service-events', scope: 'query' },
  { server: 'query', method: 'GET', path: '/api/v1/exemplars', scope: 'query' },
  { server: 'query', method: 'GET', path: '/api/v1/freshness', scope: 'query' },
  { server: 'query', method: 'GET', path: '/api/v1/stored-cardinality', scope: 'query' },
  { server: 'query', method: 'GET', path: '/api/v1/whoami', scope: 'query' },
  // sign-in for people (docs/adr/0076): public, since they make or end the session the other routes read
  { server: 'query', method: 'GET', path: '/api/v1/auth/login', scope: 'public' },
  { server: 'query', method: 'GET', path: '/api/v1/auth/callback', scope: 'public' },
  { server: 'query', method: 'POST', path: '/api/v1/auth/logout', scope: 'public' },
  // key lifecycle and the audit log: admins only
  { server: 'query', method: 'GET', path: '/api/v1/keys', scope: 'admin' },
  { server: 'query', method: 'POST', path: '/api/v1/keys', scope: 'admin' },
  { server: 'query', method: 'POST', path: '/api/v1/keys/{id}/rotate', scope: 'admin' },
  { server: 'query', method: 'DELETE', path: '/api/v1/keys/{id}', scope: 'admin' },
  { server: 'query', method: 'GET', path: '/api/v1/audit', scope: 'admin' },
  // the tenant's usage against its quotas (docs/security.md): admins only
  { server: 'query', method: 'GET', path: '/api/v1/tenant-usage', scope: 'admin' },
  // alerts (docs/alerts.md): everyone who reads a tenant sees what fires; rules decide who gets paged (admin);
  // operators, who answer the pages, silence them
  { server: 'query', method: 'GET', path: '/api/v1/alerts', scope: 'query' },
  { server: 'query', method: 'GET', path: '/api/v1/alert-rules', scope: 'admin' },
  { server: 'query', method: 'GET', path: '/api/v1/alert-rules/{name}', scope: 'admin' },
  { server: 'query', method: 'PUT', path: '/api/v1/alert-rules/{name}', scope: 'admin' },
  { server: 'query', method: 'DELETE', path: '/api/v1/alert-rules/{name}', scope: 'admin' },
  { server: 'query', method: 'GET', path: '/api/v1/alert-silences', scope: 'operator' },
  { server: 'query', method: 'POST', path: '/api/v1/alert-silences', scope: 'operator' },
  { server: 'query', method: 'DELETE', path: '/api/v1/alert-silences/{id}', scope: 'operator' },
  // saved dashboard views (docs/dashboard.md): everyone who reads a tenant opens them; operators keep the list
  { server: 'query', method: 'GET', path: '/api/v1/views', scope: 'query' },
  { server: 'query', method: 'POST', path: '/api/v1/views', scope: 'operator' },
  { server: 'query', method: 'POST', path: '/api/v1/views/{id}/rename', scope: 'operator' },
  { server: 'query', method: 'DELETE', path: '/api/v1/views/{id}', scope: 'operator' },
  { server: 'query', method: 'GET', path: '/api/v1/openapi.json', scope: 'public' },
  { server: 'query', method: 'GET', path: '/live', scope: 'public' },
  { server: 'query', method: 'GET', path: '/ready', scope: 'public' },
  { server: 'query', method: 'GET', path: '/', scope: 'public' },
] as const satisfies readonly RouteRow[];

export interface RouteRow {
  server: 'ingest' | 'query';
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI spelling: `{param}` for a path parameter. */
  path: string;
  scope: RouteScope;
}

type Row = (typeof routeTable)[number];
export type ServerName = RouteRow['server'];
/** "METHOD path" of one server's routes. */
export type RouteKey<S extends ServerName> =
  Extract<Row, { server: S }> extends infer R
    ? R extends { method: infer M extends string; path: infer P extends string }
      ? `${M} ${P}`
      : never
    : never;

export class UnknownRouteError extends Error {
  readonly code = 'UNKNOWN_ROUTE';
}

/** The scope a route needs; a route missing from the table is a programming error, never "public". */
export function routeScope(server: ServerName, key: string): RouteScope {
  const row = routeTable.find((r) => r.server === server && `${r.method} ${r.path}` === key);
  if (!row) throw new UnknownRouteError(`route '${key}' of the ${server} server is not in the route table`);
  return row.scope;
}

export function routesOf(server: ServerName): readonly RouteRow[] {
  return routeTable.filter((r) => r.server === server);
}

/** `/api/v1/keys/{id}` -> `/api/v1/keys/:id` (express's spelling). */
export const expressPath = (path: string) => path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');

import type { Express, RequestHandler } from 'express';
import type { KeyAccess } from '../../domain/key-ring.js';
import { buildAuthenticate, type SessionAccess } from './authenticate.js';
import { expressPath, routesOf, type RouteKey, type ServerName } from './route-table.js';

/**
 * A route's handler: plain or a chain (the table's scope is checked before it), `{ authenticatesItself }` (a plain-Node
 * endpoint that resolves the caller with the table's scope on its own, so the hot lane and express share it), or
 * undefined (not served in this configuration, e.g. the dashboard's shell when the dashboard is not built).
 */
export type RouteHandler =
  RequestHandler | readonly RequestHandler[] | { authenticatesItself: RequestHandler } | undefined;

/**
 * Registers every route the table gives `server`, in table order, each behind the authentication its scope asks
 * for. The handler map must name every route of the server (the compiler checks), so a route cannot be added to
 * the table without a handler, nor served without a row.
 */
export function mountRoutes<S extends ServerName>(
  app: Express,
  server: S,
  keys: KeyAccess,
  handlers: NoInfer<Record<RouteKey<S>, RouteHandler>>,
  /** People's sessions (the query server with sign-in configured); absent, only keys authenticate. */
  sessions?: SessionAccess,
): void {
  for (const row of routesOf(server)) {
    const handler = (handlers as Record<string, RouteHandler>)[`${row.method} ${row.path}`];
    if (handler === undefined) continue;
    const method = row.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
    if ('authenticatesItself' in handler) app[method](expressPath(row.path), handler.authenticatesItself);
    else
      app[method](expressPath(row.path), buildAuthenticate(keys, row.scope, sessions), ...[handler].flat());
  }
}

/**
 * The services and routes of the synthetic traffic: what a small shop's backend looks like, so a newcomer reads
 * "payments POST /api/v1/payments/:id/refund" on the dashboard, not "svc-00 /api/orders/v1". `{id}` marks where
 * an id goes (the ingester folds it back to `:id`). Past the catalogue, names repeat with a number
 * (`checkout-2`), routes with a version (`/api/v2/...`), so any --services/--paths still gives distinct names.
 */
export const demoServices: readonly { name: string; routes: readonly (readonly [string, string])[] }[] = [
  {
    name: 'checkout',
    routes: [
      ['POST', '/api/v1/checkout'],
      ['GET', '/api/v1/checkout/{id}'],
      ['POST', '/api/v1/checkout/{id}/confirm'],
      ['GET', '/api/v1/checkout/{id}/shipping-options'],
      ['PUT', '/api/v1/checkout/{id}/address'],
      ['DELETE', '/api/v1/checkout/{id}'],
    ],
  },
  {
    name: 'payments',
    routes: [
      ['POST', '/api/v1/payments'],
      ['GET', '/api/v1/payments/{id}'],
      ['POST', '/api/v1/payments/{id}/capture'],
      ['POST', '/api/v1/payments/{id}/refund'],
      ['GET', '/api/v1/payment-methods'],
      ['POST', '/api/v1/payment-methods'],
    ],
  },
  {
    name: 'search',
    routes: [
      ['GET', '/api/v1/search'],
      ['GET', '/api/v1/search/suggest'],
      ['GET', '/api/v1/search/facets'],
      ['POST', '/api/v1/search/reindex'],
    ],
  },
  {
    name: 'auth',
    routes: [
      ['POST', '/api/v1/auth/login'],
      ['POST', '/api/v1/auth/refresh'],
      ['POST', '/api/v1/auth/logout'],
      ['GET', '/api/v1/auth/userinfo'],
      ['GET', '/.well-known/jwks.json'],
    ],
  },
  {
    name: 'inventory',
    routes: [
      ['GET', '/api/v1/inventory/{id}'],
      ['PUT', '/api/v1/inventory/{id}'],
      ['POST', '/api/v1/inventory/reservations'],
      ['DELETE', '/api/v1/inventory/reservations/{id}'],
      ['GET', '/api/v1/warehouses'],
    ],
  },
  {
    name: 'catalog',
    routes: [
      ['GET', '/api/v1/products'],
      ['GET', '/api/v1/products/{id}'],
      ['GET', '/api/v1/products/{id}/reviews'],
      ['GET', '/api/v1/categories'],
      ['PUT', '/api/v1/products/{id}'],
    ],
  },
  {
    name: 'cart',
    routes: [
      ['GET', '/api/v1/carts/{id}'],
      ['POST', '/api/v1/carts/{id}/items'],
      ['DELETE', '/api/v1/carts/{id}/items/{id}'],
      ['PUT', '/api/v1/carts/{id}/items/{id}'],
    ],
  },
  {
    name: 'shipping',
    routes: [
      ['POST', '/api/v1/shipments'],
      ['GET', '/api/v1/shipments/{id}'],
      ['GET', '/api/v1/shipments/{id}/tracking'],
      ['POST', '/api/v1/rates'],
    ],
  },
  {
    name: 'users',
    routes: [
      ['GET', '/api/v1/users/{id}'],
      ['PATCH', '/api/v1/users/{id}'],
      ['POST', '/api/v1/users'],
      ['GET', '/api/v1/users/{id}/orders'],
    ],
  },
  {
    name: 'notifications',
    routes: [
      ['POST', '/api/v1/notifications/email'],
      ['POST', '/api/v1/notifications/sms'],
      ['GET', '/api/v1/notifications/{id}'],
    ],
  },
];

/** The `s`-th service's name: the catalogue's, then the catalogue again with a number. */
export function demoServiceName(s: number): string {
  const base = demoServices[s % demoServices.length]!.name;
  const round = Math.floor(s / demoServices.length);
  return round === 0 ? base : `${base}-${round + 1}`;
}

/** The `p`-th route of the `s`-th service: its own routes, then the same under /api/v2, /api/v3, ... */
export function demoRoute(s: number, p: number): { method: string; path: string } {
  const routes = demoServices[s % demoServices.length]!.routes;
  const [method, path] = routes[p % routes.length]!;
  const version = Math.floor(p / routes.length) + 1;
  return {
    method,
    path:
      version === 1
        ? path
        : path
            .replace(/^\/api\/v1\//, `/api/v${version}/`)
            .replace(/^\/\.well-known\//, `/v${version}/.well-known/`),
  };
}

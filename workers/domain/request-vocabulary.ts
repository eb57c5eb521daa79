/**
 * Words ingest writes into facts and the query API reads back: the HTTP methods a fact may carry and the route
 * every path folds into once its service has used up its route budget, and the service every new service folds
 * into past the tenant's service budget (the UI shows both as overflow).
 */
export const httpMethods = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'CONNECT',
] as const;
export type HttpMethod = (typeof httpMethods)[number];

export const overflowRoute = '/:overflow';

/** The service every new service of a tenant folds into once the tenant has used up its service budget. */
export const overflowService = ':overflow';

/**
 * The callee of a service-map edge whose CLIENT span named no callee and whose SERVER span was not in the same
 * hour partition (or never arrived): the call is counted, its destination unknown (docs/adr/0085).
 */
export const unresolvedCallee = ':unresolved';

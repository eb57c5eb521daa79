/**
 * Words ingest writes into facts and the query API reads back: the HTTP methods a fact may carry and the route
 * every path folds into once its service has used up its route budget (the UI shows it as overflow).
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

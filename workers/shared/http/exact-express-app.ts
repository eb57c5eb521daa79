import express from 'express';

/**
 * An express app whose routes match exactly as the OpenAPI document spells them. Express matches case-insensitively
 * and ignores a trailing slash by default, so `/API/V1/SERVICES` and `/api/v1/services/` reached the handlers: a
 * second spelling of every URL that no contract describes, that caches and proxies treat as another resource, and
 * that a path-based rule in front of Gravix (an Ingress rewrite, a WAF) would not see. With both options on, those
 * spellings fall through to the API's 404. `x-powered-by` is off on every server for the same reason (nothing a
 * client needs). The one place the servers' apps are created, so they cannot drift apart.
 */
export function buildExactExpressApp(): express.Express {
  const app = express();
  // Both settings are read when the router is first used, so they must be set before any route or middleware.
  app.enable('case sensitive routing');
  app.enable('strict routing');
  app.disable('x-powered-by');
  return app;
}

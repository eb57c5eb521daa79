import express from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { buildExactExpressApp } from './exact-express-app.js';
import { buildErrorHandler, notFound } from './error-handler.js';
import { allowedMethods, buildMethodNotAllowed } from './method-not-allowed.js';
import { requestId } from './request-id.js';

/**
 * A server's metrics listener: `GET /metrics` only, on its own port, which no Ingress routes. Another method on
 * /metrics is 405 with `Allow` and any other path 404, both with the API's error body, like the API ports.
 * `tag` names the listener's operations in the OpenAPI document (`ingest-metrics`, `query-metrics`).
 */
export function buildMetricsApp(registry: Registry, tag: string, log: Logger): express.Express {
  const app = buildExactExpressApp();
  app.use(requestId);
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  app.use(buildMethodNotAllowed(allowedMethods(tag)));
  app.use(notFound);
  app.use(buildErrorHandler(log));
  return app;
}

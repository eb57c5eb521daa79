import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface RollupHttpServer {
  port: number;
  close(): Promise<void>;
}

/** Whether the rollup works: undefined when it does, else the error body /ready answers 503 with. */
export type RollupReadiness = () => { code: string; message: string } | undefined;

/**
 * /metrics for Prometheus, /live and /ready for the kubelet (the same probe paths as ingest and query). /ready is
 * honest: 503 until a pass has run to the end and whenever the last one failed as a whole (the store unreachable),
 * so the Deployment, and the pipeline's Available condition, say when rollups are not happening. A partition that
 * fails alone does not count: one tenant's bad data must not mark every tenant's pipeline unavailable.
 */
export async function startRollupHttpServer(options: {
  host: string;
  port: number;
  registry: Registry;
  readiness: RollupReadiness;
}): Promise<RollupHttpServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/live') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (path === '/ready') {
      const error = options.readiness();
      if (!error) return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return void res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
    }
    if (path === '/metrics') {
      void options.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(body),
        () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n'),
      );
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `no route ${path}` } }));
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

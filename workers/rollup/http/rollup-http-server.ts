import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface RollupHttpServer {
  port: number;
  close(): Promise<void>;
}

/** /metrics for Prometheus and /ready, /live for the kubelet (the same probe paths as ingest and query). */
export async function startRollupHttpServer(options: {
  host: string;
  port: number;
  registry: Registry;
}): Promise<RollupHttpServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/ready' || path === '/live') {
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
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

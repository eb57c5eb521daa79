import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface ProbeServer {
  port: number;
  close(): Promise<void>;
}

/** Whether the process can do its job: undefined when it can, else the error body its readiness path answers 503 with. */
export type Readiness = () => { code: string; message: string } | undefined;

export interface ProbeServerOptions {
  host: string;
  port: number;
  registry: Registry;
  readiness: Readiness;
  /** The kubelet's probe paths: the workers use /live and /ready, the operator /healthz and /readyz. */
  paths: { live: string; ready: string };
}

/**
 * A small plain-Node listener for the kubelet and Prometheus: liveness (the process answers), readiness from the
 * caller's check, /metrics from a prom-client registry; anything else is a 404 with the API's error body. The
 * workers without an HTTP API of their own (rollup loop) and the operator use it.
 */
export async function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === options.paths.live)
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (path === options.paths.ready) {
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

import { createServer } from 'node:http';
import { BasicAuth, Trino } from 'trino-client';
import { buildLogger } from '../shared/logger.js';
import { loadTrinoProbeConfig } from './config.js';

/** Runs `SELECT 1` on Trino; undefined when it answered, else why not. */
export async function probeTrino(client: Trino, timeoutMs: number): Promise<string | undefined> {
  const deadline = new Promise<string>((resolve) =>
    setTimeout(() => resolve(`SELECT 1 did not finish within ${timeoutMs} ms`), timeoutMs).unref(),
  );
  const query = (async () => {
    try {
      let rows = 0;
      for await (const result of await client.query('SELECT 1')) {
        if (result.error) return `SELECT 1 failed: ${result.error.message}`;
        rows += result.data?.length ?? 0;
      }
      return rows === 1 ? undefined : `SELECT 1 returned ${rows} rows`;
    } catch (error) {
      return `SELECT 1 failed: ${(error as Error).message}`;
    }
  })();
  return Promise.race([query, deadline]);
}

/** A worker's readiness: its node state (`GET /v1/info/state`) is ACTIVE; undefined then, else why not. */
export async function probeTrinoWorker(server: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await fetch(new URL('/v1/info/state', server), { signal: AbortSignal.timeout(timeoutMs) });
    const state = res.ok ? ((await res.json()) as unknown) : `HTTP ${res.status}`;
    return state === 'ACTIVE' ? undefined : `node state is ${JSON.stringify(state)}, not ACTIVE`;
  } catch (error) {
    return `node state unknown: ${(error as Error).message}`;
  }
}

/**
 * `gravix trino-probe`: the readiness of a Trino pod, as a sidecar. Trino answers HTTP (and /v1/info) long before
 * it accepts queries; the kubelet's httpGet cannot look at a body, and an exec probe would start a JVM each time.
 * /ready runs a real `SELECT 1` against the Trino in the same pod: 200 when it returns one row, else 503 with why.
 * On a worker (GRAVIX_TRINO_PROBE_ROLE=worker), which runs no statements of its own, its node state instead.
 */
export async function run(_argv: string[]): Promise<number> {
  const config = loadTrinoProbeConfig(process.env);
  const log = buildLogger('gravix-trino-probe', config.GRAVIX_LOG_LEVEL);
  const client = Trino.create({
    server: config.GRAVIX_TRINO_PROBE_SERVER,
    auth: new BasicAuth('gravix-probe'),
  });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/live') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (path !== '/ready') {
      const body = { error: { code: 'NOT_FOUND', message: `no route ${path}` } };
      return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    }
    const probe =
      config.GRAVIX_TRINO_PROBE_ROLE === 'worker'
        ? probeTrinoWorker(config.GRAVIX_TRINO_PROBE_SERVER, config.GRAVIX_TRINO_PROBE_TIMEOUT_MS)
        : probeTrino(client, config.GRAVIX_TRINO_PROBE_TIMEOUT_MS);
    void probe.then((problem) => {
      if (!problem) return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      log.debug({ problem }, 'trino not ready');
      const body = { error: { code: 'TRINO_NOT_READY', message: problem } };
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(config.GRAVIX_TRINO_PROBE_PORT, config.GRAVIX_TRINO_PROBE_HOST, resolve),
  );
  log.info({ port: config.GRAVIX_TRINO_PROBE_PORT }, 'trino probe listening');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await new Promise((resolve) => server.close(resolve));
  return 0;
}

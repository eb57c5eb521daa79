import { Counter, Registry } from 'prom-client';
import { startProbeServer, type ProbeServer } from './probe-server.js';

describe('startProbeServer', () => {
  let server: ProbeServer;
  let failure: { code: string; message: string } | undefined;
  const registry = new Registry();
  new Counter({ name: 'probe_test_total', help: 'a counter the test reads back', registers: [registry] }).inc(
    3,
  );

  beforeAll(async () => {
    server = await startProbeServer({
      host: '127.0.0.1',
      port: 0,
      registry,
      readiness: () => failure,
      paths: { live: '/healthz', ready: '/readyz' },
    });
  });
  afterAll(() => server.close());

  const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);

  it('answers liveness on its own path and nothing on the other convention', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/live')).status).toBe(404);
  });

  it('turns not-ready with the caller error body, and ready again', async () => {
    failure = { code: 'WARMING_UP', message: 'not synced' };
    const res = await get('/readyz?verbose');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: failure });
    failure = undefined;
    expect((await get('/readyz')).status).toBe(200);
  });

  it('serves the registry in the Prometheus text format', async () => {
    const res = await get('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toMatch(/^probe_test_total 3$/m);
  });

  it('answers an unknown path with a 404 naming it', async () => {
    const res = await get('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route /nope' } });
  });
});

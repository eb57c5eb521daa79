import { randomUUID } from 'node:crypto';

/** A small fixed catalogue: one slow endpoint and one that fails now and then, so the charts tell a story. */
const endpoints = [
  { service: 'checkout', method: 'POST', path: '/orders', medianMs: 45, errorRate: 0.01 },
  { service: 'checkout', method: 'GET', path: '/orders/{id}', medianMs: 12, errorRate: 0.002 },
  { service: 'checkout', method: 'POST', path: '/payments', medianMs: 180, errorRate: 0.04 },
  { service: 'search', method: 'GET', path: '/search', medianMs: 30, errorRate: 0.005 },
  { service: 'search', method: 'GET', path: '/suggest', medianMs: 8, errorRate: 0.001 },
  { service: 'accounts', method: 'GET', path: '/users/{id}', medianMs: 15, errorRate: 0.003 },
  { service: 'accounts', method: 'POST', path: '/login', medianMs: 90, errorRate: 0.02 },
];

/** Lognormal latency with a heavy tail: most requests near the median, a few far above it. */
function lognormal(medianMs: number): number {
  const u = 1 - Math.random();
  const v = Math.random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Number((medianMs * Math.exp(0.6 * z)).toFixed(2));
}

export function buildDemoFacts(count: number, now: number) {
  return Array.from({ length: count }, () => {
    const e = endpoints[Math.floor(Math.random() * endpoints.length)]!;
    const failed = Math.random() < e.errorRate;
    return {
      event_id: randomUUID(),
      timestamp: now - Math.floor(Math.random() * 1000),
      service: e.service,
      method: e.method,
      path: e.path.replace('{id}', String(1 + Math.floor(Math.random() * 10_000))),
      status_code: failed ? 503 : Math.random() < 0.03 ? 404 : 200,
      latency_ms: lognormal(e.medianMs) * (failed ? 3 : 1),
    };
  });
}

/** Posts a batch of synthetic facts every second to the ingestion API until stopped. */
export function startDemoTraffic(ingestUrl: string, apiKey: string, perSecond: number): () => void {
  const timer = setInterval(() => {
    void fetch(`${ingestUrl}/api/v1/facts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(buildDemoFacts(perSecond, Date.now())),
    }).catch(() => undefined);
  }, 1000);
  return () => clearInterval(timer);
}

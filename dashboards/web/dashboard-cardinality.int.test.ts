import type { RawEdge, RawFact } from '../../workers/domain/raw-record.js';
import { overflowRoute, overflowService } from '../../workers/domain/request-vocabulary.js';
import type { StoredCardinalityResponse } from '../../workers/query/api-types.js';
import { buildCardinalityPanel } from './src/domain/cardinality-panel.js';
import { saveScreenshot, waitForData } from './testing/dashboard-harness.js';
import { startRealDashboard, type RealDashboard } from './testing/real-dashboard-harness.js';

const MINUTE = 60_000;

/**
 * Stored data as the ingest budgets leave it: services past the tenant's budget under `:overflow`, routes past a
 * service's budget under `/:overflow` (search more than cart).
 */
function buildBudgetedFacts(now: number): RawFact[] {
  const start = Math.floor(now / MINUTE) * MINUTE - 40 * MINUTE;
  const spec: [string, string, number][] = [
    ...Array.from({ length: 5 }, (_, i) => [`svc-${i}`, `/items/${i}`, 10] as [string, string, number]),
    ['svc-0', '/cart', 3],
    [overflowService, '/checkout', 300],
    ['search', '/q', 7],
    ['search', overflowRoute, 40],
    ['cart', overflowRoute, 5],
  ];
  return spec.flatMap(([service, path, count], s) =>
    Array.from({ length: count }, (_, k) => ({
      kind: 'fact' as const,
      tenant: 'acme',
      event_id: `c${s}-${k}`,
      ts: start + (k % 30) * MINUTE,
      service,
      method: 'GET',
      path,
      status_code: 200,
      latency_ms: 5,
    })),
  );
}

/** Service-map edges as the edge budget leaves them: calls past it under the callee `:overflow` (docs/adr/0096). */
function buildBudgetedEdges(now: number): RawEdge[] {
  const start = Math.floor(now / MINUTE) * MINUTE - 40 * MINUTE;
  const spec: [string, string, number][] = [
    ['gateway', 'svc-0', 10],
    ['gateway', overflowService, 25],
    ['api', overflowService, 4],
  ];
  return spec.flatMap(([caller, callee, count], s) =>
    Array.from({ length: count }, (_, k) => ({
      kind: 'edge' as const,
      tenant: 'acme',
      event_id: `e${s}-${k}`,
      ts: start + (k % 30) * MINUTE,
      caller,
      callee,
      status_code: 200,
      latency_ms: 3,
      trace_id: `${s}`.padStart(32, '0'),
      span_id: `${k}`.padStart(16, '0'),
    })),
  );
}

describe('cardinality panel (Chromium against the real query server)', () => {
  let d: RealDashboard;
  const now = Date.now();
  const facts = buildBudgetedFacts(now);
  beforeAll(async () => {
    d = await startRealDashboard([...facts, ...buildBudgetedEdges(now)], now);
  }, 300_000);
  afterAll(async () => {
    await d?.close();
  });

  it('reports distinct services and routes, the overflow and the top offenders exactly as stored', async () => {
    const from = Math.floor(now / MINUTE) * MINUTE - 60 * MINUTE;
    const to = Math.ceil(now / MINUTE) * MINUTE;
    const report = await d.api<StoredCardinalityResponse>(`/api/v1/stored-cardinality?from=${from}&to=${to}`);
    const routes = new Set(facts.map((f) => `${f.service} ${f.method} ${f.path}`));
    expect(report).toEqual({
      from,
      to,
      services: new Set(facts.map((f) => f.service)).size,
      routes: routes.size,
      overflowServiceRequests: 300,
      overflowRouteRequests: 45,
      servicesWithOverflowRoutes: 2,
      topOffenders: [
        { service: 'search', overflowRequests: 40 },
        { service: 'cart', overflowRequests: 5 },
      ],
      edges: 3,
      overflowEdgeCalls: 29,
      callersWithOverflowEdges: 2,
      topEdgeOffenders: [
        { caller: 'gateway', overflowCalls: 25 },
        { caller: 'api', overflowCalls: 4 },
      ],
    });
  });

  it('shows the panel on "all services", marked as a warning, with the offenders, and hides it for one service', async () => {
    const page = await d.open();
    await waitForData(page);
    await page.waitForSelector('#cardinality:not([hidden]) li');
    const lines = await page.$$eval('#cardinality li', (lis) => lis.map((li) => li.textContent));
    const shown = await page.$$eval('#cardinality tbody tr[data-service]', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent)),
    );
    const callers = await page.$$eval('#cardinality tbody tr[data-caller]', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent)),
    );
    // The page asked for its own range; what it shows is that answer, worded by the panel's pure builder.
    const report = await page.evaluate(async () => {
      const token = localStorage.getItem('gravix.token');
      const to = Math.ceil(Date.now() / 60_000) * 60_000;
      const res = await fetch(`/api/v1/stored-cardinality?from=${to - 3_600_000}&to=${to}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return (await res.json()) as StoredCardinalityResponse;
    });
    const panel = buildCardinalityPanel(report);
    expect(lines).toEqual(panel.lines);
    expect(lines[1]).toBe('300 requests of services past the service budget, kept as :overflow');
    expect(shown).toEqual([
      ['search', '40'],
      ['cart', '5'],
    ]);
    expect(lines[3]).toBe('29 calls of 2 callers past the edge budget (3 edges stored), kept as :overflow');
    expect(callers).toEqual([
      ['gateway', '25'],
      ['api', '4'],
    ]);
    expect(await page.getAttribute('#cardinality', 'class')).toContain('warning');
    await saveScreenshot(page, 'cardinality-panel');
    const one = await d.open({ search: '?service=search' });
    await waitForData(one);
    expect(await one.locator('#cardinality').isHidden()).toBe(true);
  });
});

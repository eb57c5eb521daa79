import type { Page } from 'playwright-core';
import type { RawFact } from '../../workers/domain/raw-record.js';
import { waitForData } from './testing/dashboard-harness.js';
import { startRealDashboard, type RealDashboard } from './testing/real-dashboard-harness.js';

const template = 'http://127.0.0.1:16686/trace/{traceId}';
const hostileTrace = 'x"><img src=y onerror="window.pwned=1">';

/**
 * 30 minutes of GET /checkout on `shop` ending 5 minutes ago, a request every 20 s with a trace id: latencies that
 * differ per request, every 9th a 5xx, one far slower request, and a 5xx whose trace id is markup (a posted fact's
 * trace id is client text). Plus an untraced slower request, which no list may show.
 */
function buildFacts(now: number): RawFact[] {
  const start = Math.floor((now - 35 * 60_000) / 60_000) * 60_000;
  const facts: RawFact[] = Array.from({ length: 90 }, (_, i) => ({
    kind: 'fact',
    tenant: 'acme',
    event_id: `ex${i}`,
    ts: start + i * 20_000 + 5,
    service: 'shop',
    method: 'GET',
    path: '/checkout',
    status_code: i % 9 === 4 ? 502 : 200,
    latency_ms: i === 50 ? 2500 : 20 + ((i * 37) % 89),
    trace_id: i === 85 ? hostileTrace : i.toString(16).padStart(32, 'a'),
    span_id: i.toString(16).padStart(16, 'b'),
  }));
  facts.push({
    ...facts[10]!,
    event_id: 'untraced',
    latency_ms: 9000,
    trace_id: undefined,
    span_id: undefined,
  });
  return facts;
}

/** What the page shows in a list: each row's trace id text and link target. */
const listRows = (page: Page, id: string) =>
  page.$$eval(`#${id} tbody tr`, (trs) =>
    trs.map((tr) => ({
      traceId: tr.querySelector('.trace-id')?.textContent,
      href: tr.querySelector('a')?.getAttribute('href'),
      status: tr.children[2]?.textContent,
    })),
  );

describe('exemplars in the endpoint view (Chromium against the real query server)', () => {
  let d: RealDashboard;
  const now = Date.now();
  const facts = buildFacts(now);
  beforeAll(async () => {
    d = await startRealDashboard(facts, now, { traceUrlTemplate: template });
  }, 300_000);
  afterAll(async () => {
    await d?.close();
  });

  it('lists the slowest requests and recent 5xx with trace links, and draws them on the latency and error charts', async () => {
    const page = await d.open({ search: '?range=1h&service=shop&method=GET&path=%2Fcheckout' });
    await page.waitForSelector('#exemplars:not([hidden]) #exemplars-slowest table');
    const link = (id: string) => template.replace('{traceId}', encodeURIComponent(id));

    // Slowest: one request per minute kept, so the ten slowest minutes' slowest, the 2.5 s one first.
    const byMinute = new Map<number, RawFact>();
    for (const f of facts.filter((f) => f.trace_id)) {
      const m = Math.floor(f.ts / 60_000);
      if ((byMinute.get(m)?.latency_ms ?? -1) < f.latency_ms) byMinute.set(m, f);
    }
    const slowest = [...byMinute.values()]
      .sort((a, b) => b.latency_ms - a.latency_ms || b.ts - a.ts)
      .slice(0, 10);
    const shown = await listRows(page, 'exemplars-slowest');
    expect(shown.map((r) => r.traceId)).toEqual(slowest.map((f) => f.trace_id));
    expect(shown.map((r) => r.href)).toEqual(slowest.map((f) => link(f.trace_id!)));
    expect(shown[0]!.traceId).toBe(facts[50]!.trace_id);

    // Recent 5xx, newest first: the markup trace id is text, its link percent-encoded, and nothing ran.
    const failed = facts
      .filter((f) => f.status_code >= 500)
      .sort((a, b) => b.ts - a.ts)
      .slice(0, 10);
    const errors = await listRows(page, 'exemplars-errors');
    expect(errors.map((r) => [r.traceId, r.status])).toEqual(failed.map((f) => [f.trace_id, '502']));
    expect(errors[0]).toMatchObject({ traceId: hostileTrace, href: link(hostileTrace) });
    expect(await page.$$('#exemplars img, #card-error-rate svg img')).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.getAttribute('#exemplars-slowest a', 'target')).toBe('_blank');

    // The same requests as points: links on the charts, slower points higher on the latency chart.
    const points = (chart: string) =>
      page.$$eval(`#card-${chart} svg a.exemplar`, (as) =>
        as.map((a) => ({
          traceId: a.getAttribute('data-trace-id'),
          href: a.getAttribute('href'),
          cy: Number(a.querySelector('circle')?.getAttribute('cy')),
        })),
      );
    const latencyPoints = await points('latency');
    expect(latencyPoints.map((p) => p.traceId)).toEqual(slowest.map((f) => f.trace_id));
    expect(latencyPoints.map((p) => p.href)).toEqual(slowest.map((f) => link(f.trace_id!)));
    const cys = latencyPoints.map((p) => p.cy);
    expect([...cys].sort((a, b) => a - b)).toEqual(cys);
    expect((await points('error-rate')).map((p) => p.traceId)).toEqual(failed.map((f) => f.trace_id));
    expect(await page.textContent('#card-latency .legend')).toContain('slowest requests');
    expect(await page.textContent('#card-error-rate .legend')).toContain('recent 5xx');
  }, 120_000);

  it('shows no exemplars for a whole service (no endpoint picked)', async () => {
    const page = await d.open({ search: '?range=1h&service=shop' });
    await waitForData(page);
    expect(await page.isHidden('#exemplars')).toBe(true);
    expect(await page.$$('#card-latency svg .exemplar')).toEqual([]);
  }, 120_000);
});

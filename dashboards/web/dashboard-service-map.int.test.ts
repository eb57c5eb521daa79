import type { Page } from 'playwright-core';
import type { RawEdge, RawFact, RawRecord } from '../../workers/domain/raw-record.js';
import type { EdgeTimeseriesResponse, ServiceMapResponse } from '../../workers/query/api-types.js';
import { contrastRatio } from './src/domain/contrast.js';
import { saveScreenshot, waitForData } from './testing/dashboard-harness.js';
import { startRealDashboard, type RealDashboard } from './testing/real-dashboard-harness.js';

const MINUTE = 60_000;
const hostile = `<img src=x onerror="window.pwned=1">`;

/**
 * Forty minutes of a three-service shop: frontend calls checkout (named by peer.service), checkout calls payments
 * (callee matched from payments' SERVER spans) with 10% 5xx, checkout calls a database by server.address, and a
 * service with a hostile name calls frontend with 3% errors.
 */
function buildShop(now: number): RawRecord[] {
  const start = Math.floor(now / MINUTE) * MINUTE - 40 * MINUTE;
  const records: RawRecord[] = [];
  const calls: [string, string | undefined, string, number, number][] = [
    ['frontend', 'checkout', 'checkout', 0, 120],
    ['checkout', undefined, 'payments', 0.1, 80],
    ['checkout', 'db.internal:5432', 'db.internal:5432', 0, 60],
    [hostile, 'frontend', 'frontend', 0.03, 100],
  ];
  calls.forEach(([caller, named, callee, errors, count], c) => {
    for (let k = 0; k < count; k++) {
      const traceId = `${c}${k}`.padStart(32, 'a');
      const spanId = `${c}${k}`.padStart(16, 'b');
      const failed = k < Math.round(count * errors);
      const edge: RawEdge = {
        kind: 'edge',
        tenant: 'acme',
        event_id: `${traceId}-${spanId}`,
        ts: start + (k % 38) * MINUTE + c,
        caller,
        ...(named === undefined ? {} : { callee: named }),
        status_code: failed ? 503 : 200,
        latency_ms: 5 + (k % 20),
        trace_id: traceId,
        span_id: spanId,
      };
      records.push(edge);
      if (callee.includes(':')) continue;
      const fact: RawFact = {
        kind: 'fact',
        tenant: 'acme',
        event_id: `${traceId}-${spanId.replace(/b/g, 'c')}`,
        ts: edge.ts + 1,
        service: callee,
        method: 'GET',
        path: '/work',
        status_code: edge.status_code,
        latency_ms: edge.latency_ms - 1,
        trace_id: traceId,
        span_id: spanId.replace(/b/g, 'c'),
        parent_span_id: spanId,
      };
      records.push(fact);
    }
  });
  return records;
}

/** 'rgb(13, 17, 23)' as '#0d1117', for the contrast formula. */
function hex(rgb: string): string {
  const parts = /rgba?\((\d+), (\d+), (\d+)/.exec(rgb);
  if (!parts) throw new Error(`not an rgb() colour: ${rgb}`);
  return `#${parts
    .slice(1, 4)
    .map((n) => Number(n).toString(16).padStart(2, '0'))
    .join('')}`;
}

const edgeSelector = (caller: string, callee: string) =>
  `.sm-edge[data-caller="${caller.replace(/["\\]/g, '\\$&')}"][data-callee="${callee}"]`;

describe('service map (Chromium against the real query server)', () => {
  let d: RealDashboard;
  const now = Date.now();
  beforeAll(async () => {
    d = await startRealDashboard(buildShop(now), now);
  }, 300_000);
  afterAll(async () => {
    await d?.close();
  });

  async function openMap(theme?: 'dark' | 'light'): Promise<Page> {
    const page = await d.open({ search: '?range=1h' });
    if (theme) await page.emulateMedia({ colorScheme: theme });
    await waitForData(page);
    await page.waitForSelector('#service-map:not([hidden]) svg.service-map-svg');
    return page;
  }

  it('draws one edge per API edge, coloured by its error-rate band, with a legend and hostile names as text', async () => {
    const page = await openMap();
    const to = Math.ceil(now / MINUTE) * MINUTE;
    const map = await d.api<ServiceMapResponse>(`/api/v1/service-map?from=${to - 3_600_000}&to=${to}`);
    const drawn = await page.$$eval('.sm-edge', (edges) =>
      edges.map((e) => [e.getAttribute('data-caller'), e.getAttribute('data-callee'), e.classList[1]]),
    );
    const band = (rate: number) => (rate < 0.01 ? 'sm-ok' : rate < 0.05 ? 'sm-warn' : 'sm-bad');
    expect(drawn).toEqual(map.edges.map((e) => [e.caller, e.callee, band(e.errorRate)]));
    expect(map.edges.map((e) => [e.caller, e.callee, e.requests, e.errors5xx])).toEqual([
      ['frontend', 'checkout', 120, 0],
      [hostile, 'frontend', 100, 3],
      ['checkout', 'payments', 80, 8],
      ['checkout', 'db.internal:5432', 60, 0],
    ]);
    expect(drawn.map((e) => e[2])).toEqual(['sm-ok', 'sm-warn', 'sm-bad', 'sm-ok']);
    expect(await page.$$eval('.sm-legend li', (li) => li.map((l) => l.textContent))).toEqual([
      'under 1% errors',
      '1% to 5% errors',
      '5% errors or more',
    ]);
    // The database and the hostile caller have no requests of their own: drawn dashed.
    expect(
      await page.$$eval('.sm-node.sm-external', (n) => n.map((x) => x.getAttribute('data-service'))),
    ).toEqual([hostile, 'db.internal:5432']);
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    await saveScreenshot(page, 'service-map');
  });

  it('opens an edge charts from the keyboard and with a click, with the API series of that edge', async () => {
    const page = await openMap();
    await page.focus(edgeSelector('checkout', 'payments'));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#service-map-edge h3');
    expect(await page.textContent('#service-map-edge h3')).toBe('checkout → payments');
    expect(
      await page.$$eval('#service-map-edge svg.chart', (s) =>
        s.map((x) => x.getAttribute('aria-labelledby')),
      ),
    ).toHaveLength(3);
    // The focus moved to the charts' heading, so a keyboard user lands on what opened.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('service-map-edge-title');
    // A straight edge has a zero-height box, which Playwright calls invisible; the pointer still hits its stroke.
    await page.click(`${edgeSelector(hostile, 'frontend')} .sm-hit`, { force: true });
    await page.waitForFunction(
      (title) => document.querySelector('#service-map-edge h3')?.textContent === title,
      `${hostile} → frontend`,
    );
    const to = Math.ceil(now / MINUTE) * MINUTE;
    const series = await d.api<EdgeTimeseriesResponse>(
      `/api/v1/service-map/edge?caller=${encodeURIComponent(hostile)}&callee=frontend&from=${to - 3_600_000}&to=${to}`,
    );
    expect(series.points.reduce((n, p) => n + p.requests, 0)).toBe(100);
    await saveScreenshot(page, 'service-map-edge');
  });

  it('keeps every edge colour at 3:1 against the card in both themes, and the edges reachable with Tab', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await openMap(theme);
      const colours = await page.evaluate(() => {
        const card = getComputedStyle(document.querySelector('#service-map')!).backgroundColor;
        const lines = [...document.querySelectorAll('.sm-edge .sm-line')].map(
          (l) => getComputedStyle(l).stroke,
        );
        return { card, lines };
      });
      for (const line of colours.lines)
        expect(contrastRatio(hex(line), hex(colours.card))).toBeGreaterThanOrEqual(3);
      if (theme === 'dark') await saveScreenshot(page, 'service-map-dark');
    }
    const page = await openMap();
    let reached = false;
    for (let i = 0; i < 200 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.classList.contains('sm-edge') ?? false);
    }
    expect(reached).toBe(true);
  });
});

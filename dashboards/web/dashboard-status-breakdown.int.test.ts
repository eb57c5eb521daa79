import type { TimeseriesResponse } from '../../workers/query/api-types.js';
import { formatPercent } from './src/domain/format.js';
import { saveScreenshot, waitForData } from './testing/dashboard-harness.js';
import { buildIncidentDataset } from './testing/incident-dataset.js';
import { startRealDashboard, type RealDashboard } from './testing/real-dashboard-harness.js';

/**
 * Issue #19's status breakdown in Debian Chromium against the real query server over rolled-up data: the stacked
 * bars carry exactly the API's per-class counts, and the 4xx trend is its own chart.
 */
describe('status breakdown (Chromium against the real query server)', () => {
  let d: RealDashboard;
  beforeAll(async () => {
    const { records, landmarks } = buildIncidentDataset(Date.now());
    d = await startRealDashboard(records, landmarks.now);
  }, 300_000);
  afterAll(async () => {
    await d?.close();
  });

  it('stacks 2xx/3xx/4xx/5xx per bucket with the counts the API answers, and draws a 4xx trend', async () => {
    const page = await d.open({ search: '?range=6h' });
    await waitForData(page);
    await page.waitForSelector('#card-status svg.status-chart');
    const url = new URL(page.url());
    expect(url.searchParams.get('range')).toBe('6h');
    const legend = await page.$$eval('#card-status .legend li', (lis) => lis.map((li) => li.textContent));
    expect(legend).toEqual(['2xx', '3xx', '4xx', '5xx']);
    const bars = await page.$$eval('#card-status g.status-bucket', (gs) =>
      gs.map((g) => ({
        t: Number(g.getAttribute('data-t')),
        requests: Number(g.getAttribute('data-requests')),
        c2xx: Number(g.getAttribute('data-c2xx')),
        c3xx: Number(g.getAttribute('data-c3xx')),
        c4xx: Number(g.getAttribute('data-c4xx')),
        c5xx: Number(g.getAttribute('data-c5xx')),
        partial: g.classList.contains('partial'),
      })),
    );
    const stepMs = bars[1]!.t - bars[0]!.t;
    const first = bars[0]!;
    const last = bars.at(-1)!;
    const ts = await d.api<TimeseriesResponse>(
      `/api/v1/timeseries?from=${first.t}&to=${last.t + stepMs}&step=${stepMs / 60_000}m`,
    );
    for (const bar of bars) {
      const p = ts.points.find((q) => q.t === bar.t)!;
      expect(bar).toEqual({
        t: p.t,
        requests: p.requests,
        c2xx: p.status2xx,
        c3xx: p.status3xx,
        c4xx: p.errors4xx,
        c5xx: p.errors5xx,
        partial: bar === last,
      });
      expect(p.status2xx + p.status3xx + p.errors4xx + p.errors5xx + p.status1xx + p.statusUnknown).toBe(
        p.requests,
      );
    }
    expect(bars.reduce((n, b) => n + b.c3xx, 0)).toBeGreaterThan(0);
    // Each bar's class rectangles stack to the bar's height: drawn from the counts, not a fixed share.
    const full = bars.find((b) => b.c2xx > 0 && b.c3xx > 0 && b.c4xx > 0 && b.c5xx > 0)!;
    const rects = await page.$$eval(`#card-status g.status-bucket[data-t="${full.t}"] rect`, (rs) =>
      rs.map((r) => ({ bar: r.getAttribute('class'), height: Number(r.getAttribute('height')) })),
    );
    expect(rects.map((r) => r.bar)).toEqual(['bar bar-2xx', 'bar bar-3xx', 'bar bar-4xx', 'bar bar-5xx']);
    // Heights follow the counts: 2xx against 4xx within the 0.1 px rounding.
    expect(rects[0]!.height / rects[2]!.height).toBeCloseTo(full.c2xx / full.c4xx, 0);
    expect(await page.textContent('#card-status .status-totals')).toMatch(
      /^2xx \d+(\.\d+)?% \([\d,]+\) · 3xx /,
    );
    // The newest bucket is still filling: marked (the last one only), not read as a drop.
    expect(bars.filter((b) => b.partial)).toEqual([last]);

    const trend = await page.$$eval('#card-client-errors .visually-hidden tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())),
    );
    const complete = bars.filter((b) => !b.partial && b.requests > 0);
    const peak = Math.max(...complete.map((b) => b.c4xx / b.requests));
    expect(trend[0]).toEqual(['4xx rate', expect.any(String), formatPercent(peak), expect.any(String)]);
    await saveScreenshot(page, 'status-breakdown');
    const phone = await d.open({ search: '?range=6h', viewport: { width: 390, height: 844 } });
    await waitForData(phone);
    await phone.waitForSelector('#card-status svg.status-chart');
    await phone.locator('#card-status').scrollIntoViewIfNeeded();
    await saveScreenshot(phone, 'status-breakdown-mobile');
  });

  it('offers a 30-day preset: 6-hour buckets, and the overview compares with whole weeks earlier', async () => {
    const page = await d.open({ search: '?range=30d' });
    await waitForData(page);
    expect(await page.inputValue('#range-select')).toBe('30d');
    expect(await page.textContent('#card-throughput h2')).toMatch(/· 6-hour buckets$/);
    await page.waitForSelector('#overview table');
    // No data 5 weeks back in this dataset: every change is '–', none claims "vs last week" over a 30-day range.
    expect(await page.textContent('#overview tbody')).not.toMatch(/vs last week/);
    await saveScreenshot(page, 'range-30d');
    const phone = await d.open({ search: '?range=30d', viewport: { width: 390, height: 844 } });
    await waitForData(phone);
    await saveScreenshot(phone, 'range-30d-mobile');
  });
});

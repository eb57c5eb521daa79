import type { Page } from 'playwright-core';
import { formatCount, formatLatency, formatPercent } from './src/domain/format.js';
import {
  saveScreenshot,
  startDashboardHarness,
  waitForData,
  waitForOverview,
  type DashboardHarness,
} from './testing/dashboard-harness.js';

describe('dashboard with data (Chromium against the fixture API)', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await startDashboardHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('loads charts and the endpoints table with the numbers the API returned', async () => {
    const page = await h.open();
    await waitForData(page);
    await saveScreenshot(page, 'overview');
    const q = h.lastRequest(page, 'endpoints')!.query;
    const expected = h.fixture
      .queries()
      .endpoints({ from: Number(q['from']), to: Number(q['to']), sort: 'errors', limit: 20 }).endpoints;
    const rows = await tableRows(page);
    expect(rows).toEqual(
      expected.map((r) => [
        `${r.service} ${r.method} ${r.path}${r.overflow ? 'overflow' : ''}`,
        formatCount(r.requests),
        formatCount(r.errors5xx),
        formatCount(r.errors4xx),
        formatPercent(r.errorRate),
        formatLatency(r.p50),
        formatLatency(r.p95),
        formatLatency(r.p99),
        formatLatency(r.p999),
        formatLatency(r.max),
      ]),
    );
    expect(rows[0]![0]).toBe('payments POST /charge');
    for (const kind of ['error-rate', 'latency', 'throughput']) {
      expect(await page.locator(`#card-${kind} svg.chart path.series`).count()).toBeGreaterThan(0);
    }
    // Each line plus its right-edge bucket, still filling, drawn apart (dashed) rather than as a drop.
    expect(
      await page
        .locator('#card-latency path.series:not(.series-partial)')
        .evaluateAll((ps) => ps.map((p) => p.dataset['series'])),
    ).toEqual(['p50', 'p95', 'p99', 'p99.9', 'max']);
    expect(
      await page
        .locator('#card-latency path.series-partial')
        .evaluateAll((ps) => ps.map((p) => p.dataset['series'])),
    ).toEqual(['p50 (partial)', 'p95 (partial)', 'p99 (partial)', 'p99.9 (partial)', 'max (partial)']);
    expect(await page.textContent('#freshness')).toMatch(
      /^Rollup ran (just now|\d+ s ago|1 min ago) · newest request/,
    );
    expect(await page.locator('#card-throughput .marker-deploy').count()).toBe(2);
    expect(await page.locator('#card-throughput .marker-incident').count()).toBe(1);
    // The SVG <title> became a real tooltip (type, service, version, time, description) on hover and focus.
    await page.hover('#card-throughput .marker-incident .marker-hit');
    expect(await page.textContent('#card-throughput .marker-tip:not([hidden])')).toMatch(
      /^incident payments /,
    );
    await page.hover('#card-throughput .marker-deploy[data-events="1"] .marker-hit');
    expect(await page.textContent('#card-throughput .marker-tip:not([hidden])')).toMatch(
      /^deploy payments v3\.1\.0 .*new PSP$/,
    );
  });

  it('opens on the service overview with each service the API returned and its sparkline', async () => {
    const page = await h.open();
    await waitForOverview(page);
    const q = h.lastRequest(page, 'services', (r) => r['latency'] === '1' && r['limit'] === '8')!.query;
    const expected = h.fixture.queries().services(Number(q['from']), Number(q['to'])).services;
    const rows = await page.$$eval('#overview tbody tr', (trs) =>
      trs.map((tr) => [
        tr.querySelector('th')?.textContent,
        tr.querySelector('td:nth-of-type(2) .figure')?.textContent,
      ]),
    );
    expect(rows.map((r) => r[0]).sort()).toEqual(expected.map((s) => s.service).sort());
    for (const s of expected) {
      expect(rows).toContainEqual([s.service, formatCount(s.requests)]);
      // One sparkline call per service, over the overview's range.
      expect(
        h.lastRequest(page, 'timeseries', (t) => t['service'] === s.service && t['from'] === q['from']),
      ).toBeDefined();
    }
    expect(await page.locator('#overview tbody .spark path').count()).toBe(expected.length);
    for (const d of await page
      .locator('#overview tbody .spark path')
      .evaluateAll((ps) => ps.map((p) => p.getAttribute('d'))))
      expect(d).toMatch(/^M/);
  });

  it('filters by service: the URL updates and the data is fetched again for that service', async () => {
    // No auto-refresh: a refresh would add all-services requests to the ones the change causes.
    const page = await h.open({ search: '?refresh=off' });
    await waitForData(page);
    await waitForOverview(page);
    const mark = h.requests(page, 'timeseries').length;
    await page.selectOption('#service-filter', 'payments');
    await page.waitForURL(/\?service=payments&refresh=off$/);
    await page.waitForFunction(() =>
      document.querySelector('#endpoints-title')?.textContent?.endsWith('payments'),
    );
    // Every chart request since the change is for payments (a service page loads no overview sparklines).
    const charts = h.requests(page, 'timeseries').slice(mark);
    expect(charts.length).toBeGreaterThan(0);
    expect(charts.map((r) => r.query['service'])).toEqual(charts.map(() => 'payments'));
    expect(h.lastRequest(page, 'endpoints')!.query['service']).toBe('payments');
    expect((await tableRows(page)).map((r) => r[0])).toEqual(['POST /charge', 'GET /refunds/:id']);
    expect(await page.textContent('#card-error-rate h2')).toBe(
      'Error rate (5xx), payments · 1-minute buckets',
    );
    expect(await page.locator('#card-error-rate .marker').count()).toBe(2);
  });

  it('drills down into an endpoint and back, with browser history following', async () => {
    const page = await h.open({ search: '?service=payments' });
    await waitForData(page);
    await page.click('button[aria-label="Drill down into payments POST /charge"]');
    await page.waitForURL(/\?service=payments&method=POST&path=%2Fcharge$/);
    await page.waitForFunction(() =>
      document.querySelector('#card-latency h2')?.textContent?.includes('/charge'),
    );
    expect(await page.isVisible('#breadcrumb')).toBe(true);
    expect(await page.textContent('#drill-current')).toBe('payments POST /charge');
    expect(h.lastRequest(page, 'timeseries')!.query).toMatchObject({
      service: 'payments',
      method: 'POST',
      path: '/charge',
    });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('drill-back');
    expect(await page.getAttribute('#endpoints-table tr[aria-current="true"] button', 'data-path')).toBe(
      '/charge',
    );
    await saveScreenshot(page, 'drill-down');

    await page.click('#drill-back');
    await page.waitForURL(/\?service=payments$/);
    await page.waitForFunction(
      () =>
        document.querySelector('#card-latency h2')?.textContent === 'Latency, payments · 1-minute buckets',
    );
    expect(await page.isVisible('#breadcrumb')).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-path'))).toBe('/charge');
    expect(h.lastRequest(page, 'timeseries')!.query['path']).toBeUndefined();

    await page.goBack();
    await page.waitForFunction(() =>
      document.querySelector('#card-latency h2')?.textContent?.includes('/charge'),
    );
    expect(page.url()).toContain('path=%2Fcharge');
  });

  it.each([
    ['1d', 'day before'],
    ['7d', 'week before'],
  ])('draws the %s comparison as a dashed overlay on every chart', async (offset, label) => {
    const page = await h.open();
    await waitForData(page);
    await page.selectOption('#compare-select', offset);
    await page.waitForURL(new RegExp(`\\?compare=${offset}$`));
    await page.waitForSelector('#card-throughput path.series-compare');
    expect(chartRequest(h, page)!.query['compare']).toBe(offset);
    for (const kind of ['error-rate', 'latency', 'throughput']) {
      expect(await page.locator(`#card-${kind} path.series-compare`).count()).toBe(1);
    }
    expect(await page.textContent('#card-latency .legend')).toContain(`p95, ${label}`);
    const dash = await page.$eval(
      '#card-latency path.series-compare',
      (p) => getComputedStyle(p).strokeDasharray,
    );
    expect(dash).not.toBe('none');
    await saveScreenshot(page, `compare-${offset}`);
  });

  it('opens a bookmarked view with its service, range and comparison', async () => {
    const page = await h.open({ search: '?service=checkout&range=6h&compare=1d&sort=requests' });
    await waitForData(page);
    expect(await page.inputValue('#service-filter')).toBe('checkout');
    expect(await page.inputValue('#range-select')).toBe('6h');
    expect(await page.inputValue('#compare-select')).toBe('1d');
    expect(await page.inputValue('#sort-select')).toBe('requests');
    const ts = h.lastRequest(page, 'timeseries', isChartSeries)!.query;
    expect(ts['step']).toBe('300000');
    expect(Number(ts['to']) - Number(ts['from'])).toBeGreaterThanOrEqual(6 * 3_600_000);
    expect(h.lastRequest(page, 'endpoints')!.query['sort']).toBe('requests');
    expect((await tableRows(page)).map((r) => r[0])).toEqual([
      'GET /orders/:id',
      'GET /cart',
      'POST /orders',
    ]);
  });

  it('shows every series value at the step under the pointer', async () => {
    const page = await h.open({ search: '?compare=1d' });
    await waitForData(page);
    await page.waitForSelector('#card-latency path.series-compare', { state: 'attached' });
    const box = (await page.locator('#card-latency svg.chart').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.waitForSelector('#card-latency .readout:not([hidden])');
    const lines = await page.$$eval('#card-latency .readout div', (ds) => ds.map((d) => d.textContent));
    expect(lines.map((l) => l?.split(':')[0])).toEqual([
      'p50',
      'p95',
      'p99',
      'p99.9',
      'max',
      'p95, day before',
    ]);
    for (const l of lines) expect(l).toMatch(/: ([\d.]+ m?s|no data)$/);
    expect(await page.$eval('#card-latency .crosshair', (l) => (l as SVGLineElement).style.display)).toBe('');
    await saveScreenshot(page, 'hover');
    await page.mouse.move(0, 0);
    await page.waitForSelector('#card-latency .readout', { state: 'hidden' });
  });

  it('re-sorts the table through the API when the sort changes', async () => {
    const page = await h.open({ search: '?service=checkout' });
    await waitForData(page);
    // POST /orders may lead under both sorts, so wait for the p95 response rather than for the table to change.
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/endpoints?') && r.url().includes('sort=p95')),
      page.selectOption('#sort-select', 'p95'),
    ]);
    await page.waitForURL(/\?service=checkout&sort=p95$/);
    await page.waitForFunction(() => document.querySelector('#loading')?.textContent === '');
    const paths = await page.$$eval('#endpoints-table tbody button', (bs) =>
      bs.map((b) => b.getAttribute('data-path')),
    );
    expect(paths).toEqual(['/orders', '/orders/:id', '/cart']);
    expect(h.lastRequest(page, 'endpoints')!.query['sort']).toBe('p95');
  });

  it('keeps auto-refresh off in the URL', async () => {
    const page = await h.open();
    await waitForData(page);
    await page.uncheck('#auto-refresh');
    await page.waitForURL(/\?refresh=off$/);
    const reopened = await h.open({ search: '?refresh=off' });
    await waitForData(reopened);
    expect(await reopened.isChecked('#auto-refresh')).toBe(false);
  });

  it('says so in words when the chosen range has no requests', async () => {
    const from = Date.now() + 86_400_000;
    const page = await h.open({ search: `?from=${from}&to=${from + 3_600_000}` });
    await page.waitForSelector('#card-latency .chart-box.no-data');
    expect(await page.textContent('#card-latency .chart-box')).toBe(
      'No requests for all services in this time range.',
    );
    expect(await page.textContent('#endpoints-table')).toBe('No requests in this time range.');
    expect(await page.inputValue('#range-select')).toBe('custom');
    expect(await page.isVisible('#custom-range')).toBe(true);
  });

  it('applies a custom from/to range and keeps it in the URL', async () => {
    const page = await h.open();
    await waitForData(page);
    await page.selectOption('#range-select', 'custom');
    await page.fill('#range-from-date', '2020-01-02');
    await page.fill('#range-from-time', '10:00');
    await page.fill('#range-to-date', '2020-01-02');
    await page.fill('#range-to-time', '09:00');
    await page.click('#range-apply');
    expect(await page.textContent('#range-error')).toBe('The start must be before the end.');
    await page.fill('#range-to-time', '12:00');
    await page.click('#range-apply');
    await page.waitForURL(/from=2020-01-02T/);
    await page.waitForFunction(() => document.querySelector('#loading')?.textContent === '');
    const q = chartRequest(h, page)!.query;
    const from = await page.evaluate(() => new Date('2020-01-02T10:00').getTime());
    expect(Number(q['from'])).toBe(from);
    expect(Number(q['to']) - Number(q['from'])).toBe(2 * 3_600_000);
  });
});

/** A chart's series, not the comparison figures' call (one step spanning the range, load-compare-figures.ts). */
const isChartSeries = (q: Record<string, string>) => Number(q['step']) < Number(q['to']) - Number(q['from']);

/** The charts' timeseries request for all services: the overview's sparklines are timeseries calls for one service. */
function chartRequest(h: DashboardHarness, page: Page) {
  return h.lastRequest(page, 'timeseries', (q) => q['service'] === undefined && isChartSeries(q));
}

async function tableRows(page: Page): Promise<string[][]> {
  return page.$$eval('#endpoints-table tbody tr', (trs) =>
    trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())),
  );
}

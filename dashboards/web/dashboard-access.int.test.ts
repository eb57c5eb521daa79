import {
  saveScreenshot,
  startDashboardHarness,
  waitForData,
  waitForOverview,
  type DashboardHarness,
} from './testing/dashboard-harness.js';

describe('dashboard on a phone and from the keyboard (Chromium against the fixture API)', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await startDashboardHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('fits a 390x844 phone screen without horizontal scrolling', async () => {
    const page = await h.open({ viewport: { width: 390, height: 844 } });
    await waitForData(page);
    await saveScreenshot(page, 'phone');
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      charts: [...document.querySelectorAll('svg.chart')].map((s) => s.getBoundingClientRect().width),
    }));
    expect(widths.page).toBeLessThanOrEqual(390);
    // Latency, throughput, errors, the status breakdown and the 4xx trend.
    expect(widths.charts).toHaveLength(5);
    for (const w of widths.charts) expect(w).toBeLessThanOrEqual(370);
    // The endpoints table may scroll inside its own box, never the page.
    expect(await page.$eval('#endpoints-table', (e) => getComputedStyle(e).overflowX)).toBe('auto');
  });

  it('does not scroll sideways on a desktop screen either', async () => {
    const page = await h.open({ search: '?compare=7d' });
    await waitForData(page);
    await page.waitForSelector('path.series-compare');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  });

  it('reaches the service filter with Tab and changes it with the arrow keys', async () => {
    // No auto-refresh: a refresh would add all-services requests to the ones the change causes.
    const page = await h.open({ search: '?refresh=off' });
    await waitForData(page);
    // The overview's sparklines are timeseries calls too: let them finish before the change is measured.
    await waitForOverview(page);
    const mark = h.requests(page, 'timeseries').length;
    const focused: string[] = [];
    for (let i = 0; i < 5 && focused.at(-1) !== 'service-filter'; i++) {
      await page.keyboard.press('Tab');
      focused.push(
        await page.evaluate(() => document.activeElement?.id || document.activeElement?.className || ''),
      );
    }
    expect(focused).toEqual(['skip-link', 'logout', 'theme-select', 'service-filter']);
    const outline = await page.$eval('#service-filter', (e) => getComputedStyle(e).outlineStyle);
    expect(outline).toBe('solid');
    await page.keyboard.press('ArrowDown');
    await page.waitForURL(/\?service=checkout&refresh=off$/);
    await page.waitForFunction(() =>
      document.querySelector('#endpoints-title')?.textContent?.endsWith('checkout'),
    );
    const charts = h.requests(page, 'timeseries').slice(mark);
    expect(charts.length).toBeGreaterThan(0);
    expect(charts.map((r) => r.query['service'])).toEqual(charts.map(() => 'checkout'));
    await saveScreenshot(page, 'keyboard');
  });

  it('drills down with Enter on an endpoint and comes back with Enter on the breadcrumb', async () => {
    const page = await h.open({ search: '?service=checkout' });
    await waitForData(page);
    await page.focus('button[data-path="/orders"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/path=%2Forders$/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('drill-back');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?service=checkout$/);
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-path') === '/orders');
  });

  it('loads everything from its own origin, so it works offline with no CDN', async () => {
    const context = await h.browser.newContext();
    const requested: string[] = [];
    context.on('request', (r) => requested.push(r.url()));
    await context.addInitScript((t) => localStorage.setItem('gravix.token', t), h.fixture.token);
    const page = await context.newPage();
    await page.goto(`${h.fixture.url}/?service=payments`);
    await waitForData(page);
    expect(requested.length).toBeGreaterThan(5);
    expect(requested.filter((u) => !u.startsWith(`${h.fixture.url}/`))).toEqual([]);
    await context.close();
  });

  it('loads from a deep link, as the SPA fallback serves index.html for any non-API path', async () => {
    const page = await h.open({ search: 'services/payments?service=payments' });
    await waitForData(page);
    expect(await page.inputValue('#service-filter')).toBe('payments');
  });

  it('follows a dark colour scheme preference', async () => {
    const context = await h.browser.newContext({
      colorScheme: 'dark',
      viewport: { width: 1280, height: 900 },
    });
    await context.addInitScript((t) => localStorage.setItem('gravix.token', t), h.fixture.token);
    const page = await context.newPage();
    await page.goto(`${h.fixture.url}/`);
    await waitForData(page);
    expect(await page.$eval('html', (e) => getComputedStyle(e).backgroundColor)).toBe('rgb(13, 17, 23)');
    await saveScreenshot(page, 'dark');
    await context.close();
  });

  it('describes charts to assistive technology with a title, a description and a summary table', async () => {
    const page = await h.open();
    await waitForData(page);
    const chart = await page.$eval('#card-error-rate svg.chart', (svg) => ({
      role: svg.getAttribute('role'),
      labelledBy: svg.getAttribute('aria-labelledby'),
      title: svg.querySelector('title')?.textContent,
      desc: svg.querySelector('desc')?.textContent,
    }));
    expect(chart).toEqual({
      role: 'img',
      labelledBy: 'chart-error-rate-title chart-error-rate-desc',
      title: 'Error rate (5xx), all services · 1-minute buckets',
      desc: expect.stringMatching(
        /^error rate: latest [\d.]+%, peak [\d.]+%; 3 deploy or incident markers\.$/,
      ),
    });
    const summary = await page.$$eval('#card-latency .visually-hidden table tbody th', (ths) =>
      ths.map((th) => th.textContent),
    );
    expect(summary).toEqual(['p50', 'p95', 'p99', 'p99.9', 'max']);
    expect(await page.getAttribute('#banner', 'aria-live')).toBe('assertive');
    expect(await page.getAttribute('#freshness', 'role')).toBe('status');
  });
});

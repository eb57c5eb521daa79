import type { Page } from 'playwright-core';
import { formatCount, formatLatency, formatPercent } from './src/domain/format.js';
import {
  saveScreenshot,
  startDashboardHarness,
  waitForData,
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
    const q = h.fixture.lastRequest('endpoints')!.query;
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
      ]),
    );
    expect(rows[0]![0]).toBe('payments POST /charge');
    for (const kind of ['error-rate', 'latency', 'throughput']) {
      expect(await page.locator(`#card-${kind} svg.chart path.series`).count()).toBeGreaterThan(0);
    }
    expect(
      await page.locator('#card-latency path.series').evaluateAll((ps) => ps.map((p) => p.dataset['series'])),
    ).toEqual(['p50', 'p95', 'p99']);
    expect(await page.textContent('#freshness')).toMatch(/^Data updated (less than a minute|1 min) ago$/);
    expect(await page.locator('#card-throughput .marker').count()).toBe(2);
  });
});

async function tableRows(page: Page): Promise<string[][]> {
  return page.$$eval('#endpoints-table tbody tr', (trs) =>
    trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())),
  );
}

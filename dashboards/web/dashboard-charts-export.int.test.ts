import { readFileSync } from 'node:fs';
import type { Download, Page } from 'playwright-core';
import type {
  EndpointsResponse,
  LatencyHeatmapResponse,
  ServicesResponse,
} from '../../workers/query/api-types.js';
import type { RawFact } from '../../workers/domain/raw-record.js';
import { contrastRatio } from './src/domain/contrast.js';
import { formatCount, formatLatency } from './src/domain/format.js';
import { saveScreenshot, waitForData } from './testing/dashboard-harness.js';
import { buildIncidentDataset, MINUTE, TENANT } from './testing/incident-dataset.js';
import { parseCsv } from './testing/parse-csv.js';
import { startRealDashboard, type RealDashboard } from './testing/real-dashboard-harness.js';

/** Names whoever sends facts controls: a spreadsheet must show them as text, never run them. */
const HOSTILE_SERVICES = ['=HYPERLINK("http://evil.example","open")', '-2+3', '@SUM(1)'];

function hostileFacts(nowMinute: number): RawFact[] {
  return HOSTILE_SERVICES.map((service, i) => ({
    kind: 'fact',
    tenant: TENANT,
    event_id: `hostile-${i}`,
    ts: nowMinute - 20 * MINUTE + i * 1_000,
    service,
    method: 'GET',
    path: '/a,"b"',
    status_code: 200,
    latency_ms: 25,
  }));
}

async function download(page: Page, click: () => Promise<void>): Promise<{ file: Download; body: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return { file, body: readFileSync((await file.path())!) };
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

/**
 * Issue #19's latency distribution, downloads and display options in Debian Chromium against the real query
 * server over rolled-up data (one server and browser for the file).
 */
describe('latency heatmap, downloads and themes (Chromium against the real query server)', () => {
  let d: RealDashboard;
  let suggestMinute: number;
  beforeAll(async () => {
    const { records, landmarks } = buildIncidentDataset(Date.now());
    suggestMinute = landmarks.suggestMinute;
    d = await startRealDashboard([...records, ...hostileFacts(landmarks.nowMinute)], landmarks.now);
  }, 300_000);
  afterAll(async () => {
    await d?.close();
  });

  it('draws the latency heatmap cell for cell as the API answers it, with its count on hover', async () => {
    const page = await d.open({ search: '?range=6h&service=payments' });
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/latency-heatmap'));
    await waitForData(page);
    const url = new URL((await answered).url());
    await page.waitForSelector('#card-latency-heatmap svg.heatmap-chart');
    const api = await d.api<LatencyHeatmapResponse>(`${url.pathname}${url.search}`);
    expect(url.searchParams.get('service')).toBe('payments');
    const cells = await page.$$eval('#card-latency-heatmap rect.heat-cell', (rects) =>
      rects.map((r) => ({
        t: Number(r.getAttribute('data-t')),
        band: Number(r.getAttribute('data-band')),
        count: Number(r.getAttribute('data-count')),
        total: Number(r.getAttribute('data-total')),
      })),
    );
    // Every non-empty cell the API answered is drawn with its numbers, and nothing else.
    const expected = api.points.flatMap((p) =>
      p.counts.flatMap((count, band) => (count > 0 ? [{ t: p.t, band, count, total: p.total }] : [])),
    );
    expect(cells).toEqual(expected);
    // payments answers in 80-200 ms: exactly the bands that hold them.
    expect(api.bands.map((b) => [b.lowMs, b.highMs])).toEqual([
      [50, 100],
      [100, 200],
    ]);
    const busiest = cells.reduce((a, b) => (b.count > a.count ? b : a));
    await page.hover(
      `#card-latency-heatmap rect.heat-cell[data-t="${busiest.t}"][data-band="${busiest.band}"]`,
    );
    await page.waitForFunction(() =>
      document.querySelector('#card-latency-heatmap .heatmap-readout')?.textContent?.includes(' of '),
    );
    const readout = await page.textContent('#card-latency-heatmap .heatmap-readout');
    expect(readout).toContain(
      `100 ms – 200 ms: ${formatCount(busiest.count)} of ${formatCount(busiest.total)} requests`,
    );
    expect(await page.$$eval('#card-latency-heatmap .heat-legend li', (l) => l.at(-1)?.textContent)).toBe(
      formatCount(api.maxCount),
    );
    await saveScreenshot(page, 'latency-heatmap');
    const phone = await d.open({
      search: '?range=6h&service=payments',
      viewport: { width: 390, height: 844 },
    });
    await phone.waitForSelector('#card-latency-heatmap svg.heatmap-chart');
    await saveScreenshot(phone, 'latency-heatmap-mobile');
  });

  it('shows p99.9 and max beside p50/p95/p99, max as the table says, and switches series off and on', async () => {
    const page = await d.open({ search: `?service=search&method=GET&path=%2Fsuggest&range=1h` });
    await waitForData(page);
    const legend = await page.$$eval('#card-latency .legend .series-toggle', (b) =>
      b.map((x) => x.textContent),
    );
    expect(legend.slice(0, 5)).toEqual(['p50', 'p95', 'p99', 'p99.9', 'max']);
    const summary = await page.$$eval('#card-latency .visually-hidden tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())),
    );
    const maxPeak = summary.find((r) => r[0] === 'max')![2];
    const rows = await d.api<EndpointsResponse>(
      `/api/v1/endpoints?service=search&from=${suggestMinute}&to=${suggestMinute + MINUTE}`,
    );
    const suggest = rows.endpoints.find((e) => e.path === '/suggest')!;
    // The one minute with 12 ms and 1.23 s: p99 is the fast one by the rank rule, max is the slow one.
    expect(maxPeak).toBe(formatLatency(suggest.max));
    expect(maxPeak).toBe('1.23 s');
    const tableMax = await page.$eval(
      '#endpoints-table tbody tr:has(button[data-path="/suggest"]) td:last-child',
      (td) => td.textContent,
    );
    expect(tableMax).toBe(maxPeak);

    await page.click('#card-latency .legend button:text-is("max")');
    await page.waitForSelector('#card-latency path[data-series="max"]', { state: 'detached' });
    expect(await page.getAttribute('#card-latency .legend button:text-is("max")', 'aria-pressed')).toBe(
      'false',
    );
    await page.reload();
    await waitForData(page);
    // Kept in this browser: still off after a reload, and the other series still drawn.
    expect(await page.$('#card-latency path[data-series="max"]')).toBeNull();
    expect(
      await page.$('#card-latency path[data-series="p99.9"], #card-latency circle.dot-p999'),
    ).not.toBeNull();
    await page.click('#card-latency .legend button:text-is("max")');
    await page.waitForSelector('#card-latency .legend button[aria-pressed="true"]:text-is("max")');
  });

  it('exports every endpoint of every page as RFC 4180 CSV with formula-looking names neutralised', async () => {
    const page = await d.open({ search: '?range=1h&sort=requests' });
    await waitForData(page);
    const count = await page.textContent('#endpoints-count');
    const total = Number(/of (\d+) endpoints/.exec(count ?? '')?.[1]);
    expect(total).toBeGreaterThan(20);
    const exportCall = page.waitForRequest(
      (r) => r.url().includes('/api/v1/endpoints') && r.url().includes('limit=1000'),
    );
    const { file, body } = await download(page, () => page.click('#endpoints-csv'));
    expect(file.suggestedFilename()).toMatch(/^gravix-endpoints-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.csv$/);
    const call = new URL((await exportCall).url());
    const api = await d.api<EndpointsResponse>(`${call.pathname}${call.search}`);
    const [header, ...rows] = parseCsv(body.toString('utf8'));
    expect(header!.slice(0, 4)).toEqual(['service', 'method', 'path', 'requests']);
    expect(rows).toHaveLength(total);
    expect(
      rows.map((r) => [r[0]!.replace(/^'(?=[=+\-@])/, ''), r[1], r[2], Number(r[3]), Number(r[11])]),
    ).toEqual(api.endpoints.map((e) => [e.service, e.method, e.path, e.requests, e.max]));
    const hostile = rows.filter((r) => r[2] === '/a,"b"').map((r) => r[0]);
    expect(hostile.sort()).toEqual(HOSTILE_SERVICES.map((s) => `'${s}`).sort());
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@]/);
    expect(await page.textContent('#endpoints-csv-status')).toBe(`Exported ${total} endpoints.`);

    // The overview: the rows it shows, in its order.
    await page.waitForSelector('#overview-table table');
    const shown = await page.$$eval('#overview-table tbody tr', (trs) =>
      trs.map((tr) => tr.getAttribute('data-service')),
    );
    const overview = await download(page, () => page.click('#overview-csv'));
    const [head, ...services] = parseCsv(overview.body.toString('utf8'));
    expect(head![0]).toBe('service');
    expect(services.map((r) => r[0]!.replace(/^'(?=[=+\-@])/, ''))).toEqual(shown);
    const listed = await d.api<ServicesResponse>(
      `/api/v1/services?from=${call.searchParams.get('from')}&to=${call.searchParams.get('to')}`,
    );
    const requests = new Map(listed.services.map((s) => [s.service, s.requests]));
    for (const r of services) expect(Number(r[1])).toBe(requests.get(r[0]!.replace(/^'(?=[=+\-@])/, '')));
  });

  it('downloads a chart as self-contained SVG (styles inlined) and as PNG drawn from it', async () => {
    const page = await d.open({ search: '?range=1h' });
    await waitForData(page);
    const p95Stroke = await page.$eval(
      '#card-latency path[data-series="p95"]',
      (p) => getComputedStyle(p).stroke,
    );
    const svg = await download(page, () => page.click('#card-latency button[data-format="svg"]'));
    expect(svg.file.suggestedFilename()).toMatch(/^gravix-latency-.*\.svg$/);
    const text = svg.body.toString('utf8');
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
    expect(text).not.toMatch(/class="|<style|<link|https?:\/\/(?!www\.w3\.org)/);
    // Opened on its own, without the page's stylesheet, the file draws p95 in the colour the page did.
    const viewer = await d.browser.newPage();
    await viewer.goto(`data:image/svg+xml;base64,${svg.body.toString('base64')}`);
    expect(await viewer.$eval('path[data-series="p95"]', (p) => getComputedStyle(p).stroke)).toBe(p95Stroke);
    expect(await viewer.$eval('svg > rect', (r) => r.getAttribute('fill'))).toBe('rgb(255, 255, 255)');

    const png = await download(page, () => page.click('#card-latency button[data-format="png"]'));
    expect(png.file.suggestedFilename()).toMatch(/^gravix-latency-.*\.png$/);
    expect(png.body.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    const [width, height] = [png.body.readUInt32BE(16), png.body.readUInt32BE(20)];
    const svgSize = await page.$eval('#card-latency svg.chart', (s) => [
      Number(s.getAttribute('width')),
      Number(s.getAttribute('height')),
    ]);
    expect([width, height]).toEqual(svgSize.map((n) => n * 2));
    // Not a blank canvas: the image holds the background, the lines and the labels (read in an HTML page).
    await viewer.goto('about:blank');
    const colours = await viewer.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      [canvas.width, canvas.height] = [img.width, img.height];
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 7)
        seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return seen.size;
    }, png.body.toString('base64'));
    expect(colours).toBeGreaterThan(20);
    await viewer.close();

    const status = await download(page, () => page.click('#card-status button[data-format="svg"]'));
    expect(status.body.toString('utf8')).toContain('data-c5xx');
    // All services: no heatmap (one distribution of every service says little); a service has one.
    expect(await page.isHidden('#card-latency-heatmap')).toBe(true);
    await page.selectOption('#service-filter', 'checkout');
    await page.waitForSelector('#card-latency-heatmap svg.heatmap-chart');
    const heat = await download(page, () => page.click('#card-latency-heatmap button[data-format="svg"]'));
    expect(heat.body.toString('utf8')).toContain('data-band');
  });

  it('follows the system theme until the user picks one, keeps the pick, and keeps text and lines legible', async () => {
    const page = await d.open({ search: '?range=6h' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await waitForData(page);
    const theme = () => page.evaluate(() => document.documentElement.dataset['theme']);
    const colours = () =>
      page.evaluate(() => {
        const card = document.querySelector('#card-latency')!;
        const style = (sel: string, prop: 'color' | 'stroke' | 'backgroundColor') =>
          getComputedStyle(document.querySelector(sel)!)[prop];
        return {
          text: getComputedStyle(document.body).color,
          bg: getComputedStyle(document.documentElement).backgroundColor,
          card: getComputedStyle(card).backgroundColor,
          muted: style('#freshness', 'color'),
          p95: style('#card-latency path[data-series="p95"]', 'stroke'),
          errors: style('#card-error-rate path[data-series="error rate"]', 'stroke'),
        };
      });
    const legible = (c: Awaited<ReturnType<typeof colours>>) => ({
      text: contrastRatio(hex(c.text), hex(c.bg)) >= 4.5,
      muted: contrastRatio(hex(c.muted), hex(c.card)) >= 4.5,
      p95: contrastRatio(hex(c.p95), hex(c.card)) >= 3,
      errors: contrastRatio(hex(c.errors), hex(c.card)) >= 3,
    });
    const allTrue = { text: true, muted: true, p95: true, errors: true };
    expect(await theme()).toBe('dark');
    const dark = await colours();
    expect(hex(dark.bg)).toBe('#0d1117');
    expect(legible(dark)).toEqual(allTrue);
    await saveScreenshot(page, 'theme-dark');

    await page.selectOption('#theme-select', 'light');
    expect(await theme()).toBe('light');
    const light = await colours();
    expect(hex(light.bg)).toBe('#f6f7f9');
    expect(legible(light)).toEqual(allTrue);
    await page.reload();
    await waitForData(page);
    // The pick wins over the system's dark preference after a reload.
    expect([await theme(), await page.inputValue('#theme-select')]).toEqual(['light', 'light']);
    await page.selectOption('#theme-select', 'auto');
    expect(await theme()).toBe('dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => document.documentElement.dataset['theme'] === 'light');

    const phone = await d.open({ search: '?range=6h&service=search', viewport: { width: 390, height: 844 } });
    await phone.emulateMedia({ colorScheme: 'dark' });
    await waitForData(phone);
    await phone.waitForSelector('#card-latency-heatmap svg.heatmap-chart');
    await saveScreenshot(phone, 'theme-dark-mobile');
  });

  it('draws the 30-day preset end to end: 6-hour buckets in every chart and the heatmap', async () => {
    const page = await d.open({ search: '?range=30d&service=checkout' });
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/latency-heatmap'));
    await waitForData(page);
    const heat = new URL((await answered).url());
    expect(heat.searchParams.get('step')).toBe(String(6 * 60 * MINUTE));
    expect(
      Number(heat.searchParams.get('to')) - Number(heat.searchParams.get('from')),
    ).toBeGreaterThanOrEqual(30 * 24 * 60 * MINUTE);
    await page.waitForSelector('#card-latency-heatmap rect.heat-cell');
    expect(await page.textContent('#card-latency-heatmap h2')).toContain('6-hour buckets');
    expect(await page.textContent('#card-latency h2')).toContain('6-hour buckets');
    await saveScreenshot(page, 'latency-heatmap-30d');
  });
});

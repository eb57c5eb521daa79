/**
 * bench/dashboard: the dashboard in Debian Chromium against the query server as `gravix dev` runs it
 * (`startQueryServer` with the embedded defaults of workers/dev/config.ts: DuckDB with a 256MB buffer pool, the
 * engine guard and the result cache) over bench/query's 7-day dataset (v6, with the day-hours tiles; 20 services x
 * 50 paths). The browser's clock is set to just before the dataset's end. Per iteration it measures:
 * - `firstChart7d`: navigation start to the first chart drawn (any `svg.chart`) of the 7-day service page;
 * - `fullPage7d`: navigation start to the latency chart and the endpoint table both drawn;
 * - `drillDownClick7d`: a click on an endpoint row to its charts and table drawn; each iteration clicks another
 *   endpoint, so its series is not in the result cache (the services and endpoint lists are, as on a real page);
 * - CPU of the click: this process's CPU time over the click (the query server and DuckDB's threads run here;
 *   Playwright's client too, a few ms) and the page's main-thread CPU time (Chromium's `ThreadTime`; its busy
 *   wall time, script and layout beside it), which do not grow with the machine's load the way wall time does;
 * - the floor, in the same run: the same five calls of a drill-down into another, never asked endpoint, fetched in
 *   parallel from Node (engine and HTTP only, no browser), with their CPU time.
 * Usage: npm run bench:dashboard [-- --iterations 5 --density 0.25]
 */
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { CDPSession, Page } from 'playwright-core';
import { dashboardAssetsDir } from '../../dashboards/web/index.js';
import { resolveRange } from '../../dashboards/web/src/domain/time-range.js';
import { launchChromium } from '../../testbin/harness/chromium.js';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { hashApiKey } from '../../workers/domain/api-keys.js';
import { loadDevEnvironment } from '../../workers/dev/config.js';
import type { EndpointsResponse } from '../../workers/query/api-types.js';
import { startQueryServer } from '../../workers/query/app/query-server.js';
import { loadQueryConfig } from '../../workers/query/config.js';
import { benchDataset, benchEnd, benchNow, benchTenant, datasetRoot } from '../query/dashboard-calls.js';
import { ensureDataset } from '../query/query-dataset.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const density = arg('density', 0.25);
const iterations = arg('iterations', 5);
const key = 'bench-key';
const service = 'svc-03';

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: Number(pct(sorted, 0.5).toFixed(1)),
    max: Number(sorted.at(-1)!.toFixed(1)),
    all: values.map((v) => Number(v.toFixed(1))),
  };
};
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

const pageMetrics = ['ThreadTime', 'TaskDuration', 'ScriptDuration', 'LayoutDuration'] as const;
type PageMetrics = Record<(typeof pageMetrics)[number], number>;

/**
 * The page's counters so far, in ms (Chromium's Performance domain): `ThreadTime` is the renderer main thread's CPU
 * time; `TaskDuration` its busy time (wall, so a loaded machine inflates it); script and layout within it.
 */
async function readPageMetrics(cdp: CDPSession): Promise<PageMetrics> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  return Object.fromEntries(pageMetrics.map((name) => [name, value(name)])) as PageMetrics;
}

const minus = (a: PageMetrics, b: PageMetrics) =>
  Object.fromEntries(pageMetrics.map((name) => [name, a[name] - b[name]])) as PageMetrics;

/** The query server as `gravix dev` starts it, over the dataset (a data directory whose store is the dataset). */
async function startServer(root: string) {
  const dir = mkdtempSync(join(tmpdir(), 'gravix-bench-dashboard-'));
  symlinkSync(root, join(dir, 'store'));
  const keysFile = join(dir, 'api-keys.json');
  const keys = [{ name: 'bench', tenant: benchTenant, sha256: hashApiKey(key), scopes: ['query'] }];
  writeFileSync(keysFile, JSON.stringify({ keys }));
  const { env } = loadDevEnvironment({ GRAVIX_DATA_DIR: dir });
  const config = loadQueryConfig({
    ...env,
    GRAVIX_STORE: 'local',
    GRAVIX_API_KEYS_FILE: keysFile,
    GRAVIX_QUERY_ENGINE: 'duckdb',
    GRAVIX_QUERY_PORT: '0',
    GRAVIX_QUERY_METRICS_PORT: '0',
    GRAVIX_DASHBOARD_DIR: dashboardAssetsDir(),
  });
  return startQueryServer(config, new LocalObjectStore(join(dir, 'store')), pino({ level: 'silent' }));
}

let serverUrl = '';
const url = () => serverUrl;

interface Endpoint {
  method: string;
  path: string;
}

/** One page load of the 7-day service view and one drill-down click into row `i` of its endpoint table. */
async function measureIteration(page: Page, cdp: CDPSession, i: number) {
  let t0 = performance.now();
  await page.goto(`${url()}/?range=7d&service=${service}&refresh=off`);
  await page.waitForSelector('svg.chart');
  const firstChart = performance.now() - t0;
  await page.waitForSelector('#endpoints-table table');
  await page.waitForSelector('#card-latency svg.chart');
  const fullPage = performance.now() - t0;
  // Row i of the table (worst first): another endpoint each time, so its series is not cached.
  const row = page.locator(`#endpoints-table tbody tr:nth-child(${i + 1}) button.endpoint-link`);
  const path = (await row.getAttribute('data-path')) ?? '';
  const [cpu0, page0] = [process.cpuUsage(), await readPageMetrics(cdp)];
  t0 = performance.now();
  await row.click();
  await page.waitForFunction(
    (p) => document.querySelector('#card-latency h2')?.textContent?.includes(p),
    path,
  );
  await page.waitForSelector('#card-latency svg.chart');
  await page.waitForSelector('#endpoints-table table');
  const click = performance.now() - t0;
  return {
    firstChart,
    fullPage,
    click,
    clickCpu: cpuMs(cpu0),
    clickPage: minus(await readPageMetrics(cdp), page0),
  };
}

const emptyMeasures = () => ({
  firstChart: [] as number[],
  fullPage: [] as number[],
  click: [] as number[],
  clickCpu: [] as number[],
  clickBrowserCpu: [] as number[],
  clickBrowserTask: [] as number[],
  clickBrowserScript: [] as number[],
  clickBrowserLayout: [] as number[],
  floor: [] as number[],
  floorCpu: [] as number[],
});
type Measures = ReturnType<typeof emptyMeasures>;

function buildSummary(m: Measures, rows: number, root: string, load: { start: number[] }) {
  return {
    bench: 'dashboard',
    server: 'startQueryServer with gravix dev defaults (DuckDB 256MB, engine guard, result cache)',
    dataset: { ...benchDataset, density, rows, root },
    iterations,
    wallMs: {
      firstChart7d: stats(m.firstChart),
      fullPage7d: stats(m.fullPage),
      drillDownClick7d: stats(m.click),
      floorApiCallsOfDrillDown: stats(m.floor),
    },
    cpuMs: {
      drillDownClickServerProcess: stats(m.clickCpu),
      drillDownClickBrowserMainThreadCpu: stats(m.clickBrowserCpu),
      drillDownClickBrowserMainThreadBusyWall: stats(m.clickBrowserTask),
      drillDownClickBrowserScript: stats(m.clickBrowserScript),
      drillDownClickBrowserLayout: stats(m.clickBrowserLayout),
      floorServerProcess: stats(m.floorCpu),
    },
    target: 'drill-down < 1000 ms',
    loadAverage: { ...load, end: loadavg().map((l) => Number(l.toFixed(1))) },
  };
}

async function main(): Promise<void> {
  const root = datasetRoot(density);
  const dataset = await ensureDataset({ root, tenant: benchTenant, end: benchEnd, density, ...benchDataset });
  const server = await startServer(root);
  serverUrl = `http://127.0.0.1:${server.port}`;
  const url = serverUrl;
  const api = (path: string) =>
    fetch(`${url}/api/v1/${path}`, { headers: { authorization: `Bearer ${key}` } }).then(async (r) => {
      if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
      return r.json() as Promise<unknown>;
    });
  const week = resolveRange({ kind: 'preset', preset: '7d' }, benchNow);
  const range = `from=${week.from}&to=${week.to}`;
  // Endpoints the floor asks for: the tail of the service's list, never clicked in the browser.
  const all = (await api(
    `endpoints?service=${service}&${range}&sort=requests&limit=50`,
  )) as EndpointsResponse;
  const floorEndpoints: Endpoint[] = all.endpoints.slice(-iterations - 1);
  const drillCalls = (e: Endpoint) => [
    `timeseries?service=${service}&method=${e.method}&path=${encodeURIComponent(e.path)}&${range}&step=${week.stepMs}&worst=1`,
    `endpoints?service=${service}&${range}&sort=errors&limit=20`,
    `services?${range}`,
    'freshness',
    `service-events?service=${service}&${range}`,
  ];

  const load = { start: loadavg().map((l) => Number(l.toFixed(1))) };
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
  await context.addInitScript((t) => localStorage.setItem('gravix.token', t), key);
  const page: Page = await context.newPage();
  // A loaded machine (load 40+) makes the first, cold 7-day page take longer than Playwright's 30 s default.
  page.setDefaultTimeout(300_000);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.clock.install({ time: benchNow });
  const m = emptyMeasures();

  for (let i = 0; i <= iterations; i++) {
    const one = await measureIteration(page, cdp, i);
    const floorCpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(drillCalls(floorEndpoints[i]!).map(api));
    const floor = performance.now() - t0;
    const floorCpu = cpuMs(floorCpu0);
    // The first iteration warms Chromium, DuckDB and the page's asset cache: not counted.
    if (i === 0) continue;
    m.firstChart.push(one.firstChart);
    m.fullPage.push(one.fullPage);
    m.click.push(one.click);
    m.clickCpu.push(one.clickCpu);
    m.clickBrowserCpu.push(one.clickPage.ThreadTime);
    m.clickBrowserTask.push(one.clickPage.TaskDuration);
    m.clickBrowserScript.push(one.clickPage.ScriptDuration);
    m.clickBrowserLayout.push(one.clickPage.LayoutDuration);
    m.floor.push(floor);
    m.floorCpu.push(floorCpu);
  }
  await browser.close();
  await server.stop();
  const summary = buildSummary(m, dataset.rows, root, load);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

void main();

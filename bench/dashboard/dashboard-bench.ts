/**
 * bench/dashboard: the dashboard in Debian Chromium against the real query server (buildQueryApp + QueryService on
 * DuckDB) over bench/query's 7-day dataset (20 services x 50 paths). Measures, per iteration, the time to the first
 * full render of the 7-day page (charts and endpoint table) and of a drill-down click into an endpoint, beside a
 * floor measured in the same run: the same API calls fetched in parallel from Node (what the engine and HTTP alone
 * cost, without the browser). The browser's clock is set to just before the dataset's end.
 * Usage: npm run bench:dashboard [-- --iterations 5 --density 0.25]
 */
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { dashboardAssetsDir } from '../../dashboards/web/index.js';
import { resolveRange } from '../../dashboards/web/src/domain/time-range.js';
import { launchChromium } from '../../testbin/harness/chromium.js';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { hashApiKey } from '../../workers/domain/api-keys.js';
import { DuckDbQueryEngine } from '../../workers/query/adapters/duckdb-query-engine.js';
import { QueryService } from '../../workers/query/app/query-service.js';
import { RollupManifests } from '../../workers/query/adapters/rollup-manifests.js';
import { buildQueryApp } from '../../workers/query/http/query-app.js';
import { ensureDataset } from '../query/query-dataset.js';
import { staticKeys } from '../../workers/domain/key-ring.js';
import { identityOverStore } from '../../workers/query/http/identity-routes.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const density = arg('density', 0.25);
const iterations = arg('iterations', 5);
const end = Date.parse('2026-11-20T00:00:00Z');
const tenant = 'bench';
const key = 'bench-key';
const root = join(tmpdir(), `gravix-bench-query-v4-d${density}`);
const now = end - 7 * 60_000 - 20_000;
const endpoint = { service: 'svc-03' };

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const stats = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50Ms: Number(pct(sorted, 0.5).toFixed(1)), p95Ms: Number(pct(sorted, 0.95).toFixed(1)) };
};

async function main(): Promise<void> {
  const dataset = ensureDataset({ root, tenant, end, days: 7, services: 20, paths: 50, density });
  const engine = await DuckDbQueryEngine.open(root);
  const app = buildQueryApp({
    service: new QueryService(engine, new RollupManifests(new LocalObjectStore(root))),
    keys: staticKeys([{ name: 'bench', tenant, sha256: hashApiKey(key), scopes: ['query'] }]),
    log: pino({ level: 'silent' }),
    identity: identityOverStore(new LocalObjectStore(root), pino({ level: 'silent' })),
    readiness: async () => ({ ready: true }),
    dashboardDir: dashboardAssetsDir(),
  });
  const server = await new Promise<import('node:http').Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
  await context.addInitScript((t) => localStorage.setItem('gravix.token', t), key);
  const page = await context.newPage();
  await page.clock.install({ time: now });
  const firstChart: number[] = [];
  const drill: number[] = [];
  const floor: number[] = [];
  const week = resolveRange({ kind: 'preset', preset: '7d' }, now);
  const api = (path: string) =>
    fetch(`${url}/api/v1/${path}`, { headers: { authorization: `Bearer ${key}` } });
  for (let i = 0; i <= iterations; i++) {
    let t0 = performance.now();
    await page.goto(`${url}/?range=7d&service=${endpoint.service}&refresh=off`);
    await page.waitForSelector('#endpoints-table table');
    await page.waitForSelector('#card-latency svg.chart');
    const loaded = performance.now() - t0;
    // The endpoint with the most 5xx errors: the one an on-call engineer clicks first.
    const first = page.locator('#endpoints-table tbody tr:first-child button.endpoint-link');
    const target = {
      path: (await first.getAttribute('data-path')) ?? '',
      method: (await first.getAttribute('data-method')) ?? '',
    };
    t0 = performance.now();
    await first.click();
    await page.waitForFunction(
      (p) => document.querySelector('#card-latency h2')?.textContent?.includes(p),
      target.path,
    );
    await page.waitForSelector('#endpoints-table table');
    const clicked = performance.now() - t0;
    t0 = performance.now();
    const range = `from=${week.from}&to=${week.to}`;
    await Promise.all([
      api(
        `timeseries?service=${endpoint.service}&method=${target.method}&path=${encodeURIComponent(target.path)}&${range}&step=${week.stepMs}&worst=1`,
      ),
      api(`endpoints?service=${endpoint.service}&${range}&sort=errors&limit=20`),
      api(`services?${range}`),
      api('freshness'),
      api(`service-events?service=${endpoint.service}&${range}`),
    ]);
    const fetched = performance.now() - t0;
    // The first iteration warms Chromium, DuckDB's caches and the asset cache: not counted.
    if (i === 0) continue;
    firstChart.push(loaded);
    drill.push(clicked);
    floor.push(fetched);
  }
  await browser.close();
  await new Promise((r) => server.close(r));
  await engine.close();
  const summary = {
    bench: 'dashboard',
    dataset: { days: 7, services: 20, paths: 50, density, rows: dataset.rows },
    iterations,
    timeToFirstChart7d: stats(firstChart),
    drillDownClick7d: stats(drill),
    floorApiCallsOfDrillDown: stats(floor),
    target: 'drill-down < 1000 ms',
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

void main();

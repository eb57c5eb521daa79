import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../../testbin/harness/chromium.js';
import { freePort } from '../../testbin/harness/free-port.js';
import { repoPath } from '../../testbin/harness/testbin-paths.js';
import { startGravix } from '../../testbin/harness/gravix-process.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import type { ServicesResponse, TimeseriesResponse } from '../query/api-types.js';
import { runLoad } from '../loadgen/main.js';

/** The real dashboard, served by the real query server, signed in with the dev key, lists the services. */
async function expectDashboardShowsServices(url: string, key: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript((token) => localStorage.setItem('gravix.token', token), key);
    await page.goto(url);
    await page.waitForSelector('#endpoints-table table');
    await page.waitForSelector('#card-latency svg.chart');
    const table = await page.textContent('#endpoints-table');
    for (const service of ['checkout', 'payments', 'search']) expect(table).toContain(service);
    await page.screenshot({ path: repoPath('test-artifacts', 'gravix-dev-dashboard.png'), fullPage: true });
  } finally {
    await browser.close();
  }
}

describe('gravix dev (embedded pipeline)', () => {
  it('turns loadgen traffic into queryable minute metrics within a minute', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gx-dev-'));
    const [ingestPort, queryPort] = [await freePort(), await freePort()];
    const dev = await startGravix(
      'dev',
      {
        GRAVIX_DATA_DIR: dataDir,
        GRAVIX_INGEST_PORT: String(ingestPort),
        GRAVIX_QUERY_PORT: String(queryPort),
        GRAVIX_WAL_SEGMENT_AGE_MS: '2000',
        GRAVIX_ROLLUP_INTERVAL_MS: '5000',
      },
      `http://127.0.0.1:${queryPort}/ready`,
    );
    try {
      const key = readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim();
      const load = await runLoad({
        url: `http://127.0.0.1:${ingestPort}`,
        key,
        rate: 50,
        duration: 3,
        services: 3,
        paths: 4,
        seed: 9,
        'deploy-every': 2,
      });
      expect(load.failed).toBe(0);
      const query = (path: string) =>
        fetch(`http://127.0.0.1:${queryPort}${path}`, { headers: { authorization: `Bearer ${key}` } }).then(
          (r) => r.json(),
        );
      const services = await waitUntil(
        async () => {
          const body = (await query('/api/v1/services')) as ServicesResponse;
          return body.services.length === 3 ? body : undefined;
        },
        { what: 'three services in /api/v1/services', timeoutMs: 60_000, intervalMs: 1000 },
      );
      const requests = services.services.reduce((n, s) => n + s.requests, 0);
      // Duplicates (client retries) are counted once.
      expect(requests).toBeLessThanOrEqual(load.sent);
      expect(requests).toBeGreaterThan(load.sent * 0.95);
      const series = (await query('/api/v1/timeseries?service=checkout')) as TimeseriesResponse;
      expect(series.points.some((p) => p.p95 !== null && p.requests > 0)).toBe(true);
      await expectDashboardShowsServices(`http://127.0.0.1:${queryPort}/`, key);
    } finally {
      await dev.kill('SIGTERM');
    }
    expect(dev.proc.exitStatus).toBe(0);
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli } from '../../testbin/harness/built-cli.js';
import { freePort } from '../../testbin/harness/free-port.js';
import { startGravix } from '../../testbin/harness/gravix-process.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';

/**
 * Issue #17 items 2 and 3 end to end on the built CLI (`gravix dev`: ingest, rollup loop, query on DuckDB), the
 * 300k-services case of `npm run bench:abusive-tenant` scaled down so a regression fails CI: services past the
 * tenant's budget are not dropped but kept under the overflow service, which the rolled-up data and the query API
 * show with every folded request counted; the ingest cardinality report says what was folded and stays at the
 * budget however many names arrive; /services and /endpoints answer at most `limit` rows and say `truncated`.
 */
describe('service budget (gravix dev)', () => {
  // The CLI is built once per state of the sources, outside the test's own time (minutes at load 40-60).
  beforeAll(() => builtCli(), 600_000);

  it('keeps facts of services past the budget under the visible :overflow service, all counted', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gx-cardinality-'));
    const [ingestPort, queryPort] = [await freePort(), await freePort()];
    const dev = await startGravix(
      'dev',
      {
        GRAVIX_DATA_DIR: dataDir,
        GRAVIX_INGEST_PORT: String(ingestPort),
        GRAVIX_QUERY_PORT: String(queryPort),
        GRAVIX_SERVICE_BUDGET: '5',
        GRAVIX_WAL_SEGMENT_AGE_MS: '500',
        GRAVIX_ROLLUP_INTERVAL_MS: '2000',
        GRAVIX_LOG_LEVEL: 'warn',
      },
      `http://127.0.0.1:${queryPort}/ready`,
    );
    try {
      const key = readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim();
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const facts = Array.from({ length: 200 }, (_, i) => ({
        event_id: `c-${i}`,
        timestamp: Date.now() - 1000,
        service: `svc-${i % 50}`,
        method: 'GET',
        path: '/items/:id',
        status_code: 200,
        latency_ms: 4,
      }));
      const ingest = `http://127.0.0.1:${ingestPort}`;
      const posted = await fetch(`${ingest}/api/v1/facts`, {
        method: 'POST',
        headers,
        body: JSON.stringify(facts),
      });
      expect(await posted.json()).toMatchObject({ accepted: 200, rejected: [] });
      // A flood of 3,000 new names: all kept, all folded.
      const flood = Array.from({ length: 3000 }, (_, i) => ({
        ...facts[0]!,
        event_id: `flood-${i}`,
        service: `flood-${i}`,
      }));
      const flooded = await fetch(`${ingest}/api/v1/facts`, {
        method: 'POST',
        headers,
        body: JSON.stringify(flood),
      });
      expect(await flooded.json()).toMatchObject({ accepted: 3000, rejected: [] });
      const report = (await (await fetch(`${ingest}/api/v1/cardinality`, { headers })).json()) as {
        services: number;
        routes: number;
        folded: { serviceFacts: number };
      };
      // The budget maps hold 5 services and the overflow service, whatever arrived.
      expect(report).toMatchObject({ services: 6, folded: { serviceFacts: 3180 } });
      expect(report.routes).toBe(6);
      type Services = { services: { service: string; requests: number }[] };
      const answer = await waitUntil(
        async () => {
          const res = await fetch(`http://127.0.0.1:${queryPort}/api/v1/services`, { headers });
          const body = (await res.json()) as Services;
          const total = body.services.reduce((n, s) => n + s.requests, 0);
          return total === 3200 ? body : undefined;
        },
        { what: 'all 3,200 requests in /api/v1/services', timeoutMs: 90_000, intervalMs: 1000 },
      );
      const byService = Object.fromEntries(answer.services.map((s) => [s.service, s.requests]));
      expect(byService).toEqual({
        ':overflow': 3180,
        'svc-0': 4,
        'svc-1': 4,
        'svc-2': 4,
        'svc-3': 4,
        'svc-4': 4,
      });
      // Answers are cut in the engine at `limit` and say so.
      const query = `http://127.0.0.1:${queryPort}/api/v1`;
      const services = (await (await fetch(`${query}/services?limit=2`, { headers })).json()) as Services & {
        truncated: boolean;
      };
      expect([services.services.map((s) => s.service), services.truncated]).toEqual([
        [':overflow', expect.stringMatching(/^svc-[0-4]$/)],
        true,
      ]);
      const endpoints = (await (
        await fetch(`${query}/endpoints?limit=3&sort=requests`, { headers })
      ).json()) as {
        endpoints: { service: string; path: string; requests: number }[];
        truncated: boolean;
      };
      expect([endpoints.endpoints.length, endpoints.truncated]).toEqual([3, true]);
      expect(endpoints.endpoints[0]).toMatchObject({ service: ':overflow', requests: 3180 });
      const all = (await (await fetch(`${query}/services?limit=1000`, { headers })).json()) as {
        truncated: boolean;
      };
      expect(all.truncated).toBe(false);
      const stored = await (await fetch(`${query}/stored-cardinality`, { headers })).json();
      expect(stored).toMatchObject({ services: 6, overflowServiceRequests: 3180 });
    } finally {
      await dev.kill('SIGTERM');
    }
  });
});

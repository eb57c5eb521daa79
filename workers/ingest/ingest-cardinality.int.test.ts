import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../testbin/harness/free-port.js';
import { startGravix } from '../../testbin/harness/gravix-process.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';

/**
 * Issue #17 item 2 end to end on the built CLI (`gravix dev`: ingest, rollup loop, query on DuckDB): services past
 * the tenant's budget are not dropped but kept under the overflow service, which the rolled-up data and the query
 * API show with every folded request counted; the ingest cardinality report says what was folded.
 */
describe('service budget (gravix dev)', () => {
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
      const report = (await (await fetch(`${ingest}/api/v1/cardinality`, { headers })).json()) as {
        services: number;
        folded: { serviceFacts: number };
      };
      expect(report).toMatchObject({ services: 6, folded: { serviceFacts: 180 } });
      type Services = { services: { service: string; requests: number }[] };
      const answer = await waitUntil(
        async () => {
          const res = await fetch(`http://127.0.0.1:${queryPort}/api/v1/services`, { headers });
          const body = (await res.json()) as Services;
          const total = body.services.reduce((n, s) => n + s.requests, 0);
          return total === 200 ? body : undefined;
        },
        { what: 'all 200 requests in /api/v1/services', timeoutMs: 90_000, intervalMs: 1000 },
      );
      const byService = Object.fromEntries(answer.services.map((s) => [s.service, s.requests]));
      expect(byService).toEqual({
        ':overflow': 180,
        'svc-0': 4,
        'svc-1': 4,
        'svc-2': 4,
        'svc-3': 4,
        'svc-4': 4,
      });
    } finally {
      await dev.kill('SIGTERM');
    }
  });
});

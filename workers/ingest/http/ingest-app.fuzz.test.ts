import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { pino } from 'pino';
import { hashApiKey } from '../../domain/api-keys.js';
import { RateLimiter } from '../domain/rate-limiter.js';
import { RouteBudget } from '../domain/route-budget.js';
import { buildIngestMetrics } from '../ingest-metrics.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import { buildIngestListener } from './ingest-app.js';
import { staticKeys } from '../../domain/key-ring.js';

const fieldValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('GET', '/a/1', '2026-11-23T12:00:00Z', -1, 1e308, '\u0000', '🙂'),
);
const factLike = fc.record(
  {
    event_id: fieldValue,
    timestamp: fc.oneof(fieldValue, fc.integer({ min: Date.now() - 3_600_000, max: Date.now() })),
    service: fieldValue,
    method: fieldValue,
    path: fieldValue,
    status_code: fieldValue,
    latency_ms: fieldValue,
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.string(),
  fc.json(),
  factLike.map((f) => JSON.stringify(f)),
  fc.array(fc.oneof(factLike, fc.anything()), { maxLength: 20 }).map((a) => JSON.stringify(a)),
);

describe('ingest API under fuzzed payloads', () => {
  let server: Server;
  let wal: WriteAheadLog;
  let url: string;
  beforeAll(async () => {
    ({ wal } = await WriteAheadLog.open({
      dir: mkdtempSync(join(tmpdir(), 'gx-fuzz-')),
      maxSegmentBytes: 1 << 20,
      maxSegmentAgeMs: 60_000,
      onSealed: () => {},
    }));
    const app = buildIngestListener({
      wal,
      keys: staticKeys([{ name: 'k', tenant: 'acme', sha256: hashApiKey('k'), scopes: ['ingest'] }]),
      rates: {
        items: new RateLimiter({ perSecond: 1e9, burst: 1e9 }),
        bytes: new RateLimiter({ perSecond: 1e12, burst: 1e12 }),
      },
      routes: new RouteBudget(50),
      metrics: buildIngestMetrics(
        () => ({ segments: 0, bytes: 0 }),
        () => 0,
      ),
      log: pino({ level: 'silent' }),
      limits: {
        maxBodyBytes: 1 << 20,
        maxItemsPerBatch: 1000,
        maxJsonDepth: 32,
        diskBudgetBytes: 1 << 30,
        tenantDiskBytes: 1 << 30,
        maxPastMs: 864e5,
        maxFutureMs: 36e5,
      },
    });
    server = await new Promise((r) => {
      const s = createServer(app).listen(0, '127.0.0.1', () => r(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/facts`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await wal.close();
  });

  it('answers every payload with 200 or a structured 4xx, never a 5xx or a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom('application/json', 'application/x-ndjson', 'text/plain'),
        async (text, type) => {
          const res = await fetch(url, {
            method: 'POST',
            headers: { authorization: 'Bearer k', 'content-type': type },
            body: text,
          });
          const json = (await res.json()) as { error?: { code: string; message: string }; accepted?: number };
          expect(res.status === 200 || (res.status >= 400 && res.status < 500)).toBe(true);
          if (res.status !== 200)
            expect(json.error).toEqual(
              expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
            );
          else expect(json.accepted).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

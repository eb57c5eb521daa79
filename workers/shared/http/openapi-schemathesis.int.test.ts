import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../testbin/harness/free-port.js';
import { startGravix, type GravixProcess } from '../../../testbin/harness/gravix-process.js';
import { runSchemathesis } from '../../../testbin/harness/schemathesis.js';
import { waitUntil } from '../../../testbin/harness/wait-until.js';
import { runLoad } from '../../loadgen/main.js';
import type { ServicesResponse } from '../../query/api-types.js';
import { openApiPath, operationsTagged } from './openapi-document.js';

/**
 * schemathesis (testbin venv) generates requests from docs/openapi/gravix-api.yaml, as served by each real server
 * of the built CLI (`gravix dev`: ingest and query on their own ports, over real data), and fails on any 5xx, any
 * status code or header the document does not list, any body that breaks its schema, and any answer but 405 to
 * a method a documented path does not take. On the query server it
 * also sends data the document forbids (unknown parameters, bad values) and fails on anything but a 4xx. Ingest
 * answers 200 to a batch with some invalid items (they come back in `rejected`), so negative data is not a
 * request-level refusal there.
 */
const commonChecks = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'ignored_auth',
  // A documented path asked with another method must be a 405 (with Allow), not a 404 or a 200.
  'unsupported_method',
];

/** The sum of one counter over its labels, from the ingest server's /metrics. */
async function ingestCounter(name: string): Promise<number> {
  const text = await (await fetch(`${ingestUrl}/metrics`)).text();
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

let dev: GravixProcess;
let key: string;
let ingestUrl: string;
let queryUrl: string;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gx-openapi-'));
  const [ingestPort, queryPort] = [await freePort(), await freePort()];
  ingestUrl = `http://127.0.0.1:${ingestPort}`;
  queryUrl = `http://127.0.0.1:${queryPort}`;
  dev = await startGravix(
    'dev',
    {
      GRAVIX_DATA_DIR: dataDir,
      GRAVIX_INGEST_PORT: String(ingestPort),
      GRAVIX_QUERY_PORT: String(queryPort),
      GRAVIX_WAL_SEGMENT_AGE_MS: '1000',
      GRAVIX_ROLLUP_INTERVAL_MS: '3000',
      GRAVIX_LOG_LEVEL: 'warn',
      // Generated timestamps are anywhere from 1970 on; a wide window lets many of them through the WAL and the
      // rollup instead of all being refused as OUT_OF_RANGE.
      GRAVIX_MAX_PAST_MS: String(60 * 365 * 86_400_000),
      GRAVIX_MAX_FUTURE_MS: String(365 * 86_400_000),
    },
    `${queryUrl}/ready`,
  );
  key = readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim();
  // Real rows, so the query answers schemathesis checks are not only empty lists.
  const load = await runLoad({
    url: ingestUrl,
    key,
    rate: 40,
    duration: 2,
    services: 3,
    paths: 4,
    seed: 17,
    'deploy-every': 1,
  });
  expect(load.failed).toBe(0);
  await waitUntil(
    async () => {
      const res = await fetch(`${queryUrl}/api/v1/services`, { headers: { authorization: `Bearer ${key}` } });
      return ((await res.json()) as ServicesResponse).services.length === 3;
    },
    { what: 'the seeded services in /api/v1/services', timeoutMs: 60_000, intervalMs: 1000 },
  );
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

describe('the API contract, checked by schemathesis against the real servers', () => {
  it('the ingest server answers every generated request as documented', async () => {
    const [factsBefore, eventsBefore] = [
      await ingestCounter('gravix_ingest_facts_accepted_total'),
      await ingestCounter('gravix_ingest_events_accepted_total'),
    ];
    const result = await runSchemathesis({
      name: 'ingest',
      schemaUrl: `${ingestUrl}${openApiPath}`,
      baseUrl: ingestUrl,
      tag: 'ingest',
      checks: commonChecks,
      headers: { Authorization: `Bearer ${key}` },
      maxExamples: 40,
      seed: 20261202,
    });
    if (result.exitCode !== 0) throw new Error(`schemathesis failed (${result.logFile}):\n${result.stdout}`);
    expect(result.operations).toEqual(operationsTagged('ingest'));
    // The generated batches reached the write-ahead log, not only the refusals.
    expect(await ingestCounter('gravix_ingest_facts_accepted_total')).toBeGreaterThan(factsBefore);
    expect(await ingestCounter('gravix_ingest_events_accepted_total')).toBeGreaterThan(eventsBefore);
  });

  it('the query server answers every generated request as documented and refuses what the document forbids', async () => {
    const result = await runSchemathesis({
      name: 'query',
      schemaUrl: `${queryUrl}${openApiPath}`,
      baseUrl: queryUrl,
      tag: 'query',
      checks: [...commonChecks, 'negative_data_rejection'],
      headers: { Authorization: `Bearer ${key}` },
      maxExamples: 40,
      seed: 20261202,
    });
    if (result.exitCode !== 0) throw new Error(`schemathesis failed (${result.logFile}):\n${result.stdout}`);
    expect(result.operations).toEqual(operationsTagged('query'));
  });

  it('both servers answer a request line past the header limit with 431 and the API error body', async () => {
    for (const base of [ingestUrl, queryUrl]) {
      const res = await fetch(`${base}/api/v1/services?service=${'a'.repeat(20_000)}`);
      expect(res.status).toBe(431);
      expect(await res.json()).toMatchObject({ error: { code: 'HEADERS_TOO_LARGE' } });
    }
  });

  it('leaves gravix dev running, and it shuts down cleanly after the fuzzing', async () => {
    dev.proc.assertRunning();
    await dev.kill('SIGTERM');
    expect(dev.proc.exitStatus).toBe(0);
  });
});

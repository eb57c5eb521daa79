import type { GravixProcess } from '../../../testbin/harness/gravix-process.js';
import { runSchemathesis } from '../../../testbin/harness/schemathesis.js';
import { waitUntil } from '../../../testbin/harness/wait-until.js';
import { runLoad } from '../../loadgen/main.js';
import type { ServicesResponse } from '../../query/api-types.js';
import { openApiPath, operationsTagged } from './openapi-document.js';

/**
 * schemathesis (testbin venv) generates requests from docs/openapi/gravix-api.yaml, as served by each real server
 * of the built CLI (over real data, seeded first), and fails on any 5xx, any
 * status code or header the document does not list, any body that breaks its schema, and any answer but 405 to
 * a method a documented path does not take. On the query server it also sends data the document forbids (unknown parameters, bad values) and fails on anything but a 4xx. Ingest
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

/** Both servers, running, with a key that may ingest and query one tenant. */
export interface ApiServers {
  ingestUrl: string;
  /** The ingest server's metrics listener (GRAVIX_INGEST_METRICS_PORT). */
  ingestMetricsUrl: string;
  queryUrl: string;
  key: string;
  /** Every process the servers need, stopped with SIGTERM at the end (each must exit 0). */
  processes: GravixProcess[];
}

/**
 * Ingest settings for a contract run: generated timestamps are anywhere from 1970 on, and a wide window lets many
 * of them through the WAL and the rollup instead of all being refused as OUT_OF_RANGE.
 */
export const contractIngestEnv = {
  GRAVIX_MAX_PAST_MS: String(60 * 365 * 86_400_000),
  GRAVIX_MAX_FUTURE_MS: String(365 * 86_400_000),
};

/** Real rows, so the query answers schemathesis checks are not only empty lists. */
async function seed({ ingestUrl, queryUrl, key }: ApiServers): Promise<void> {
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
      return res.ok && ((await res.json()) as ServicesResponse).services.length === 3;
    },
    { what: 'the seeded services in /api/v1/services', timeoutMs: 150_000, intervalMs: 2000 },
  );
}

/** The contract suite, run once per way of running the servers. */
export interface ApiContractOptions {
  /** Cleans up what `start` needed besides the processes (MinIO, Trino). */
  stop?: () => Promise<void>;
  /**
   * schemathesis cases per operation (default 25: each case is a real request, and the suite runs serially in CI's
   * 90-minute budget; 40 took 373 s there with two dozen operations, and every new route adds to it).
   */
  maxExamples?: number;
  /**
   * Whether a documented 503 (QUERY_TIMEOUT, ENGINE_UNAVAILABLE) is an acceptable answer. On Trino, a machine
   * under load makes some statements outlast GRAVIX_QUERY_TIMEOUT_MS, and answering 503 then is the contract; a
   * 500 still fails, as a status the document does not list.
   */
  allowDocumented503?: boolean;
  /** jest's deadline for each schemathesis run (default 600 s: a loaded machine, and routes keep being added). */
  timeoutMs?: number;
}

export function describeApiContract(
  name: string,
  start: () => Promise<ApiServers>,
  options: ApiContractOptions = {},
) {
  const {
    stop = async () => {},
    maxExamples = 25,
    allowDocumented503 = false,
    timeoutMs = 600_000,
  } = options;
  const checks = allowDocumented503 ? commonChecks.filter((c) => c !== 'not_a_server_error') : commonChecks;
  // Artifacts per suite: test-artifacts/schemathesis/<slug>-ingest.log and so on.
  const slug = name
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  let servers: ApiServers;
  let ingestUrl: string;
  let queryUrl: string;
  let key: string;

  /** The sum of one counter over its labels, from the ingest server's /metrics. */
  async function ingestCounter(counter: string): Promise<number> {
    const text = await (await fetch(`${servers.ingestMetricsUrl}/metrics`)).text();
    return [...text.matchAll(new RegExp(`^${counter}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  }

  beforeAll(async () => {
    servers = await start();
    ({ ingestUrl, queryUrl, key } = servers);
    await seed(servers);
  }, 300_000);

  afterAll(async () => {
    for (const p of servers?.processes ?? []) await p.kill('SIGTERM');
    await stop();
  });

  describe(`the API contract, checked by schemathesis against the real servers: ${name}`, () => {
    it(
      'the ingest server answers every generated request as documented',
      async () => {
        const [factsBefore, eventsBefore] = [
          await ingestCounter('gravix_ingest_facts_accepted_total'),
          await ingestCounter('gravix_ingest_events_accepted_total'),
        ];
        const result = await runSchemathesis({
          name: `${slug}-ingest`,
          schemaUrl: `${ingestUrl}${openApiPath}`,
          baseUrl: ingestUrl,
          tag: 'ingest',
          checks,
          headers: { Authorization: `Bearer ${key}` },
          maxExamples,
          seed: 20261202,
        });
        if (result.exitCode !== 0)
          throw new Error(`schemathesis failed (${result.logFile}):\n${result.stdout}`);
        expect(result.operations).toEqual(operationsTagged('ingest'));
        // The generated batches reached the write-ahead log, not only the refusals.
        expect(await ingestCounter('gravix_ingest_facts_accepted_total')).toBeGreaterThan(factsBefore);
        expect(await ingestCounter('gravix_ingest_events_accepted_total')).toBeGreaterThan(eventsBefore);
      },
      timeoutMs,
    );

    it(
      'the query server answers every generated request as documented and refuses what the document forbids',
      async () => {
        const result = await runSchemathesis({
          name: `${slug}-query`,
          schemaUrl: `${queryUrl}${openApiPath}`,
          baseUrl: queryUrl,
          tag: 'query',
          checks: [...checks, 'negative_data_rejection'],
          headers: { Authorization: `Bearer ${key}` },
          maxExamples,
          seed: 20261202,
        });
        if (result.exitCode !== 0)
          throw new Error(`schemathesis failed (${result.logFile}):\n${result.stdout}`);
        expect(result.operations).toEqual(operationsTagged('query'));
      },
      timeoutMs,
    );

    it('both servers answer a request line past the header limit with 431 and the API error body', async () => {
      for (const base of [ingestUrl, queryUrl]) {
        const res = await fetch(`${base}/api/v1/services?service=${'a'.repeat(20_000)}`);
        expect(res.status).toBe(431);
        expect(await res.json()).toMatchObject({ error: { code: 'HEADERS_TOO_LARGE' } });
      }
    });

    it('leaves every process running, and each shuts down cleanly after the fuzzing', async () => {
      for (const p of servers.processes) p.proc.assertRunning();
      for (const p of servers.processes) {
        await p.kill('SIGTERM');
        expect([p.proc.exitStatus]).toEqual([0]);
      }
    });
  });
}

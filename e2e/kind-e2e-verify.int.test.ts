import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../testbin/harness/free-port.js';
import { startGravix, type GravixProcess } from '../testbin/harness/gravix-process.js';
import { repoPath } from '../testbin/harness/testbin-paths.js';

/**
 * The half of kind-e2e.sh that talks HTTP (send facts, wait for the rollup, query, re-send, check exact counts)
 * run for real against the embedded pipeline, `gravix dev`: same ingestion, rollup and query code as on
 * Kubernetes, without the cluster. Catches API-shape drift between the script and the workers.
 */
describe('kind-e2e.sh verify against a running gravix dev', () => {
  let dev: GravixProcess | undefined;
  let dataDir: string;
  let ports: { ingest: number; query: number };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gx-e2e-verify-'));
    ports = { ingest: await freePort(), query: await freePort() };
    dev = await startGravix(
      'dev',
      {
        ...process.env,
        GRAVIX_DATA_DIR: dataDir,
        GRAVIX_INGEST_PORT: String(ports.ingest),
        GRAVIX_QUERY_PORT: String(ports.query),
        GRAVIX_WAL_SEGMENT_AGE_MS: '2000',
      },
      `http://127.0.0.1:${ports.query}/ready`,
    );
  }, 120_000);

  afterAll(async () => {
    await dev?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends 500 facts, sees them rolled up exactly once, and a re-sent batch is not double counted', async () => {
    const key = readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim();
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        'bash',
        [repoPath('e2e', 'kind-e2e.sh'), 'verify'],
        {
          env: {
            ...process.env,
            INGRESS_URL: `http://127.0.0.1:${ports.ingest}`,
            QUERY_URL: `http://127.0.0.1:${ports.query}`,
            GRAVIX_API_KEY: key,
            // gravix dev rolls up every minute; one pass after the re-send is enough.
            RESEND_SETTLE_SECONDS: '65',
            ARTIFACTS_DIR: join(dataDir, 'artifacts'),
          },
        },
        (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
      );
    });
    expect(result.stderr).toContain('ok: /api/v1/timeseries counts 500 requests and 10 5xx errors');
    expect(result.stderr).toContain('ok: a re-sent batch is not double counted');
    expect(result.code).toBe(0);
  }, 175_000);
});

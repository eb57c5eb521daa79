import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { synthPipeline } from '../cdk8s/pipeline-chart.js';
import { buildRollupEnv } from '../cdk8s/rollup.js';
import { parsePipeline } from '../crds/gravix-pipeline.js';
import { ObjectClient, type AnyObject as KubeObject } from '../operator/testing/object-client.js';
import { freePort } from '../testbin/harness/free-port.js';
import { startGravix, type GravixProcess } from '../testbin/harness/gravix-process.js';
import { startKubeApiserver, type KubeApiserver } from '../testbin/harness/kube-apiserver.js';
import { repoPath } from '../testbin/harness/testbin-paths.js';

const sample = parsePipeline(parse(readFileSync(repoPath('e2e', 'sample-pipeline.yaml'), 'utf8')));
const { name, namespace } = sample.metadata;

/**
 * The half of kind-e2e.sh that talks HTTP (read the keys from the pipeline's Secret, send facts, wait for the
 * rollup, query, re-send, check exact counts), run for real: the Secret is the one the operator generates for
 * e2e/sample-pipeline.yaml, stored in a real kube-apiserver and read by the script with kubectl; ingest, rollup
 * and query run as the three processes Kubernetes runs, on a shared local store, authenticating with the
 * keys.json of that Secret. The ingest key cannot query and the query token cannot ingest, so a script that mixed
 * them up would fail here.
 */
describe('kind-e2e.sh verify against the pipeline processes, with the keys of the generated Secret', () => {
  let apiserver: KubeApiserver;
  const processes: GravixProcess[] = [];
  let dataDir: string;
  let ports: { ingest: number; query: number; rollup: number };

  beforeAll(async () => {
    apiserver = await startKubeApiserver();
    const client = ObjectClient.forApiserver(apiserver);
    await client.createNamespace(namespace);
    const secret = synthPipeline(sample).find((m) => m.metadata.name === `${name}-api-keys`)!;
    await client.create(secret as KubeObject);
    const stored = (await client.read(secret)).body as { data: Record<string, string> };

    dataDir = mkdtempSync(join(tmpdir(), 'gx-e2e-verify-'));
    const keysFile = join(dataDir, 'keys.json');
    writeFileSync(keysFile, Buffer.from(stored.data['keys.json']!, 'base64'));
    ports = { ingest: await freePort(), query: await freePort(), rollup: await freePort() };
    const env = {
      ...process.env,
      GRAVIX_STORE: 'local',
      GRAVIX_DATA_DIR: dataDir,
      GRAVIX_API_KEYS_FILE: keysFile,
      GRAVIX_INGEST_PORT: String(ports.ingest),
      GRAVIX_INGEST_METRICS_PORT: '0',
      GRAVIX_QUERY_PORT: String(ports.query),
      GRAVIX_QUERY_ENGINE: 'duckdb',
      GRAVIX_WAL_SEGMENT_AGE_MS: '2000',
    };
    processes.push(await startGravix('ingest', env, `http://127.0.0.1:${ports.ingest}/ready`));
    processes.push(await startGravix('query', env, `http://127.0.0.1:${ports.query}/ready`));
    // The rollup Deployment's own settings (open hour included), on a free port and a shorter interval.
    const rollupEnv = {
      ...env,
      ...Object.fromEntries(buildRollupEnv(sample).map((e) => [e.name, e.value])),
      GRAVIX_ROLLUP_HTTP_PORT: String(ports.rollup),
      GRAVIX_ROLLUP_INTERVAL_SECONDS: '10',
    };
    processes.push(await startGravix('rollup', rollupEnv, `http://127.0.0.1:${ports.rollup}/ready`));
  }, 120_000);

  afterAll(async () => {
    for (const p of processes) await p.kill('SIGTERM');
    await apiserver?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends 500 facts with the ingest key, counts them exactly once with the query token, even re-sent', async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        'bash',
        [repoPath('e2e', 'kind-e2e.sh'), 'verify'],
        {
          env: {
            ...process.env,
            KUBECONFIG: apiserver.kubeconfigPath,
            INGRESS_URL: `http://127.0.0.1:${ports.ingest}`,
            QUERY_URL: `http://127.0.0.1:${ports.query}`,
            // The rollup passes every 10 s here; two passes after the re-send are enough.
            RESEND_SETTLE_SECONDS: '25',
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

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../testbin/harness/free-port.js';
import { startGravix, type GravixProcess } from '../../../testbin/harness/gravix-process.js';
import { startMinio, type MinioServer } from '../../../testbin/harness/minio-server.js';
import { startTrino, type TrinoServer } from '../../../testbin/harness/trino-server.js';
import { hashApiKey } from '../../domain/api-keys.js';
import { contractIngestEnv, describeApiContract } from './api-contract.contract.js';

let minio: MinioServer | undefined;
let trino: TrinoServer | undefined;

/** The Kubernetes shape: gravix ingest, rollup (loop) and query as separate processes on MinIO, queries on Trino. */
describeApiContract(
  'gravix ingest + rollup + query (Trino over MinIO)',
  async () => {
    const bucket = 'gravix-contract';
    minio = await startMinio();
    await minio.createBucket(bucket);
    trino = await startTrino({ s3: minio, metastoreBucket: bucket });
    const dir = mkdtempSync(join(tmpdir(), 'gx-openapi-trino-'));
    const key = 'gx-contract-key';
    const keysFile = join(dir, 'keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify({
        keys: [{ name: 'contract', tenant: 'acme', sha256: hashApiKey(key), scopes: ['ingest', 'query'] }],
      }),
    );
    const [ingestPort, ingestMetricsPort, queryPort, queryMetricsPort, rollupPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const env = {
      ...minio.storeEnv(bucket),
      GRAVIX_API_KEYS_FILE: keysFile,
      GRAVIX_LOG_LEVEL: 'warn',
    };
    const processes: GravixProcess[] = [];
    processes.push(
      await startGravix(
        'ingest',
        {
          ...env,
          ...contractIngestEnv,
          GRAVIX_DATA_DIR: join(dir, 'ingest'),
          GRAVIX_INGEST_PORT: String(ingestPort),
          GRAVIX_INGEST_METRICS_PORT: String(ingestMetricsPort),
          GRAVIX_WAL_SEGMENT_AGE_MS: '1000',
        },
        `http://127.0.0.1:${ingestPort}/ready`,
      ),
    );
    processes.push(
      await startGravix(
        'rollup',
        {
          ...env,
          GRAVIX_ROLLUP_INCLUDE_OPEN: 'true',
          GRAVIX_ROLLUP_INTERVAL_SECONDS: '3',
          GRAVIX_ROLLUP_HTTP_PORT: String(rollupPort),
        },
        `http://127.0.0.1:${rollupPort}/ready`,
      ),
    );
    processes.push(
      await startGravix(
        'query',
        {
          ...env,
          GRAVIX_QUERY_PORT: String(queryPort),
          GRAVIX_QUERY_METRICS_PORT: String(queryMetricsPort),
          GRAVIX_QUERY_ENGINE: 'trino',
          GRAVIX_TRINO_URL: trino.url,
          GRAVIX_TRINO_CATALOG: trino.catalog,
        },
        `http://127.0.0.1:${queryPort}/ready`,
      ),
    );
    return {
      ingestUrl: `http://127.0.0.1:${ingestPort}`,
      ingestMetricsUrl: `http://127.0.0.1:${ingestMetricsPort}`,
      queryUrl: `http://127.0.0.1:${queryPort}`,
      key,
      processes,
    };
  },
  {
    stop: async () => {
      await trino?.stop();
      await minio?.stop();
    },
    // Trino answers in seconds on a loaded machine: fewer cases, a longer deadline, documented 503s allowed.
    maxExamples: 15,
    allowDocumented503: true,
    timeoutMs: 600_000,
  },
);

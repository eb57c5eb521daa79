import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../testbin/harness/free-port.js';
import { startGravix } from '../../../testbin/harness/gravix-process.js';
import { contractIngestEnv, describeApiContract } from './api-contract.contract.js';

describeApiContract('gravix dev (DuckDB over the local store)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gx-openapi-'));
  const [ingestPort, ingestMetricsPort, queryPort] = [await freePort(), await freePort(), await freePort()];
  const queryUrl = `http://127.0.0.1:${queryPort}`;
  const dev = await startGravix(
    'dev',
    {
      ...contractIngestEnv,
      GRAVIX_DATA_DIR: dataDir,
      GRAVIX_INGEST_PORT: String(ingestPort),
      GRAVIX_INGEST_METRICS_PORT: String(ingestMetricsPort),
      GRAVIX_QUERY_PORT: String(queryPort),
      GRAVIX_WAL_SEGMENT_AGE_MS: '1000',
      GRAVIX_ROLLUP_INTERVAL_MS: '3000',
      GRAVIX_LOG_LEVEL: 'warn',
    },
    `${queryUrl}/ready`,
  );
  return {
    ingestUrl: `http://127.0.0.1:${ingestPort}`,
    ingestMetricsUrl: `http://127.0.0.1:${ingestMetricsPort}`,
    queryUrl,
    key: readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim(),
    processes: [dev],
  };
});

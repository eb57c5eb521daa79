import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli } from '../../../testbin/harness/built-cli.js';
import { freePort } from '../../../testbin/harness/free-port.js';
import { ManagedProcess } from '../../../testbin/harness/managed-process.js';
import { waitUntil } from '../../../testbin/harness/wait-until.js';

export interface QuickRollupDev {
  dev: ManagedProcess;
  ingestUrl: string;
  queryUrl: string;
  /** The dev ingest/query key `gravix dev` wrote into its data directory. */
  key: string;
}

/**
 * `gravix dev` from the built CLI with 2 s WAL segments and a 3 s rollup loop, so what a real SDK sends is queryable
 * within seconds; waits for the query server's /ready (up to 4 min: startGravix's 30 s is not enough for a cold
 * start at load 25 on two cores, and builtCli() may compile the project first).
 */
export async function startQuickRollupDev(
  name: string,
  extraEnv: Record<string, string> = {},
): Promise<QuickRollupDev> {
  const dataDir = mkdtempSync(join(tmpdir(), `gx-${name}-`));
  const [ingestPort, queryPort] = [await freePort(), await freePort()];
  const queryUrl = `http://127.0.0.1:${queryPort}`;
  const dev = new ManagedProcess({
    name,
    command: process.execPath,
    args: [await builtCli(), 'dev'],
    env: {
      GRAVIX_DATA_DIR: dataDir,
      GRAVIX_INGEST_PORT: String(ingestPort),
      GRAVIX_QUERY_PORT: String(queryPort),
      GRAVIX_WAL_SEGMENT_AGE_MS: '2000',
      GRAVIX_ROLLUP_INTERVAL_MS: '3000',
      ...extraEnv,
    },
  });
  dev.start();
  await waitUntil(
    async () => {
      dev.assertRunning();
      return (await fetch(`${queryUrl}/ready`).catch(() => undefined))?.ok;
    },
    { what: `${name} ready`, timeoutMs: 240_000, intervalMs: 1000 },
  );
  const key = readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim();
  return { dev, ingestUrl: `http://127.0.0.1:${ingestPort}`, queryUrl, key };
}

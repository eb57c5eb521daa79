import { readFileSync, realpathSync } from 'node:fs';
import { freePort } from '../../../testbin/harness/free-port.js';
import { startGravix, type GravixProcess } from '../../../testbin/harness/gravix-process.js';
import { waitUntil } from '../../../testbin/harness/wait-until.js';
import { lockAddress, readLockHolder } from '../data-dir-lock.js';

/** `gravix dev` from the built CLI: the launcher (`proc`) and what it serves. */
export interface DevUnderTest extends GravixProcess {
  ingestUrl: string;
  queryUrl: string;
}

/**
 * A launcher on `dataDir` with short segments and a quick rollup; resolves once the query server is ready (up to
 * 3 minutes: a cold start at load 40-50 on two cores passes startGravix's 30 s).
 */
export async function startDev(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<DevUnderTest> {
  // The caller's ports (a restart on the same ones), else free ones.
  const ingestPort = env['GRAVIX_INGEST_PORT'] ?? String(await freePort());
  const queryPort = env['GRAVIX_QUERY_PORT'] ?? String(await freePort());
  const queryUrl = `http://127.0.0.1:${queryPort}`;
  const dev = await startGravix(
    'dev',
    {
      GRAVIX_DATA_DIR: dataDir,
      GRAVIX_INGEST_PORT: ingestPort,
      GRAVIX_QUERY_PORT: queryPort,
      GRAVIX_WAL_SEGMENT_AGE_MS: '1000',
      GRAVIX_ROLLUP_INTERVAL_MS: '2000',
      ...env,
    },
    `${queryUrl}/ready`,
    [],
    180_000,
  );
  return { ...dev, ingestUrl: `http://127.0.0.1:${ingestPort}`, queryUrl };
}

/** The pid of the process that holds `dataDir`'s pipeline, as its lock answers (undefined: nobody holds it). */
export async function pipelinePid(dataDir: string): Promise<number | undefined> {
  return (await readLockHolder(lockAddress(realpathSync(dataDir))))?.pid;
}

/** A field of /proc/<pid>/status, or undefined once the process is gone. */
export function procStatusField(pid: number, field: 'PPid' | 'State'): string | undefined {
  try {
    return new RegExp(`^${field}:\\s+(.+)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Gone: no such process, or a zombie waiting for whoever reaps it (it runs nothing and holds nothing). */
export const processGone = (pid: number) => {
  const state = procStatusField(pid, 'State');
  return state === undefined || state.startsWith('Z');
};

/** Waits until `pid` is gone and nobody holds `dataDir`. */
export async function waitPipelineGone(pid: number, dataDir: string, timeoutMs: number): Promise<void> {
  await waitUntil(async () => processGone(pid) && (await pipelinePid(dataDir)) === undefined, {
    what: `pipeline ${pid} gone and ${dataDir} free`,
    timeoutMs,
    intervalMs: 100,
  });
}

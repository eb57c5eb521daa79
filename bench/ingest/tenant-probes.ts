/**
 * What the abusive-tenant bench measures besides the normal tenant's latency: a process's resident memory, a
 * `gravix rollup --once` pass's time and peak RSS, and the query server's answers for a tenant (time, size,
 * rows, truncated), each against the limit the pipeline's pods get by default (crds/gravix-pipeline-spec.ts).
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pipelineSpecSchema } from '../../crds/gravix-pipeline-spec.js';
import { parseQuantityBytes } from '../../crds/quantity.js';
import { freePort } from '../../testbin/harness/free-port.js';

const cli = fileURLToPath(new URL('../../cli/gravix.js', import.meta.url));
const MiB = 1 << 20;

/** The default memory limits of the pipeline's ingest, rollup and query pods, MiB. */
export function podMemoryLimitsMiB(): { ingest: number; rollup: number; query: number } {
  const spec = pipelineSpecSchema.parse({});
  const mib = (quantity: string) => Math.round((parseQuantityBytes(quantity) ?? NaN) / MiB);
  return {
    ingest: mib(spec.ingestion.resources.memory),
    rollup: mib(spec.rollup.resources.memory),
    query: mib(spec.query.resources.memory),
  };
}

/** Resident and peak resident set of a live process, MiB (Linux /proc). */
export function rssMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: Math.round(kib('VmRSS') / 1024), peak: Math.round(kib('VmHWM') / 1024) };
}

/** `gravix rollup --once --include-open` on a data directory: wall seconds and peak RSS (GNU time's %M). */
export async function rollupPass(dir: string): Promise<{ seconds: number; peakRssMiB: number }> {
  const started = process.hrtime.bigint();
  const { stderr } = await promisify(execFile)(
    '/usr/bin/time',
    ['-f', 'peak-kib=%M', process.execPath, cli, 'rollup', '--once', '--include-open'],
    {
      env: { ...process.env, GRAVIX_STORE: 'local', GRAVIX_DATA_DIR: dir, GRAVIX_LOG_LEVEL: 'warn' },
      maxBuffer: 64 * MiB,
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const kib = Number(/peak-kib=(\d+)/.exec(stderr)?.[1] ?? NaN);
  return { seconds: Number(seconds.toFixed(2)), peakRssMiB: Math.round(kib / 1024) };
}

export interface AnswerProbe {
  call: string;
  status: number;
  ms: number;
  bytes: number;
  rows: number;
  truncated: boolean | undefined;
}

/**
 * Starts `gravix query` (DuckDB) over a data directory, times each call for the key's tenant (the first call of
 * each is a cold start; the second is reported), reads the query server's peak RSS, and stops it.
 */
export async function probeQueryAnswers(
  dir: string,
  keysFile: string,
  key: string,
  calls: string[],
): Promise<{ answers: AnswerProbe[]; queryPeakRssMiB: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'query'], {
    env: {
      ...process.env,
      GRAVIX_STORE: 'local',
      GRAVIX_DATA_DIR: dir,
      GRAVIX_API_KEYS_FILE: keysFile,
      GRAVIX_QUERY_HOST: '127.0.0.1',
      GRAVIX_QUERY_PORT: String(port),
      GRAVIX_QUERY_METRICS_PORT: '0',
      GRAVIX_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 600; i++) {
      const ready = await fetch(`${base}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const answers: AnswerProbe[] = [];
    for (const call of calls) {
      let probe: AnswerProbe | undefined;
      for (let run = 0; run < 2; run++) {
        const started = process.hrtime.bigint();
        const res = await fetch(`${base}${call}`, { headers: { authorization: `Bearer ${key}` } });
        const text = await res.text();
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const body = JSON.parse(text) as Record<string, unknown>;
        const rows = Object.values(body).find(Array.isArray)?.length ?? 0;
        probe = {
          call,
          status: res.status,
          ms: Number(ms.toFixed(1)),
          bytes: Buffer.byteLength(text),
          rows,
          truncated: body['truncated'] as boolean | undefined,
        };
      }
      answers.push(probe!);
    }
    return { answers, queryPeakRssMiB: rssMiB(child.pid!).peak };
  } finally {
    child.kill('SIGKILL');
  }
}

/** The WAL's group commits so far, from the ingest server's own /metrics (gravix_wal_fsync_duration_seconds). */
export async function walGroupCommits(metricsPort: number) {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  const commits = value('gravix_wal_fsync_duration_seconds_count');
  const seconds = value('gravix_wal_fsync_duration_seconds_sum');
  return { groupCommits: commits, meanCommitMs: Number(((seconds / commits) * 1000).toFixed(2)) };
}

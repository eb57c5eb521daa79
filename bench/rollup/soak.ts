import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import type { ObjectStore } from '../../workers/adapters/object-store/object-store.js';
import { S3ObjectStore } from '../../workers/adapters/object-store/s3-object-store.js';
import { runFaultTrial, type FaultTrialReport } from '../../workers/rollup/testing/rollup-fault-trial.js';
import { startMinio, type MinioServer } from '../../testbin/harness/minio-server.js';

/**
 * Long kill -9 soak of the rollup (the short version runs in `npm test`: rollup-kill-faults.int.test.ts).
 * Trials of seeded cycles against fresh stores until --minutes pass; prints one JSON object.
 * Usage: bench/rollup/soak.sh [--minutes 10] [--seed N] [--store local|minio] [--cycles-per-trial 60]
 * Replay one trial: --seed <its seed> --minutes 0 (one trial always runs).
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string' },
    store: { type: 'string', default: 'local' },
    'cycles-per-trial': { type: 'string', default: '60' },
    'trial-seconds': { type: 'string', default: '150' },
    /** The built CLI (soak.sh builds it). */
    cli: { type: 'string', default: 'dist/cli/gravix.js' },
  },
});
const firstSeed = Number(
  values.seed ?? process.env['GRAVIX_FAULT_SEED'] ?? Math.floor(Math.random() * 2 ** 31),
);
const endAt = Date.now() + Number(values.minutes) * 60_000;
const cli = values.cli;
const minio: MinioServer | undefined = values.store === 'minio' ? await startMinio() : undefined;

async function freshStore(): Promise<{ store: ObjectStore; env: Record<string, string> }> {
  if (!minio) {
    const dataDir = mkdtempSync(join(tmpdir(), 'gravix-rollup-soak-'));
    return {
      store: new LocalObjectStore(join(dataDir, 'store')),
      env: { GRAVIX_STORE: 'local', GRAVIX_DATA_DIR: dataDir },
    };
  }
  const bucket = `soak-${randomBytes(6).toString('hex')}`;
  await minio.createBucket(bucket);
  const store = new S3ObjectStore(minio.s3Options(bucket));
  const env = minio.storeEnv(bucket);
  return { store, env };
}

const started = Date.now();
const reports: FaultTrialReport[] = [];
do {
  const { store, env } = await freshStore();
  const seed = firstSeed + reports.length;
  process.stderr.write(`trial ${reports.length + 1} seed=${seed} (replay: --seed ${seed} --minutes 0)\n`);
  reports.push(
    await runFaultTrial({
      seed,
      cycles: Number(values['cycles-per-trial']),
      deadline: Date.now() + Number(values['trial-seconds']) * 1000,
      cli,
      store,
      storeEnv: env,
      pauseMs: 40,
      factsPerFile: 400,
    }),
  );
  (store as { destroy?: () => void }).destroy?.();
} while (Date.now() < endAt);
await minio?.stop();

const killsPerPhase: Record<string, number> = {};
for (const r of reports)
  for (const [phase, n] of Object.entries(r.kills)) killsPerPhase[phase] = (killsPerPhase[phase] ?? 0) + n;
const failed = reports.filter((r) => r.mismatches.length > 0);
process.stdout.write(
  `${JSON.stringify({
    store: values.store,
    firstSeed,
    trials: reports.length,
    cycles: reports.reduce((n, r) => n + r.cycles, 0),
    runs: reports.reduce((n, r) => n + r.runs, 0),
    kills: Object.values(killsPerPhase).reduce((a, b) => a + b, 0),
    killsPerPhase,
    unkilledRuns: reports.reduce((n, r) => n + r.unkilled, 0),
    files: reports.reduce((n, r) => n + r.files, 0),
    facts: reports.reduce((n, r) => n + r.facts, 0),
    stragglers: reports.reduce((n, r) => n + r.stragglers, 0),
    mismatches: reports.reduce((n, r) => n + r.mismatches.length, 0),
    failedSeeds: failed.map((r) => r.seed),
    firstMismatches: failed.flatMap((r) => r.mismatches.map((m) => `seed ${r.seed}: ${m}`)).slice(0, 10),
    seconds: Math.round((Date.now() - started) / 1000),
  })}\n`,
);
process.exit(failed.length > 0 ? 1 : 0);

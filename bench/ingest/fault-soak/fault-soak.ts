import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../../testbin/harness/free-port.js';
import { startMinio } from '../../../testbin/harness/minio-server.js';
import {
  faultStates,
  IngestFaultTrials,
  type FaultStore,
  type FaultTrialsReport,
} from '../../../workers/ingest/testing/ingest-fault-trials.js';

/**
 * The ingestion fault test as a soak: many more ingester lifetimes per state than `npm test` runs, each ended by
 * SIGKILL or SIGTERM, against the local store and real MinIO. Prints one JSON document; exits 1 when anything
 * acknowledged was lost or duplicated. Usage:
 *   bench/ingest/fault-soak/run.sh [--cycles-per-state 10] [--store local|minio|both] [--seed N]
 * GRAVIX_FAULT_SEED=N replays a seed too.
 */
const { values } = parseArgs({
  options: {
    'cycles-per-state': { type: 'string', default: '10' },
    store: { type: 'string', default: 'both' },
    seed: { type: 'string' },
  },
});
const seed = Number(values.seed ?? process.env['GRAVIX_FAULT_SEED'] ?? randomBytes(4).readUInt32LE(0) >>> 1);
const cyclesPerState = Number(values['cycles-per-state']);
const kinds = values.store === 'both' ? ['local', 'minio'] : [values.store!];
const cli = resolve('dist', 'cli', 'gravix.js');
process.stderr.write(`ingest fault soak: seed ${seed} (replay with --seed ${seed})\n`);

async function runOne(kind: string): Promise<FaultTrialsReport> {
  const minio = kind === 'minio' ? await startMinio() : undefined;
  try {
    let store: FaultStore = { kind: 'local' };
    if (minio) {
      const bucket = `gx-soak-${randomBytes(4).toString('hex')}`;
      await minio.createBucket(bucket);
      store = { kind: 'minio', minio, bucket };
    }
    const trials = new IngestFaultTrials({
      seed,
      store,
      cli,
      cyclesPerState,
      port: await freePort(),
      logDir: resolve('test-artifacts', 'logs', `ingest-fault-soak-${kind}-${seed}`),
      onCycle: (c) =>
        process.stderr.write(`${kind} #${c.cycle} ${c.state} ${c.signal} -> ${JSON.stringify(c.exit)}\n`),
    });
    const report = await trials.runAll();
    trials.cleanUp();
    return report;
  } finally {
    await minio?.stop();
  }
}

const runs: FaultTrialsReport[] = [];
for (const kind of kinds) runs.push(await runOne(kind));

const sum = (pick: (r: FaultTrialsReport) => number) => runs.reduce((total, r) => total + pick(r), 0);
const killsPerState = Object.fromEntries(
  faultStates.map((state) => [
    state,
    {
      SIGKILL: sum((r) => r.kills[state]?.SIGKILL ?? 0),
      SIGTERM: sum((r) => r.kills[state]?.SIGTERM ?? 0),
    },
  ]),
);
const totals = {
  trials: sum((r) => r.trials),
  acknowledged: sum((r) => r.acknowledged),
  lost: sum((r) => r.lost),
  duplicated: sum((r) => r.duplicated),
  deadLettersAcknowledged: sum((r) => r.deadLetter.acknowledged),
  deadLettersLost: sum((r) => r.deadLetter.lost),
  deadLettersDuplicated: sum((r) => r.deadLetter.duplicated),
  replacedObjects: sum((r) => Object.values(r.replacedObjects).reduce((a, b) => a + b, 0)),
  rollupMiscounted: sum((r) => Math.abs(r.rollup.counted - r.rollup.distinctFacts)),
  unexpectedExits: sum((r) => r.unexpectedExits.length),
};
const summary = (r: FaultTrialsReport) => ({
  ...r,
  raw: {
    ...r.raw,
    lostSample: r.raw.lostSample.slice(0, 3),
    duplicatedSample: r.raw.duplicatedSample.slice(0, 3),
  },
  unexpectedExits: r.unexpectedExits.map((c) => ({
    cycle: c.cycle,
    state: c.state,
    signal: c.signal,
    exit: c.exit,
  })),
});
process.stdout.write(
  `${JSON.stringify({ seed, cyclesPerState, killsPerState, totals, runs: runs.map(summary) }, null, 2)}\n`,
);
const failed =
  totals.lost +
  totals.duplicated +
  totals.deadLettersLost +
  totals.deadLettersDuplicated +
  totals.replacedObjects;
process.exitCode = failed + totals.rollupMiscounted > 0 ? 1 : 0;

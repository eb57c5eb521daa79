import { randomBytes } from 'node:crypto';
import { builtCli } from '../../testbin/harness/built-cli.js';
import { freePort } from '../../testbin/harness/free-port.js';
import { startMinio, type MinioServer } from '../../testbin/harness/minio-server.js';
import { repoPath } from '../../testbin/harness/testbin-paths.js';
import { IngestFaultTrials, type FaultStore, type FaultTrialsReport } from './testing/ingest-fault-trials.js';

// The seed fixes the schedule (states, signals, delays, batches); replay a failure with GRAVIX_FAULT_SEED.
const seed = Number(process.env['GRAVIX_FAULT_SEED'] ?? randomBytes(4).readUInt32LE(0) >>> 1);

/** What must hold after every run; the whole report is printed, so a failure shows counts and samples. */
function verdict(report: FaultTrialsReport) {
  return {
    lost: report.raw.lost,
    duplicated: report.raw.duplicated,
    deadLettersLost: report.deadLetter.lost,
    deadLettersDuplicated: report.deadLetter.duplicated,
    rollupExitCode: report.rollup.exitCode,
    rollupCounted: report.rollup.counted,
    replacedObjects: report.replacedObjects,
    deletedObjects: report.deletedObjects,
    unexpectedExits: report.unexpectedExits.length,
    errorLogs: report.errorLogs,
  };
}

async function runTrials(store: FaultStore, cyclesPerState: number): Promise<FaultTrialsReport> {
  process.stderr.write(
    `ingest fault trials (${store.kind}): seed ${seed}, replay with GRAVIX_FAULT_SEED=${seed}\n`,
  );
  const trials = new IngestFaultTrials({
    seed,
    store,
    cli: await builtCli(),
    cyclesPerState,
    port: await freePort(),
    logDir: repoPath('test-artifacts', 'logs', `ingest-faults-${store.kind}-${seed}`),
  });
  const report = await trials.runAll();
  process.stderr.write(`${JSON.stringify({ ...report, unexpectedExits: report.unexpectedExits.length })}\n`);
  expect(verdict(report)).toEqual({
    lost: 0,
    duplicated: 0,
    deadLettersLost: 0,
    deadLettersDuplicated: 0,
    rollupExitCode: 0,
    rollupCounted: report.rollup.distinctFacts,
    replacedObjects: {},
    deletedObjects: {},
    unexpectedExits: 0,
    errorLogs: [],
  });
  expect(report.acknowledged).toBeGreaterThan(100);
  trials.cleanUp();
  return report;
}

describe('ingestion killed (SIGKILL and SIGTERM) in every state', () => {
  it('keeps every acknowledged fact exactly once in the local store, and the rollup counts each once', async () => {
    const report = await runTrials({ kind: 'local' }, 2);
    expect(Object.keys(report.kills).sort()).toEqual([
      'before-delete',
      'idle-empty',
      'idle-pending',
      'mid-seal',
      'mid-upload',
      'mid-write',
      'recovery',
    ]);
  });

  describe('with MinIO', () => {
    let minio: MinioServer;
    beforeAll(async () => {
      minio = await startMinio();
    });
    afterAll(() => minio?.stop());

    it('keeps every acknowledged fact exactly once in S3, through store outages too', async () => {
      const bucket = `gx-faults-${randomBytes(4).toString('hex')}`;
      await minio.createBucket(bucket);
      const report = await runTrials({ kind: 'minio', minio, bucket }, 1);
      expect(report.kills['store-down']).toBeDefined();
    });
  });
});

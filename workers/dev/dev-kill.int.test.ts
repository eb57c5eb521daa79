import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli } from '../../testbin/harness/built-cli.js';
import { freePort } from '../../testbin/harness/free-port.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import { buildSeededRandom } from '../domain/seeded-random.js';
import { FactLoad } from '../ingest/testing/fact-load.js';
import { auditStore, readRollupCounts, type StoreAudit } from '../ingest/testing/store-audit.js';
import { pipelinePid, startDev, waitPipelineGone, type DevUnderTest } from './testing/dev-processes.js';

/** Load until `more` facts more are acknowledged, so a kill lands with requests in flight. */
async function loadUntilAcked(load: FactLoad, more: number): Promise<void> {
  const target = load.acked.size + more;
  load.start(2);
  await waitUntil(async () => load.acked.size >= target, {
    what: `${target} acknowledged facts`,
    timeoutMs: 60_000,
    intervalMs: 50,
  });
}

/** What must hold after the kills: every acknowledged fact stored once, and the rollup counting each once. */
function verdict(audit: StoreAudit) {
  return {
    lost: audit.raw.lost,
    duplicated: audit.raw.duplicated,
    deadLettersLost: audit.deadLetter.lost,
    deadLettersDuplicated: audit.deadLetter.duplicated,
  };
}

describe('gravix dev killed with SIGKILL (docs/adr/0109)', () => {
  // The CLI is built once per state of the sources; at load 40-50 that alone takes minutes.
  beforeAll(() => builtCli(), 600_000);

  it('loses nothing acknowledged when the launcher or the pipeline is killed under load, frees the data directory and starts again on it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gx-dev-kill-'));
    const ports = {
      GRAVIX_INGEST_PORT: String(await freePort()),
      GRAVIX_QUERY_PORT: String(await freePort()),
    };
    const running: DevUnderTest[] = [await startDev(dataDir, ports)];
    const key = readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim();
    const load = new FactLoad(running[0]!.ingestUrl, key, buildSeededRandom(19), 'dk');
    try {
      // 1. The launcher dies: its pipeline stops within the shutdown deadline and frees the directory.
      load.tag = 'launcher';
      await loadUntilAcked(load, 150);
      const first = (await pipelinePid(dataDir))!;
      process.kill(running[0]!.proc.pid!, 'SIGKILL');
      await waitPipelineGone(first, dataDir, 60_000);
      await load.stop();

      // 2. The pipeline dies: the launcher ends by the same signal and the directory is free at once.
      running.push(await startDev(dataDir, ports));
      load.tag = 'pipeline';
      await loadUntilAcked(load, 150);
      const second = (await pipelinePid(dataDir))!;
      expect(second).not.toBe(first);
      process.kill(second, 'SIGKILL');
      await waitUntil(async () => running[1]!.proc.exitStatus !== undefined, {
        what: 'the launcher to end after its pipeline was killed',
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      expect(running[1]!.proc.exitStatus).toBeNull(); // ended by a signal, as its pipeline was
      expect(await pipelinePid(dataDir)).toBeUndefined();
      await load.stop();

      // 3. A new start uploads what the write-ahead log kept and rolls it up.
      running.push(await startDev(dataDir, ports));
      const store = new LocalObjectStore(join(dataDir, 'store'));
      const audit = await waitUntil(
        async () => {
          const audit = await auditStore(store, load.acked, load.ackedRejected);
          return audit.raw.lost === 0 && audit.deadLetter.lost === 0 ? audit : undefined;
        },
        { what: 'every acknowledged fact in the raw layer', timeoutMs: 60_000, intervalMs: 1000 },
      );
      expect(verdict(audit)).toEqual({
        lost: 0,
        duplicated: 0,
        deadLettersLost: 0,
        deadLettersDuplicated: 0,
      });
      expect(load.acked.size).toBeGreaterThanOrEqual(300);
      const distinct = audit.partitions.reduce((sum, p) => sum + p.facts, 0);
      const partitions = audit.partitions.map((p) => p.partition);
      await waitUntil(async () => (await readRollupCounts(store, partitions)) === distinct, {
        what: `the rollup counting ${distinct} facts`,
        timeoutMs: 60_000,
        intervalMs: 1000,
      });
      await running[2]!.kill('SIGTERM');
      expect(running[2]!.proc.exitStatus).toBe(0);
    } finally {
      await load.stop();
      for (const dev of running) await dev.kill('SIGKILL');
    }
  }, 300_000);
});

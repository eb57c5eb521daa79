import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { startRollupLoop, type RollupPassResult } from './rollup-loop.js';
import { buildRollupMetrics } from './rollup-metrics.js';

const day = 86_400_000;

async function firstPass(root: string): Promise<{ text: string; pass: RollupPassResult }> {
  const metrics = buildRollupMetrics(new Registry());
  let resolve!: (pass: RollupPassResult) => void;
  const passed = new Promise<RollupPassResult>((r) => (resolve = r));
  const loop = startRollupLoop({
    store: new LocalObjectStore(root),
    latenessMs: 0,
    includeOpen: true,
    rawRetentionMs: day,
    metricsRetentionMs: day,
    intervalMs: 60_000,
    onPass: (pass) => {
      metrics.recordPass(pass);
      resolve(pass);
    },
  });
  const pass = await passed;
  await loop.stop();
  return { text: await metrics.registry.metrics(), pass };
}

describe('the rollup loop metrics', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gx-rollup-metrics-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('report a rollup that has never succeeded as last success 0, with both run results at 0', async () => {
    const text = await buildRollupMetrics(new Registry()).registry.metrics();
    expect(text).toContain('gravix_rollup_last_success_timestamp_seconds 0\n');
    expect(text).toContain('gravix_rollup_runs_total{result="success"} 0\n');
    expect(text).toContain('gravix_rollup_runs_total{result="failure"} 0\n');
  });

  it('count a pass over a store as a success and move the last success time to its end', async () => {
    const { text, pass } = await firstPass(join(dir, 'store'));
    expect(pass.ok).toBe(true);
    expect(text).toContain('gravix_rollup_runs_total{result="success"} 1\n');
    expect(text).toContain(`gravix_rollup_last_success_timestamp_seconds ${pass.finishedAtMs / 1000}\n`);
    expect(text).toContain('gravix_rollup_pass_duration_seconds_count 1\n');
  });

  it('count a pass that cannot read the store as a failure and keep the last success time', async () => {
    const notADirectory = join(dir, 'file');
    writeFileSync(notADirectory, 'x');
    const { text, pass } = await firstPass(notADirectory);
    expect(pass.ok).toBe(false);
    expect(text).toContain('gravix_rollup_runs_total{result="failure"} 1\n');
    expect(text).toContain('gravix_rollup_last_success_timestamp_seconds 0\n');
  });
});

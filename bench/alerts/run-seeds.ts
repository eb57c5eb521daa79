import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { aggregateSeeds, type SeedScore } from './scenario-aggregate.js';

/** What a single-seed child prints beyond its score. */
type SeedRun = SeedScore & { cost: Record<string, unknown>; targets: unknown; falseAlerts: unknown };

const benchScript = fileURLToPath(new URL('./alerts-bench.js', import.meta.url));
const load = () => loadavg().map((l) => Math.round(l * 10) / 10);

export class SeedRunError extends Error {
  readonly code = 'ALERT_BENCH_SEED_FAILED';
}

/** Seeds are integers: a typo must not run a week of the wrong scenario for half an hour. */
export function parseSeeds(text: string): number[] {
  const seeds = text.split(',').map((s) => s.trim());
  const bad = seeds.filter((s) => !/^\d+$/.test(s));
  if (bad.length > 0 || seeds.length === 0)
    throw new RangeError(
      `--seeds: ${JSON.stringify(text)} must be comma-separated integers (bad: ${bad.join(', ')})`,
    );
  return [...new Set(seeds.map(Number))];
}

/** One seed in its own process: its ~2 GB of rows are returned to the system when it ends. */
function runOne(seed: number, forwarded: readonly string[]): Promise<SeedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [benchScript, '--seed', String(seed), ...forwarded], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`[seed ${seed}] ${chunk.toString()}`));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new SeedRunError(`seed ${seed}: the bench exited with ${code}`));
      else resolve(JSON.parse(out) as SeedRun);
    });
  });
}

/** Runs the seeds `parallel` at a time and prints the aggregate beside each seed's own document. */
export async function runSeeds(seedsText: string, parallel: number, forwarded: readonly string[]) {
  const seeds = parseSeeds(seedsText);
  const loadBefore = load();
  const started = performance.now();
  const runs = new Map<number, SeedRun>();
  const queue = [...seeds];
  const lane = async () => {
    for (let seed = queue.shift(); seed !== undefined; seed = queue.shift())
      runs.set(seed, await runOne(seed, forwarded));
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, seeds.length)) }, lane));
  const perSeed = seeds.map((s) => runs.get(s)!);
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'alerts-scenario-seeds',
        aggregate: aggregateSeeds(perSeed),
        perSeed,
        cost: {
          wallSeconds: Math.round((performance.now() - started) / 1000),
          parallel,
          loadBefore,
          loadAfter: load(),
        },
      },
      null,
      2,
    )}\n`,
  );
}

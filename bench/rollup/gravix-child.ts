import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { runRollupOnce } from '../../workers/rollup/app/run-rollup-once.js';

// Runs in its own process so its peak RSS is the rollup's alone.
const [storeRoot, threads] = process.argv.slice(2);
const started = performance.now();
const summary = await runRollupOnce({
  store: new LocalObjectStore(storeRoot!),
  nowMs: Date.now() + 365 * 86_400_000,
  latenessMs: 0,
  rawRetentionMs: 3650 * 86_400_000,
  metricsRetentionMs: 3650 * 86_400_000,
  applyRetention: false,
  ...(threads === undefined ? {} : { scanThreads: Number(threads) }),
});
const seconds = (performance.now() - started) / 1000;
// CPU time of every thread of the process: under a loaded machine, wall time says little, CPU time more.
const cpu = process.cpuUsage();
const [partition] = summary.partitions;
process.stdout.write(
  `${JSON.stringify({
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    facts: partition?.facts,
    duplicates: partition?.duplicates,
    failed: summary.failed,
  })}\n`,
);

import type { Logger } from 'pino';
import { buildObjectStoreFromConfig } from '../adapters/object-store/load-object-store.js';
import type { ObjectStore } from '../adapters/object-store/object-store.js';
import { buildLogger } from '../shared/logger.js';
import { LiveTenants } from '../adapters/tenants/live-tenants.js';
import { buildProgressReporter } from './app/backfill-progress.js';
import { loadRollupConfig, type RollupConfig } from './config.js';
import { deriveMissingTables } from './app/derive-missing-tables.js';
import { refreshDayTiles } from './app/refresh-day-tiles.js';
import { startRollupHttpServer, type RollupReadiness } from './http/rollup-http-server.js';
import { rollupReadiness, rollupStallMs, type RollupProgress } from './domain/rollup-readiness.js';
import { startRollupLoop } from './app/rollup-loop.js';
import { PartitionBackoff } from './domain/partition-backoff.js';
import { buildRollupMetrics } from './app/rollup-metrics.js';
import { configurePhasePause } from './app/test-phase-pause.js';
import { runRollupOnce, type RollupOnceOptions, type RollupRunSummary } from './app/run-rollup-once.js';

export { runRollupOnce, type RollupOnceOptions, type RollupRunSummary } from './app/run-rollup-once.js';
export { startRollupLoop, type RollupLoop } from './app/rollup-loop.js';

function baseOptions(config: RollupConfig, store: ObjectStore, log: Logger): RollupOnceOptions {
  const tenants = new LiveTenants(config.tenantsFile, log);
  return {
    retentionOverride: (tenant) => tenants.get(tenant)?.retention,
    store,
    log,
    latenessMs: config.latenessMs,
    includeOpen: config.includeOpen,
    rawRetentionMs: config.rawRetentionMs,
    metricsRetentionMs: config.metricsRetentionMs,
    force: config.force,
    scanWorkerHeapMb: config.scanWorkerHeapMb,
    scanTimeoutMs: config.scanTimeoutMs,
    limits: config.limits,
    ...(config.scanThreads === undefined ? {} : { scanThreads: config.scanThreads }),
  };
}

function exitCodeOf(summary: RollupRunSummary, log: Logger): number {
  const count = (outcome: string) => summary.partitions.filter((p) => p.outcome === outcome).length;
  log.info(
    {
      committed: count('committed'),
      republished: count('republished'),
      upToDate: count('up_to_date'),
      lostRace: count('lost_race'),
      failed: summary.failed.length,
      failedPartitions: summary.failed.map((f) => `${f.partition} ${f.code}`).slice(0, 20),
      retention: summary.retention,
    },
    'rollup run finished',
  );
  return summary.failed.length > 0 ? 1 : 0;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
}

/** Loop mode (the Kubernetes Deployment): a pass every interval, its results on /metrics, until SIGTERM. */
async function runLoop(config: RollupConfig, options: RollupOnceOptions, log: Logger): Promise<number> {
  const metrics = buildRollupMetrics();
  const progress: RollupProgress = {};
  const stallMs = rollupStallMs(config.intervalMs);
  const readiness: RollupReadiness = () => rollupReadiness(progress, Date.now(), stallMs);
  const server = config.http
    ? await startRollupHttpServer({ ...config.http, registry: metrics.registry, readiness })
    : undefined;
  if (server) log.info({ port: server.port }, 'rollup metrics listening');
  const loop = startRollupLoop({
    ...options,
    intervalMs: config.intervalMs,
    backoff: new PartitionBackoff({ maxMs: config.retryBackoffMaxMs }),
    onPassStart: (startedAtMs) => {
      progress.runningSinceMs = startedAtMs;
    },
    onPass: (pass) => {
      progress.runningSinceMs = undefined;
      progress.last = pass;
      metrics.recordPass(pass);
    },
  });
  await untilSignal();
  await loop.stop();
  await server?.close();
  return 0;
}

/**
 * `gravix rollup [--once | --backfill --from T --to T | --derive-missing] [--force] [--include-open]`: the
 * composition root. `--derive-missing` is the one-off upgrade for partitions rolled up before the pre-merged tables.
 */
export async function run(argv: string[]): Promise<number> {
  const config = loadRollupConfig(process.env, argv);
  const log = buildLogger('rollup', config.logLevel);
  configurePhasePause(config.testPhasePauseMs, log);
  const store = buildObjectStoreFromConfig(config.store);
  const options = baseOptions(config, store, log);
  try {
    if (config.mode.kind === 'once') return exitCodeOf(await runRollupOnce(options), log);
    if (config.mode.kind === 'derive-missing') {
      await deriveMissingTables(store, log);
      // The derived hours changed their manifests' etags: closed days get their tiles now, not at the next run.
      await refreshDayTiles(store, { ...options, nowMs: Date.now() }, log);
      return 0;
    }
    if (config.mode.kind === 'backfill') {
      const { fromMs, toMs } = config.mode;
      const onPartition = buildProgressReporter(process.stderr);
      return exitCodeOf(
        await runRollupOnce({ ...options, fromMs, toMs, applyRetention: false, onPartition }),
        log,
      );
    }
    return await runLoop(config, options, log);
  } finally {
    (store as { destroy?: () => void }).destroy?.();
  }
}

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { buildMetricsRegistry } from '../../shared/metrics-registry.js';
import type { RollupPassResult } from './rollup-loop.js';

export interface RollupMetrics {
  registry: Registry;
  recordPass(pass: RollupPassResult): void;
}

/**
 * What the long-running rollup (`gravix rollup` loop mode, the Kubernetes Deployment) exposes on /metrics, so
 * GravixRollupFailing and GravixRollupStale/Stalled can fire. The last-success gauge starts at 0: a rollup that has
 * never succeeded looks infinitely stale instead of absent.
 */
export function buildRollupMetrics(registry: Registry = buildMetricsRegistry()): RollupMetrics {
  const runs = new Counter({
    name: 'gravix_rollup_runs_total',
    help: 'Rollup passes by result (failure: the pass threw or a partition failed).',
    labelNames: ['result'],
    registers: [registry],
  });
  // Both series exist from the start, so increase() sees the first failure.
  runs.inc({ result: 'success' }, 0);
  runs.inc({ result: 'failure' }, 0);
  const lastSuccess = new Gauge({
    name: 'gravix_rollup_last_success_timestamp_seconds',
    help: 'When this rollup last finished a pass without failures (0: never since it started).',
    registers: [registry],
  });
  lastSuccess.set(0);
  const duration = new Histogram({
    name: 'gravix_rollup_pass_duration_seconds',
    help: 'Duration of rollup passes.',
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const partitionFailures = new Counter({
    name: 'gravix_rollup_partition_failures_total',
    help: 'Partitions that failed to roll up, by error code (the pass went on with the others).',
    labelNames: ['code'],
    registers: [registry],
  });
  const failing = new Gauge({
    name: 'gravix_rollup_failing_partitions',
    help: 'Partitions whose last attempt failed; each is retried with backoff (1 min doubling, capped).',
    registers: [registry],
  });
  failing.set(0);
  return {
    registry,
    recordPass(pass) {
      for (const code of pass.failureCodes) partitionFailures.inc({ code });
      failing.set(pass.failingPartitions);
      runs.inc({ result: pass.ok ? 'success' : 'failure' });
      duration.observe(pass.durationSeconds);
      if (pass.ok) lastSuccess.set(pass.finishedAtMs / 1000);
    },
  };
}

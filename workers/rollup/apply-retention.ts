import type { Logger } from 'pino';
import type { ObjectStore } from '../adapters/object-store/object-store.js';
import { partitionStartMs } from '../domain/raw-partition.js';
import { buildDataFileKey, buildManifestKey, metricsTables } from './domain/rollup-manifest.js';
import type { RollupPlan, RollupPolicy } from './domain/rollup-plan.js';
import { pauseAtPhase } from './test-phase-pause.js';

export interface RetentionReport {
  rawPartitionsDeleted: number;
  rawPartitionsKept: number;
  metricsPartitionsDeleted: number;
}

const hourMs = 3_600_000;

/**
 * Raw data past retention is deleted only once its partition has a committed manifest (or its metrics are
 * past retention too), so retention can never drop events that were not rolled up. Metric partitions lose
 * their data files before their manifest: a crash in between leaves the manifest for the next run to finish.
 */
export async function applyRetention(
  store: ObjectStore,
  plan: RollupPlan,
  policy: RollupPolicy,
  log: Logger,
): Promise<RetentionReport> {
  const report: RetentionReport = {
    rawPartitionsDeleted: 0,
    rawPartitionsKept: 0,
    metricsPartitionsDeleted: 0,
  };
  const metricsCutoff = policy.nowMs - policy.metricsRetentionMs;
  for (const { partition, keys } of plan.rawExpired) {
    const pastMetrics = partitionStartMs(partition) + hourMs <= metricsCutoff;
    if (!pastMetrics && (await store.head(buildManifestKey(partition))) === undefined) {
      log.warn(
        { manifest: buildManifestKey(partition) },
        'raw partition past retention kept: not rolled up yet',
      );
      report.rawPartitionsKept += 1;
      continue;
    }
    for (const key of keys) {
      await pauseAtPhase('retention');
      await store.delete(key);
    }
    report.rawPartitionsDeleted += 1;
  }
  for (const partition of plan.metricsExpired) {
    for (const table of metricsTables) await store.delete(buildDataFileKey(table, partition));
    await store.delete(buildManifestKey(partition));
    report.metricsPartitionsDeleted += 1;
  }
  if (report.rawPartitionsDeleted + report.metricsPartitionsDeleted > 0)
    log.info(report, 'retention applied');
  return report;
}

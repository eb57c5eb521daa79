import type { Logger } from 'pino';
import { PreconditionFailedError, type ObjectStore } from '../../adapters/object-store/object-store.js';
import {
  buildRawPartitionPrefix,
  parseRawSegmentKey,
  type RawPartition,
} from '../../domain/raw-partition.js';
import { loadManifest, type CommittedManifest } from './commit-partition.js';
import { decideRawRetention } from '../domain/raw-retention-plan.js';
import { buildInputsDigest, encodeRollupManifest, type ManifestInput } from '../domain/rollup-manifest.js';
import {
  buildDataFileKey,
  buildEdgeCarryKey,
  buildManifestKey,
  metricsTables,
} from '../../domain/metrics-layout.js';
import type { RollupPlan, RollupPolicy } from '../domain/rollup-plan.js';
import { rollupPartition } from './rollup-partition.js';
import { pauseAtPhase } from './test-phase-pause.js';

export interface RetentionReport {
  rawPartitionsDeleted: number;
  /** Partitions past raw retention left as they are this run (a late rollup failed or lost a race, ...). */
  rawPartitionsKept: number;
  /** Files that landed in a partition after its deletion began: never counted, never deleted, reported. */
  rawFilesUncovered: number;
  metricsPartitionsDeleted: number;
}

type RawOutcome = 'deleted' | 'kept';

/**
 * Raw data past retention is deleted only when a published manifest lists it as an input (same etag and size):
 * late files are rolled up first, in this run; if that fails, nothing of the partition is deleted. Metric
 * partitions lose their data files before their manifest: a crash in between leaves the manifest for the next run.
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
    rawFilesUncovered: 0,
    metricsPartitionsDeleted: 0,
  };
  for (const { partition, pastMetrics } of plan.rawExpired) {
    const outcome = pastMetrics
      ? await deleteAll(store, await listRaw(store, partition))
      : await retireRawPartition(store, partition, policy, log, report);
    report[outcome === 'deleted' ? 'rawPartitionsDeleted' : 'rawPartitionsKept'] += 1;
  }
  for (const partition of plan.metricsExpired) {
    for (const table of metricsTables) {
      await pauseAtPhase('retention');
      await store.delete(buildDataFileKey(table, partition));
    }
    await store.delete(buildEdgeCarryKey(partition));
    await store.delete(buildManifestKey(partition));
    report.metricsPartitionsDeleted += 1;
  }
  if (report.rawPartitionsDeleted + report.metricsPartitionsDeleted + report.rawPartitionsKept > 0)
    log.info(report, 'retention applied');
  return report;
}

/** A fresh listing: files may have landed since the run listed raw/. Keys are parsed only by raw-partition.ts. */
async function listRaw(store: ObjectStore, partition: RawPartition): Promise<ManifestInput[]> {
  const listed = await store.list(buildRawPartitionPrefix(partition));
  return listed
    .filter(({ key }) => {
      try {
        return parseRawSegmentKey(key) !== undefined;
      } catch {
        return false;
      }
    })
    .map(({ key, etag, size }) => ({ key, etag, size }));
}

async function deleteAll(store: ObjectStore, listed: readonly ManifestInput[]): Promise<RawOutcome> {
  for (const { key } of listed) {
    await pauseAtPhase('retention');
    await store.delete(key);
  }
  return 'deleted';
}

/**
 * Steps until the partition's covered files are gone: roll up what is not covered (at most once a run), mark the
 * published manifest retired (conditional put: a concurrent commit makes us stop), delete what it covers.
 */
async function retireRawPartition(
  store: ObjectStore,
  partition: RawPartition,
  policy: RollupPolicy,
  log: Logger,
  report: RetentionReport,
): Promise<RawOutcome> {
  const manifestKey = buildManifestKey(partition);
  const partitionLog = log.child({ manifest: manifestKey });
  let rolledUp = false;
  for (;;) {
    const [listed, committed] = [await listRaw(store, partition), await loadManifest(store, manifestKey)];
    const step = decideRawRetention(listed, committed?.manifest);
    if (step.action === 'keep' || (step.action === 'rollup' && rolledUp)) {
      partitionLog.warn({ step: step.action }, 'raw partition past retention kept: not fully rolled up');
      return 'kept';
    }
    if (step.action === 'rollup') {
      rolledUp = true;
      if (!(await rollUpLateFiles(store, partition, listed, policy, partitionLog))) return 'kept';
      continue;
    }
    if (step.action === 'retire') {
      if (!(await markRetired(store, manifestKey, committed!))) return 'kept';
      continue;
    }
    await deleteAll(
      store,
      listed.filter((o) => step.covered.includes(o.key)),
    );
    if (step.uncovered.length > 0) {
      report.rawFilesUncovered += step.uncovered.length;
      partitionLog.warn(
        { keys: step.uncovered.slice(0, 5), count: step.uncovered.length },
        'raw files landed after their partition was retired: kept, not counted',
      );
    }
    // Only stragglers left: nothing was deleted, and the partition is not done.
    return step.covered.length > 0 ? 'deleted' : 'kept';
  }
}

/** The fence: once this conditional put lands, no commit replaces the generation whose inputs we delete. */
async function markRetired(store: ObjectStore, key: string, committed: CommittedManifest): Promise<boolean> {
  await pauseAtPhase('retention');
  try {
    const retired = encodeRollupManifest({ ...committed.manifest, raw_retired: true });
    await store.put(key, retired, { ifMatch: committed.etag, contentType: 'application/json' });
    return true;
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    return false; // a concurrent commit: the next run starts over from it
  }
}

/** Rolls the partition up from exactly what is listed now; false (and nothing deleted) when that fails. */
async function rollUpLateFiles(
  store: ObjectStore,
  partition: RawPartition,
  inputs: ManifestInput[],
  policy: RollupPolicy,
  log: Logger,
): Promise<boolean> {
  try {
    const candidate = { partition, inputs, inputsDigest: buildInputsDigest(inputs), sealed: true };
    const report = await rollupPartition(store, candidate, policy, log);
    return report.outcome !== 'raw_retired';
  } catch (error) {
    const { code = 'INTERNAL' } = error as { code?: string };
    log.error({ code, err: error }, 'late rollup before retention failed: partition kept');
    return false;
  }
}

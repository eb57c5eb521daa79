import type { Logger } from 'pino';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { commitPartition, loadManifest, type CommitOutcome } from './commit-partition.js';
import type { SegmentScanPool } from '../adapters/segment-scan-pool.js';
import { computePartition } from './compute-partition.js';
import type { PartitionLimits } from '../domain/partition-accumulator.js';
import { buildManifestKey } from '../../domain/metrics-layout.js';
import { decidePartition, type PartitionCandidate, type RollupPolicy } from '../domain/rollup-plan.js';

export type PartitionOutcome = CommitOutcome | 'up_to_date' | 'raw_retired';

export interface PartitionReport {
  partition: string;
  outcome: PartitionOutcome;
  generation?: number;
  facts?: number;
  duplicates?: number;
  invalid?: number;
}

const invalidLogLimit = 5;

/** How partitions are computed: the scan workers (started on first use) and the memory bounds. */
export interface PartitionCompute {
  pool?: () => SegmentScanPool | undefined;
  limits?: PartitionLimits | undefined;
}

/** Brings one partition's committed metrics up to date with its raw inputs. */
export async function rollupPartition(
  store: ObjectStore,
  candidate: PartitionCandidate,
  policy: RollupPolicy & { force?: boolean },
  log: Logger,
  compute: PartitionCompute = {},
): Promise<PartitionReport> {
  const manifestKey = buildManifestKey(candidate.partition);
  const partitionLog = log.child({ manifest: manifestKey });
  const previous = await loadManifest(store, manifestKey);
  const decision = decidePartition(candidate, previous?.manifest);
  if (decision.action === 'skip' && !(policy.force && decision.reason === 'up_to_date')) {
    return { partition: manifestKey, outcome: decision.reason, generation: previous?.manifest.generation };
  }
  let invalidLogged = 0;
  const computed = await computePartition(
    store,
    candidate.partition,
    candidate.inputs.map((i) => i.key),
    (message) => {
      if (invalidLogged++ < invalidLogLimit)
        partitionLog.warn({ problem: message }, 'invalid raw line skipped');
    },
    compute.pool?.(),
    compute.limits,
  );
  const { outcome, generation } = await commitPartition(store, computed, previous, {
    sealed: candidate.sealed,
    nowMs: policy.nowMs,
    log: partitionLog,
    force: policy.force ?? false,
  });
  const { facts, duplicates, invalid } = computed.stats;
  partitionLog.info({ outcome, generation, facts, duplicates, invalid }, 'partition rolled up');
  return { partition: manifestKey, outcome, generation, facts, duplicates, invalid };
}

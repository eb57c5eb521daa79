import type { Logger } from 'pino';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { commitPartition, loadManifest, type CommitOutcome } from './commit-partition.js';
import type { SegmentScanPool } from '../adapters/segment-scan-pool.js';
import { computePartition, type ComputedPartition } from './compute-partition.js';
import type { PartitionLimits } from '../domain/partition-accumulator.js';
import { buildManifestKey } from '../../domain/metrics-layout.js';
import { loadNextHourHeads, loadPrevHourTails } from './load-edge-carry.js';
import type { RollupManifest } from '../domain/rollup-manifest.js';
import { decidePartition, type PartitionCandidate, type RollupPolicy } from '../domain/rollup-plan.js';

export type PartitionOutcome = CommitOutcome | 'up_to_date' | 'raw_retired';

export interface PartitionReport {
  partition: string;
  outcome: PartitionOutcome;
  generation?: number;
  facts?: number;
  duplicates?: number;
  invalid?: number;
  /** The committed generation's edges waiting for the next hour, and the next hour's manifest they were matched under. */
  edgesWaiting?: number;
  edgeNextEtag?: string;
  /** Its early edges offered to the previous hour, and the previous hour's carry object they were matched under. */
  edgesEarly?: number;
  edgePrevCarryEtag?: string;
}

type EdgeState = Pick<RollupManifest, 'stats' | 'edge_next' | 'edge_prev'>;
type EdgeFields = Pick<PartitionReport, 'edgesWaiting' | 'edgeNextEtag' | 'edgesEarly' | 'edgePrevCarryEtag'>;

function edgeFields(state: EdgeState | undefined): EdgeFields {
  const { waiting, early } = state?.stats.edges ?? {};
  const etag = state?.edge_next?.manifest_etag;
  const prevEtag = state?.edge_prev?.carry_etag;
  return {
    ...(waiting !== undefined && { edgesWaiting: waiting }),
    ...(etag !== undefined && { edgeNextEtag: etag }),
    ...(early !== undefined && { edgesEarly: early }),
    ...(prevEtag !== undefined && { edgePrevCarryEtag: prevEtag }),
  };
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
    return {
      partition: manifestKey,
      outcome: decision.reason,
      generation: previous?.manifest.generation,
      ...edgeFields(previous?.manifest),
    };
  }
  const next = await loadNextHourHeads(store, candidate.partition, partitionLog);
  const prev = await loadPrevHourTails(store, candidate.partition, partitionLog);
  let invalidLogged = 0;
  const computed = await computePartition(
    store,
    candidate.partition,
    candidate.inputs,
    (message) => {
      if (invalidLogged++ < invalidLogLimit)
        partitionLog.warn({ problem: message }, 'invalid raw line skipped');
    },
    compute.pool?.(),
    compute.limits,
    { next, prev },
    { minuteDigests: !candidate.sealed },
  );
  const { outcome, generation } = await commitPartition(store, computed, previous, {
    sealed: candidate.sealed,
    nowMs: policy.nowMs,
    log: partitionLog,
    force: policy.force ?? false,
  });
  const { facts, duplicates, invalid } = computed.stats;
  const edges = computed.stats.edges;
  partitionLog.info({ outcome, generation, facts, duplicates, invalid, edges }, 'partition rolled up');
  const report = { partition: manifestKey, outcome, generation, facts, duplicates, invalid };
  return { ...report, ...reportedEdges(outcome, previous?.manifest, computed) };
}

/** The edge state the partition is left in: the computed one, the previous one when unchanged, none on a lost race. */
function reportedEdges(
  outcome: CommitOutcome,
  previous: RollupManifest | undefined,
  computed: ComputedPartition,
): EdgeFields {
  if (outcome === 'lost_race') return {};
  if (outcome === 'unchanged') return edgeFields(previous);
  return edgeFields({ stats: computed.stats, edge_next: computed.edgeNext, edge_prev: computed.edgePrev });
}

import {
  buildRawPartitionPrefix,
  parseRawSegmentKey,
  partitionStartMs,
  type RawPartition,
} from '../../domain/raw-partition.js';
import { canRecompute } from './raw-retention-plan.js';
import { buildInputsDigest, type ManifestInput, type RollupManifest } from './rollup-manifest.js';
import { parseManifestKey } from '../../domain/metrics-layout.js';
import { resolveTenantRetention, type RetentionOverride } from './tenant-retention.js';

const hourMs = 3_600_000;

export interface RollupPolicy {
  nowMs: number;
  /** How long after its hour ends a partition keeps accepting data before the watermark closes it. */
  latenessMs: number;
  /** Also roll up partitions the watermark has not closed yet (provisional results, `gravix dev`). */
  includeOpen: boolean;
  rawRetentionMs: number;
  metricsRetentionMs: number;
  /** Tenants' own retention (GRAVIX_TENANTS_FILE); the two above are the pipeline's default. */
  retentionOverride?: RetentionOverride;
}

/** The cutoffs of one tenant: partitions ending at or before them are past raw / metrics retention. */
function cutoffsOf(policy: RollupPolicy, tenant: string) {
  const retention = resolveTenantRetention(policy, policy.retentionOverride?.(tenant));
  return {
    rawCutoff: policy.nowMs - retention.rawRetentionMs - policy.latenessMs,
    metricsCutoff: policy.nowMs - retention.metricsRetentionMs,
  };
}

export interface PartitionCandidate {
  partition: RawPartition;
  inputs: ManifestInput[];
  inputsDigest: string;
  sealed: boolean;
}

export interface RollupPlan {
  /** Partitions the watermark allows to roll up, oldest first; each still needs its manifest checked. */
  candidates: PartitionCandidate[];
  /**
   * Raw partitions past raw retention plus one lateness window (ingest accepts facts up to its max age, and their
   * segments land within a lateness window after that). `pastMetrics`: the metrics are expired too, so the raw
   * data goes without a manifest check; otherwise apply-retention deletes only what a manifest covers.
   */
  rawExpired: { partition: RawPartition; pastMetrics: boolean }[];
  /** Committed metric partitions past metrics retention. */
  metricsExpired: RawPartition[];
  /** Keys under raw/ that are not raw segment keys (left alone, reported). */
  foreignKeys: string[];
}

export function buildPartitionId(p: RawPartition): string {
  return buildRawPartitionPrefix(p);
}

function groupRawObjects(rawObjects: readonly { key: string; etag: string; size: number }[]) {
  const groups = new Map<string, { partition: RawPartition; inputs: ManifestInput[] }>();
  const foreignKeys: string[] = [];
  for (const object of rawObjects) {
    let parsed;
    try {
      parsed = parseRawSegmentKey(object.key);
    } catch {
      foreignKeys.push(object.key);
      continue;
    }
    const partition = { tenant: parsed.tenant, date: parsed.date, hour: parsed.hour };
    const id = buildPartitionId(partition);
    const group = groups.get(id) ?? { partition, inputs: [] };
    group.inputs.push({ key: object.key, etag: object.etag, size: object.size });
    groups.set(id, group);
  }
  return { groups: [...groups.values()], foreignKeys };
}

/** Decides, from listings alone, what this run may roll up and what retention removes. */
export function buildRollupPlan(
  rawObjects: readonly { key: string; etag: string; size: number }[],
  manifestKeys: readonly string[],
  policy: RollupPolicy,
): RollupPlan {
  const { groups, foreignKeys } = groupRawObjects(rawObjects);
  const plan: RollupPlan = { candidates: [], rawExpired: [], metricsExpired: [], foreignKeys };
  for (const { partition, inputs } of groups) {
    const { rawCutoff, metricsCutoff } = cutoffsOf(policy, partition.tenant);
    const start = partitionStartMs(partition);
    const end = start + hourMs;
    if (end <= rawCutoff) plan.rawExpired.push({ partition, pastMetrics: end <= metricsCutoff });
    if (end <= metricsCutoff) continue;
    const sealed = end + policy.latenessMs <= policy.nowMs;
    if (!sealed && !(policy.includeOpen && start <= policy.nowMs)) continue;
    plan.candidates.push({ partition, inputs, inputsDigest: buildInputsDigest(inputs), sealed });
  }
  for (const key of manifestKeys) {
    const partition = parseManifestKey(key);
    if (
      partition &&
      partitionStartMs(partition) + hourMs <= cutoffsOf(policy, partition.tenant).metricsCutoff
    )
      plan.metricsExpired.push(partition);
  }
  plan.candidates.sort((a, b) => partitionStartMs(a.partition) - partitionStartMs(b.partition));
  return plan;
}

export type PartitionDecision =
  | { action: 'compute'; reason: 'new' | 'inputs_changed' }
  | { action: 'republish' }
  | { action: 'skip'; reason: 'up_to_date' | 'raw_retired' };

/**
 * A partition is recomputed when its inputs changed (late data, new rollup version) — including past raw
 * retention, which rolls late files up before deleting anything — but only from all of the committed
 * generation's inputs: once retention retired the generation and began deleting them, a recompute would drop
 * the deleted files' facts, so the generation stays final.
 */
export function decidePartition(
  candidate: PartitionCandidate,
  manifest: RollupManifest | undefined,
): PartitionDecision {
  if (manifest === undefined) return { action: 'compute', reason: 'new' };
  if (manifest.inputs_digest === candidate.inputsDigest) {
    return manifest.published ? { action: 'skip', reason: 'up_to_date' } : { action: 'republish' };
  }
  if (!canRecompute(candidate.inputs, manifest)) return { action: 'skip', reason: 'raw_retired' };
  return { action: 'compute', reason: 'inputs_changed' };
}

import type { PipelineCondition, PipelineStatus } from '../../crds/gravix-pipeline-spec.js';
import { describeDeprecatedFields } from './deprecated-fields.js';
import type { WorkloadReadiness } from './workload-readiness.js';

export interface ReconcileFailure {
  reason: string;
  message: string;
}

export interface Observation {
  generation: number;
  /** Undefined when this pass could not look (failed or paused): Available then keeps its last value. */
  workloads?: WorkloadReadiness[];
  ingestReplicas: number;
  failure?: ReconcileFailure;
  /** A child that gave up (the storage Job): Degraded, though the reconcile itself succeeded. */
  childFailure?: ReconcileFailure;
  paused?: boolean;
  /** Fields of the spec this release ignores (deprecatedFieldsSet): a Deprecated condition while any is set. */
  deprecatedFields?: string[];
  /**
   * Claims the apiserver would not grow to the spec's size (their StorageClass does not allow expansion): a
   * StorageGrowthRefused condition while any is; undefined when this pass did not try (the last condition stays).
   */
  growthRefused?: string;
}

type ConditionInput = Omit<PipelineCondition, 'lastTransitionTime' | 'observedGeneration'>;

function availability(obs: Observation, previous: PipelineStatus | undefined): ConditionInput {
  if (!obs.workloads) {
    const before = previous?.conditions?.find((c) => c.type === 'Available');
    if (before)
      return { type: 'Available', status: before.status, reason: before.reason, message: before.message };
    return {
      type: 'Available',
      status: 'Unknown',
      reason: 'NotObserved',
      message: 'workloads not observed yet',
    };
  }
  const waiting = obs.workloads.filter((w) => !w.ready);
  if (waiting.length === 0)
    return {
      type: 'Available',
      status: 'True',
      reason: 'WorkloadsReady',
      message: 'all workloads are ready: bucket prepared, rollup passes succeeding, query answering',
    };
  const first = [...waiting].sort((a, b) => rank(a) - rank(b))[0]!;
  const describe = (w: WorkloadReadiness) => {
    const why = w.component ? NOT_READY[w.component]?.why : undefined;
    return why ? `${w.name} (${why})` : w.name;
  };
  return {
    type: 'Available',
    status: 'False',
    reason: (first.component && NOT_READY[first.component]?.reason) || 'WorkloadsNotReady',
    message: `waiting for ${waiting.map(describe).join(', ')}`,
  };
}

/**
 * What a component that is not ready means for the pipeline, most fundamental first: each worker's readiness is a
 * real check (the rollup's /ready fails while passes fail, query's runs SELECT 1 on its engine), so Available is
 * true only when the pipeline works end to end.
 */
const NOT_READY: Record<string, { reason: string; why: string }> = {
  minio: { reason: 'StorageNotReady', why: 'MinIO is not ready' },
  'storage-setup': { reason: 'StorageNotReady', why: 'the storage Job has not prepared the bucket yet' },
  rollup: {
    reason: 'RollupFailing',
    why: 'no rollup pass has succeeded since the last failure; its /ready says why',
  },
  'trino-coordinator': { reason: 'QueryNotReady', why: 'Trino does not accept queries yet' },
  query: {
    reason: 'QueryNotReady',
    why: 'the query server cannot run a query on its engine; its /ready says why',
  },
  ingest: { reason: 'IngestNotReady', why: 'not enough ingest replicas are ready' },
  alert: {
    reason: 'AlertsNotReady',
    why: 'the alert workers are not ready (their /ready waits until the GravixAlertRules are listed)',
  },
};
const ORDER = Object.keys(NOT_READY);
const rank = (w: WorkloadReadiness) => {
  const i = ORDER.indexOf(w.component ?? '');
  return i < 0 ? ORDER.length : i;
};

function progress(obs: Observation, available: boolean): ConditionInput {
  if (obs.paused)
    return {
      type: 'Progressing',
      status: 'False',
      reason: 'Paused',
      message: 'reconciliation is paused by the gravix.dev/paused annotation',
    };
  if (obs.failure)
    return { type: 'Progressing', status: 'False', reason: 'ReconcileFailed', message: obs.failure.message };
  if (available)
    return {
      type: 'Progressing',
      status: 'False',
      reason: 'RolloutComplete',
      message: 'all children applied and ready',
    };
  return {
    type: 'Progressing',
    status: 'True',
    reason: 'RollingOut',
    message: 'children applied; waiting for workloads',
  };
}

function degradation(obs: Observation): ConditionInput {
  if (obs.failure) return { type: 'Degraded', status: 'True', ...obs.failure };
  if (obs.childFailure) return { type: 'Degraded', status: 'True', ...obs.childFailure };
  return { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'last reconcile succeeded' };
}

/** Present only while a deprecated field is set; removing the fields removes the condition. */
function deprecation(obs: Observation): ConditionInput[] {
  const fields = obs.deprecatedFields ?? [];
  if (fields.length === 0) return [];
  return [
    {
      type: 'Deprecated',
      status: 'True',
      reason: 'DeprecatedFieldSet',
      message: describeDeprecatedFields(fields),
    },
  ];
}

export const GROWTH_REFUSED = 'StorageGrowthRefused';

/** Present only while a growth is refused: the pipeline works at the old size, but not as its spec says. */
function growthRefusal(obs: Observation, previous: PipelineStatus | undefined): ConditionInput[] {
  if (obs.growthRefused === undefined) {
    const before = previous?.conditions?.find((c) => c.type === GROWTH_REFUSED);
    return before
      ? [{ type: GROWTH_REFUSED, status: before.status, reason: before.reason, message: before.message }]
      : [];
  }
  if (obs.growthRefused === '') return [];
  return [
    { type: GROWTH_REFUSED, status: 'True', reason: 'VolumeExpansionNotAllowed', message: obs.growthRefused },
  ];
}

function phase(obs: Observation, available: boolean): string {
  if (obs.paused) return 'Paused';
  if (obs.failure || obs.childFailure) return 'Failed';
  return available ? 'Ready' : 'Progressing';
}

/**
 * Status after a pass. lastTransitionTime moves only when a condition's status flips, so an unchanged
 * pipeline produces an identical status and the operator can skip the write (and the watch event it causes).
 */
export function buildStatus(
  previous: PipelineStatus | undefined,
  obs: Observation,
  now: string,
): PipelineStatus {
  const avail = availability(obs, previous);
  const available = avail.status === 'True';
  const conditions = [
    avail,
    progress(obs, available),
    degradation(obs),
    ...deprecation(obs),
    ...growthRefusal(obs, previous),
  ].map((c) => {
    const before = previous?.conditions?.find((p) => p.type === c.type);
    const lastTransitionTime = before && before.status === c.status ? before.lastTransitionTime : now;
    return { ...c, observedGeneration: obs.generation, lastTransitionTime };
  });
  return {
    observedGeneration: obs.generation,
    phase: phase(obs, available),
    ingestReplicas: obs.ingestReplicas,
    conditions,
  };
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, canonical(v)]));
}

/**
 * Whether two statuses are equal whatever their key order: the apiserver returns a custom resource's keys sorted,
 * so a plain JSON string comparison with what buildStatus emits differed on every pass (a PATCH each time).
 */
export function sameStatus(a: PipelineStatus | undefined, b: PipelineStatus | undefined): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

import type { Logger } from 'pino';
import { synthGeneratedSecrets, type Manifest } from '../../cdk8s/pipeline-chart.js';
import type { SecretGenerator } from '../../cdk8s/secrets.js';
import { MANAGED_BY, MANAGED_BY_LABEL, PIPELINE_LABEL } from '../../cdk8s/naming.js';
import { parseTenantAuthors, TENANT_AUTHORS_FILE, tenantsConfigMapName } from '../../cdk8s/tenants-config.js';
import { API_VERSION, KIND } from '../../crds/gravix-pipeline-crd.js';
import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import type { PipelineStatus } from '../../crds/gravix-pipeline-spec.js';
import type { KubeObject } from '../adapters/kube-client.js';
import { isNotFound } from '../adapters/kube-errors.js';
import { planApplyOrder } from '../domain/apply-order.js';
import {
  describeGrowthRefusals,
  keepLiveClaimTemplates,
  type GrowthRefusal,
} from '../domain/claim-growth.js';
import { buildDesiredState, objectKey, withOwner } from '../domain/desired-state.js';
import {
  HANDOVER_FIELD_MANAGER,
  needsLiveObject,
  planReplicasHandover,
  withOrphanedReplicas,
} from '../domain/replicas-handover.js';
import { prunedKinds } from '../domain/kind-registry.js';
import {
  buildPassMemo,
  synthInputsDigest,
  unchangedChildren,
  type PassMemo,
  type SynthInputs,
} from '../domain/pass-memo.js';
import { isDeleting, recreateReason } from '../domain/immutable-fields.js';
import { deprecatedFieldsSet, describeDeprecatedFields } from '../domain/deprecated-fields.js';
import { buildStatus, GROWTH_REFUSED, sameStatus, type Observation } from '../domain/pipeline-status.js';
import { holdUntilReplaced, planPrune } from '../domain/prune-plan.js';
import { planOrphanedTenants, planTenants, type TenantStatusWrite } from '../domain/tenant-plan.js';
import { planTenantTombstones, type TenantAuthorsFile } from '../../workers/domain/tenant-changes.js';
import {
  failedJob,
  isWorkload,
  workloadReadiness,
  type WorkloadObject,
} from '../domain/workload-readiness.js';
import { growClaims } from './claim-growth-sync.js';
import { describeFailure } from './failure.js';
import { ensureGeneratedSecrets, type SecretsOutcome } from './generated-secrets.js';
import { deleteRescuedClaims, observeIngestRescue } from './ingest-rescue-sync.js';
import type { ChildPort, EventPort, EventType, PipelinePort, StorageClassPort, TenantPort } from './ports.js';

export const PAUSE_ANNOTATION = 'gravix.dev/paused';

export interface ReconcilerDeps {
  pipelines: PipelinePort;
  children: ChildPort;
  tenants: TenantPort;
  events: EventPort;
  storageClasses: StorageClassPort;
  logger: Logger;
  generate: SecretGenerator;
  prometheusOperator(): Promise<boolean>;
  now(): string;
  /** Counts passes that synthesized their children and those that found them unchanged (docs/adr/0114). */
  countSynthesis?(outcome: 'synthesized' | 'skipped'): void;
}

interface PassResult {
  applied: KubeObject[];
  secrets: SecretsOutcome;
  rescueJobs: string[];
  rescuedClaims: string[];
  pruned: string[];
  growthRefusals: GrowthRefusal[];
  /** StatefulSets deleted this pass (pods orphaned) to be created anew, with why. */
  recreated: { key: string; reason: string }[];
}

const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };

/** One reconcile pass for one GravixPipeline: desired state in, applied children + status + Events out. */
export class PipelineReconciler {
  /** Per pipeline key: what its last complete pass applied, from which inputs (docs/adr/0114). */
  private readonly memos = new Map<string, PassMemo>();

  constructor(private readonly deps: ReconcilerDeps) {}

  async reconcile(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const pipeline = await this.deps.pipelines.get(namespace, name);
    // Gone or going: ownerReferences let the garbage collector remove the children. Tenants naming it are told.
    if (!pipeline) {
      this.memos.delete(key);
      const orphans = await this.deps.tenants.ofPipeline(namespace, name);
      return this.writeTenantStatuses(planOrphanedTenants(orphans, name));
    }
    if (pipeline.metadata.annotations?.[PAUSE_ANNOTATION] === 'true') {
      this.memos.delete(key);
      return this.pause(pipeline);
    }
    const log = this.deps.logger.child({ pipeline: key, generation: pipeline.metadata.generation });
    try {
      const result = await this.sync(key, pipeline);
      await this.announce(pipeline, result);
      const observation = {
        ...this.observe(pipeline, result.applied),
        growthRefused: describeGrowthRefusals(result.growthRefusals),
      };
      await this.announceChildFailure(pipeline, observation);
      await this.announceGrowthRefused(pipeline, observation.growthRefused);
      await this.writeStatus(pipeline, observation);
      log.debug({ applied: result.applied.length, pruned: result.pruned.length }, 'pipeline reconciled');
    } catch (error) {
      // Whatever the failed pass left half-done is repaired by a full one.
      this.memos.delete(key);
      const failure = describeFailure(error);
      log.warn({ err: error, reason: failure.reason }, 'pipeline reconcile failed');
      await this.event(pipeline, 'Warning', failure.reason, failure.message);
      // A failed pass did not look at the workloads: keep the last known replicas rather than report 0.
      const { generation, deprecatedFields } = this.observe(pipeline, []);
      const ingestReplicas = pipeline.status?.ingestReplicas ?? 0;
      await this.writeStatus(pipeline, { generation, ingestReplicas, failure, deprecatedFields }).catch(
        () => undefined,
      );
      throw error;
    }
  }

  private async sync(key: string, pipeline: GravixPipeline): Promise<PassResult> {
    const prometheusOperator = await this.deps.prometheusOperator();
    const generated = withOwner(pipeline, synthGeneratedSecrets(pipeline, this.deps.generate));
    const secrets = await ensureGeneratedSecrets(this.deps.children, pipeline, generated);
    const rescue = await observeIngestRescue(this.deps.children, pipeline);
    const tenants = await this.planPublishedTenants(pipeline);
    const { settings, authors, deleted = {} } = tenants;
    const inputs = {
      prometheusOperator,
      secretsHash: secrets.hash,
      ingestRescue: rescue.rescue,
      tenants: { settings, authors, deleted },
    };
    const digest = synthInputsDigest(pipeline, inputs);
    const memo = this.memos.get(key);
    const live = unchangedChildren(memo, digest, (ref) => this.deps.children.peek(ref));
    this.deps.countSynthesis?.(live ? 'skipped' : 'synthesized');
    const pass =
      memo && live
        ? {
            applied: live,
            kept: new Set(memo.kept),
            claimTemplates: memo.claimTemplates,
            rescueJobs: [],
            recreated: [],
          }
        : await this.applyDesired(key, pipeline, inputs, digest);
    const { children, storageClasses } = this.deps;
    const growthRefusals = await growClaims(children, storageClasses, pipeline, pass.claimTemplates);
    await deleteRescuedClaims(this.deps.children, pipeline, rescue.deleteClaims);
    const pruned = await this.prune(pipeline, pass.kept, pass.applied, prometheusOperator);
    // Only once the tenants ConfigMap is applied may a tenant read Accepted.
    await this.writeTenantStatuses(tenants.statusWrites);
    const { applied, rescueJobs, recreated } = pass;
    const rescuedClaims = rescue.deleteClaims;
    return { applied, secrets, rescueJobs, rescuedClaims, pruned, growthRefusals, recreated };
  }

  /**
   * Synthesizes the children and applies them in dependency order. A pass that applied every child as
   * synthesized (nothing recreated, no rescue Job to create) leaves a memo: the next pass with the same inputs
   * and untouched children skips all of this (docs/adr/0114).
   */
  private async applyDesired(key: string, pipeline: GravixPipeline, inputs: SynthInputs, digest: string) {
    this.memos.delete(key);
    const desired = buildDesiredState(pipeline, { generate: this.deps.generate, ...inputs });
    // Generated Secrets were handled above; what remains create-only is the rescue Jobs.
    const createOnly = desired.createOnly.filter((m) => m.kind !== 'Secret');
    const rescueJobs: string[] = [];
    for (const job of createOnly)
      if (await this.deps.children.createIfAbsent(job)) rescueJobs.push(job.metadata.name);
    const manifests: Manifest[] = [];
    const applied: KubeObject[] = [];
    const recreated: PassResult['recreated'] = [];
    for (const tier of planApplyOrder(desired.applied)) {
      manifests.push(...tier);
      applied.push(...(await Promise.all(tier.map((m) => this.applyChild(m, recreated)))));
    }
    const kept = [...desired.applied, ...createOnly];
    const memo =
      recreated.length === 0 && createOnly.length === 0
        ? buildPassMemo(digest, manifests, applied, kept)
        : undefined;
    if (memo) this.memos.set(key, memo);
    const keys = new Set(kept.map(objectKey));
    return { applied, kept: keys, claimTemplates: desired.applied, rescueJobs, recreated };
  }

  /**
   * The pipeline's tenants, with tombstones for those gone since the tenants ConfigMap was last applied (read from
   * the live ConfigMap's authors file), so query replicas audit a deletion at once (docs/adr/0097).
   */
  private async planPublishedTenants(pipeline: GravixPipeline) {
    const { namespace, name } = pipeline.metadata;
    const plan = planTenants(await this.deps.tenants.ofPipeline(namespace, name));
    const live = await this.deps.children.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: tenantsConfigMapName(pipeline), namespace },
    });
    const text = (live?.data as Record<string, string> | undefined)?.[TENANT_AUTHORS_FILE];
    let previous: TenantAuthorsFile | undefined;
    try {
      previous = text === undefined ? undefined : parseTenantAuthors(text);
    } catch {
      previous = undefined; // an edited-by-hand file: no tombstones this pass, the workers' fallback applies
    }
    return { ...plan, deleted: planTenantTombstones(previous, plan.authors, Date.parse(this.deps.now())) };
  }

  private async writeTenantStatuses(writes: readonly TenantStatusWrite[]): Promise<void> {
    for (const { tenant, status } of writes) await this.deps.tenants.patchStatus(tenant, status);
  }

  /**
   * A StatefulSet keeps its live claim templates unless they grew (then it is recreated, pods orphaned; so is one
   * whose governing Service changed); a workload whose replicas pass to an HPA is handed over first
   * (docs/adr/0064, 0105); everything else is applied as synthesized.
   */
  private async applyChild(manifest: Manifest, recreated: PassResult['recreated']): Promise<KubeObject> {
    if (!needsLiveObject(manifest)) return this.deps.children.apply(manifest);
    const live = await this.deps.children.get(manifest);
    // Being replaced (see recreateReason): the delete event brings the pass that creates it anew.
    if (live && isDeleting(live)) return live;
    const reason = recreateReason(manifest, live);
    if (live && reason) {
      this.deps.logger.info({ object: objectKey(manifest), reason }, 'recreating child, orphaning its pods');
      await this.deps.children.delete(live, 'Orphan');
      recreated.push({ key: objectKey(manifest), reason });
      return live;
    }
    if (!live) return this.deps.children.apply(await this.withRunningReplicas(manifest));
    const handover = planReplicasHandover(manifest, live, this.deps.children.fieldManager);
    if (handover) await this.deps.children.apply(handover, HANDOVER_FIELD_MANAGER);
    return this.deps.children.apply(keepLiveClaimTemplates(manifest, live));
  }

  /** A StatefulSet created over orphaned pods starts at their count, not at 1 (withOrphanedReplicas). */
  private async withRunningReplicas(manifest: Manifest): Promise<Manifest> {
    const pipeline = (manifest.metadata.labels as Record<string, string> | undefined)?.[PIPELINE_LABEL];
    const replicas = (manifest.spec as { replicas?: number } | undefined)?.replicas;
    if (manifest.kind !== 'StatefulSet' || replicas !== undefined || !pipeline) return manifest;
    const namespace = manifest.metadata.namespace ?? '';
    const pods = await this.deps.children.list(POD_KIND, namespace, `${PIPELINE_LABEL}=${pipeline}`);
    return withOrphanedReplicas(manifest, pods);
  }

  private async prune(
    pipeline: GravixPipeline,
    keys: ReadonlySet<string>,
    applied: KubeObject[],
    prometheusOperator: boolean,
  ): Promise<string[]> {
    const selector = `${PIPELINE_LABEL}=${pipeline.metadata.name},${MANAGED_BY_LABEL}=${MANAGED_BY}`;
    const lists = await Promise.all(
      prunedKinds(prometheusOperator).map((kind) =>
        this.deps.children.list(kind, pipeline.metadata.namespace, selector),
      ),
    );
    const workloads = (applied as WorkloadObject[])
      .filter(isWorkload)
      .map((w) => ({ kind: w.kind, metadata: w.metadata, ready: workloadReadiness(w).ready }));
    const stale = holdUntilReplaced(planPrune(lists.flat(), keys, pipeline.metadata.uid ?? ''), workloads);
    await Promise.all(
      stale.map((o) =>
        this.deps.children.delete(o).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e))),
      ),
    );
    return stale.map(objectKey);
  }

  private observe(pipeline: GravixPipeline, applied: KubeObject[]): Observation {
    const workloads = (applied as WorkloadObject[]).filter(isWorkload);
    const ingest = workloads.find(
      (w) => w.kind === 'StatefulSet' && w.metadata?.name === `${pipeline.metadata.name}-ingest`,
    );
    const childFailure = workloads.map(failedJob).find((f) => f !== undefined);
    return {
      generation: pipeline.metadata.generation ?? 0,
      deprecatedFields: deprecatedFieldsSet(pipeline),
      workloads: workloads.map(workloadReadiness),
      ingestReplicas: ingest?.status?.replicas ?? 0,
      ...(childFailure ? { childFailure } : {}),
    };
  }

  private async announce(pipeline: GravixPipeline, result: PassResult): Promise<void> {
    const { secrets } = result;
    for (const name of secrets.created)
      await this.event(pipeline, 'Normal', 'SecretGenerated', `generated Secret ${name}`);
    for (const name of secrets.adopted)
      await this.event(pipeline, 'Normal', 'SecretAdopted', `Secret ${name} now belongs to this pipeline`);
    for (const name of secrets.retired)
      await this.event(pipeline, 'Normal', 'Pruned', `deleted Secret ${name}, no longer used`);
    for (const name of result.rescueJobs)
      await this.event(
        pipeline,
        'Normal',
        'IngestRescueStarted',
        `started Job ${name} for a scaled-away ingest volume`,
      );
    for (const name of result.rescuedClaims)
      await this.event(
        pipeline,
        'Normal',
        'IngestVolumeRescued',
        `deleted PersistentVolumeClaim ${name}, its log is uploaded`,
      );
    for (const key of result.pruned)
      await this.event(pipeline, 'Normal', 'Pruned', `deleted ${key}, no longer in the spec`);
    for (const { key, reason } of result.recreated)
      await this.event(
        pipeline,
        'Normal',
        'StatefulSetRecreated',
        `deleted ${key} orphaning its pods, to create it anew with ${reason}`,
      );
    if (pipeline.status?.observedGeneration !== pipeline.metadata.generation) {
      const message = `applied ${result.applied.length} children for generation ${pipeline.metadata.generation}`;
      await this.event(pipeline, 'Normal', 'Reconciled', message);
      await this.announceDeprecation(pipeline);
    }
  }

  /** On a new generation: a Warning while deprecated fields are set, one Normal Event when they are gone. */
  private async announceDeprecation(pipeline: GravixPipeline): Promise<void> {
    const ignored = deprecatedFieldsSet(pipeline);
    if (ignored.length > 0)
      return this.event(pipeline, 'Warning', 'DeprecatedFieldIgnored', describeDeprecatedFields(ignored));
    if (pipeline.status?.conditions?.some((c) => c.type === 'Deprecated'))
      await this.event(pipeline, 'Normal', 'DeprecatedFieldsRemoved', 'no deprecated field is set any more');
  }

  /** One Warning Event when a child gives up (the status keeps saying so until it is fixed). */
  private async announceChildFailure(pipeline: GravixPipeline, observation: Observation): Promise<void> {
    const failure = observation.childFailure;
    if (!failure) return;
    const degraded = pipeline.status?.conditions?.find((c) => c.type === 'Degraded');
    if (degraded?.status === 'True' && degraded.message === failure.message) return;
    await this.event(pipeline, 'Warning', failure.reason, failure.message);
  }

  /** One Warning Event when a growth is first refused or its reason changes (the condition keeps saying so). */
  private async announceGrowthRefused(pipeline: GravixPipeline, message: string): Promise<void> {
    if (message === '') return;
    const before = pipeline.status?.conditions?.find((c) => c.type === GROWTH_REFUSED);
    if (before?.message === message) return;
    await this.event(pipeline, 'Warning', 'StorageGrowthRefused', message);
  }

  private async pause(pipeline: GravixPipeline): Promise<void> {
    if (pipeline.status?.phase !== 'Paused')
      await this.event(pipeline, 'Normal', 'Paused', 'reconciliation paused by annotation');
    await this.writeStatus(pipeline, {
      generation: pipeline.status?.observedGeneration ?? 0,
      ingestReplicas: pipeline.status?.ingestReplicas ?? 0,
      paused: true,
      deprecatedFields: deprecatedFieldsSet(pipeline),
    });
  }

  /** Writes status only when it changed, so a steady pipeline costs no writes and triggers no watch events. */
  private async writeStatus(pipeline: GravixPipeline, observation: Observation): Promise<void> {
    const status: PipelineStatus = buildStatus(pipeline.status, observation, this.deps.now());
    if (sameStatus(status, pipeline.status)) return;
    await this.deps.pipelines.patchStatus(pipeline, status);
  }

  private event(pipeline: GravixPipeline, type: EventType, reason: string, message: string): Promise<void> {
    const { name, namespace, uid } = pipeline.metadata;
    return this.deps.events.record(
      { apiVersion: API_VERSION, kind: KIND, name, namespace, uid },
      type,
      reason,
      message,
    );
  }
}

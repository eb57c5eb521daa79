import type { Logger } from 'pino';
import { synthGeneratedSecrets } from '../../cdk8s/pipeline-chart.js';
import type { SecretGenerator } from '../../cdk8s/secrets.js';
import { API_VERSION, KIND } from '../../crds/gravix-pipeline-crd.js';
import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import type { PipelineStatus } from '../../crds/gravix-pipeline-spec.js';
import { describeGrowthRefusals } from '../domain/claim-growth.js';
import { withOwner } from '../domain/desired-state.js';
import { deprecatedFieldsSet } from '../domain/deprecated-fields.js';
import { synthInputsDigest, unchangedChildren, type PassMemo } from '../domain/pass-memo.js';
import { observePipeline } from '../domain/pipeline-observation.js';
import { buildStatus, sameStatus, type Observation } from '../domain/pipeline-status.js';
import { planOrphanedTenants } from '../domain/tenant-plan.js';
import { pruneChildren } from './child-prune.js';
import { growClaims } from './claim-growth-sync.js';
import { applyDesired } from './desired-apply.js';
import { describeFailure } from './failure.js';
import { ensureGeneratedSecrets } from './generated-secrets.js';
import { deleteRescuedClaims, observeIngestRescue } from './ingest-rescue-sync.js';
import {
  announceChildFailure,
  announceGrowthRefused,
  announcePass,
  type PassResult,
  type RecordEvent,
} from './pass-events.js';
import type { ChildPort, EventPort, EventType, PipelinePort, StorageClassPort, TenantPort } from './ports.js';
import { planPublishedTenants, writeTenantStatuses } from './published-tenants.js';

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

/**
 * One reconcile pass for one GravixPipeline: desired state in, applied children + status + Events out. The steps
 * live beside it, one purpose each: generated Secrets, the desired children's apply (desired-apply.ts), claim
 * growth, ingest rescue, pruning (child-prune.ts), the tenants it publishes and the Events it tells (pass-events.ts).
 */
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
      return writeTenantStatuses(this.deps.tenants, planOrphanedTenants(orphans, name));
    }
    if (pipeline.metadata.annotations?.[PAUSE_ANNOTATION] === 'true') {
      this.memos.delete(key);
      return this.pause(pipeline);
    }
    const log = this.deps.logger.child({ pipeline: key, generation: pipeline.metadata.generation });
    const event = this.eventOn(pipeline);
    try {
      const result = await this.sync(key, pipeline);
      await announcePass(event, pipeline, result);
      const observation = {
        ...observePipeline(pipeline, result.applied),
        growthRefused: describeGrowthRefusals(result.growthRefusals),
      };
      await announceChildFailure(event, pipeline, observation);
      await announceGrowthRefused(event, pipeline, observation.growthRefused);
      await this.writeStatus(pipeline, observation);
      log.debug({ applied: result.applied.length, pruned: result.pruned.length }, 'pipeline reconciled');
    } catch (error) {
      // Whatever the failed pass left half-done is repaired by a full one.
      this.memos.delete(key);
      const failure = describeFailure(error);
      log.warn({ err: error, reason: failure.reason }, 'pipeline reconcile failed');
      await event('Warning', failure.reason, failure.message);
      // A failed pass did not look at the workloads: keep the last known replicas rather than report 0.
      const { generation, deprecatedFields } = observePipeline(pipeline, []);
      const ingestReplicas = pipeline.status?.ingestReplicas ?? 0;
      await this.writeStatus(pipeline, { generation, ingestReplicas, failure, deprecatedFields }).catch(
        () => undefined,
      );
      throw error;
    }
  }

  private async sync(key: string, pipeline: GravixPipeline): Promise<PassResult> {
    const { children, storageClasses, tenants: tenantPort } = this.deps;
    const prometheusOperator = await this.deps.prometheusOperator();
    const generated = withOwner(pipeline, synthGeneratedSecrets(pipeline, this.deps.generate));
    const secrets = await ensureGeneratedSecrets(children, pipeline, generated);
    const rescue = await observeIngestRescue(children, pipeline);
    const tenants = await planPublishedTenants(this.deps, pipeline, this.deps.now());
    const { settings, authors, deleted = {} } = tenants;
    const inputs = {
      prometheusOperator,
      secretsHash: secrets.hash,
      ingestRescue: rescue.rescue,
      tenants: { settings, authors, deleted },
    };
    const digest = synthInputsDigest(pipeline, inputs);
    const memo = this.memos.get(key);
    const live = unchangedChildren(memo, digest, (ref) => children.peek(ref));
    this.deps.countSynthesis?.(live ? 'skipped' : 'synthesized');
    let pass;
    if (memo && live) {
      const kept = new Set(memo.kept);
      pass = { applied: live, kept, claimTemplates: memo.claimTemplates, rescueJobs: [], recreated: [] };
    } else {
      this.memos.delete(key);
      pass = await applyDesired(this.deps, pipeline, inputs, digest);
      if (pass.memo) this.memos.set(key, pass.memo);
    }
    const growthRefusals = await growClaims(children, storageClasses, pipeline, pass.claimTemplates);
    await deleteRescuedClaims(children, pipeline, rescue.deleteClaims);
    const pruned = await pruneChildren(children, pipeline, pass.kept, pass.applied, prometheusOperator);
    // Only once the tenants ConfigMap is applied may a tenant read Accepted.
    await writeTenantStatuses(tenantPort, tenants.statusWrites);
    const { applied, rescueJobs, recreated } = pass;
    const rescuedClaims = rescue.deleteClaims;
    return { applied, secrets, rescueJobs, rescuedClaims, pruned, growthRefusals, recreated };
  }

  private async pause(pipeline: GravixPipeline): Promise<void> {
    if (pipeline.status?.phase !== 'Paused')
      await this.eventOn(pipeline)('Normal', 'Paused', 'reconciliation paused by annotation');
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

  private eventOn(pipeline: GravixPipeline): RecordEvent {
    const { name, namespace, uid } = pipeline.metadata;
    const involved = { apiVersion: API_VERSION, kind: KIND, name, namespace, uid };
    return (type: EventType, reason: string, message: string) =>
      this.deps.events.record(involved, type, reason, message);
  }
}

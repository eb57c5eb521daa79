import type { Logger } from 'pino';
import type { Manifest } from '../../cdk8s/pipeline-chart.js';
import type { SecretGenerator } from '../../cdk8s/secrets.js';
import { PIPELINE_LABEL } from '../../cdk8s/naming.js';
import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import type { KubeObject } from '../adapters/kube-client.js';
import { planApplyOrder } from '../domain/apply-order.js';
import { keepLiveClaimTemplates } from '../domain/claim-growth.js';
import { buildDesiredState, objectKey } from '../domain/desired-state.js';
import { isDeleting, recreateReason } from '../domain/immutable-fields.js';
import { buildPassMemo, type PassMemo, type SynthInputs } from '../domain/pass-memo.js';
import {
  HANDOVER_FIELD_MANAGER,
  needsLiveObject,
  planReplicasHandover,
  withOrphanedReplicas,
} from '../domain/replicas-handover.js';
import type { ChildPort } from './ports.js';

export interface ApplyDeps {
  children: ChildPort;
  logger: Logger;
  generate: SecretGenerator;
}

/** A StatefulSet deleted this pass (pods orphaned) to be created anew, with why. */
export interface Recreation {
  key: string;
  reason: string;
}

export interface AppliedPass {
  applied: KubeObject[];
  /** Keys of every child this pass wants: what pruning keeps. */
  kept: Set<string>;
  /** The desired children, whose claim templates claim growth compares with the live claims. */
  claimTemplates: Manifest[];
  rescueJobs: string[];
  recreated: Recreation[];
  /** Set when the pass applied every child as synthesized: the next pass with the same inputs may skip. */
  memo?: PassMemo;
}

const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };

/**
 * Synthesizes the children and applies them in dependency order. A pass that applied every child as
 * synthesized (nothing recreated, no rescue Job to create) returns a memo: the next pass with the same inputs
 * and untouched children skips all of this (docs/adr/0114).
 */
export async function applyDesired(
  deps: ApplyDeps,
  pipeline: GravixPipeline,
  inputs: SynthInputs,
  digest: string,
): Promise<AppliedPass> {
  const desired = buildDesiredState(pipeline, { generate: deps.generate, ...inputs });
  // Generated Secrets were handled before; what remains create-only is the rescue Jobs.
  const createOnly = desired.createOnly.filter((m) => m.kind !== 'Secret');
  const rescueJobs: string[] = [];
  for (const job of createOnly)
    if (await deps.children.createIfAbsent(job)) rescueJobs.push(job.metadata.name);
  const manifests: Manifest[] = [];
  const applied: KubeObject[] = [];
  const recreated: Recreation[] = [];
  for (const tier of planApplyOrder(desired.applied)) {
    manifests.push(...tier);
    applied.push(...(await Promise.all(tier.map((m) => applyChild(deps, m, recreated)))));
  }
  const kept = [...desired.applied, ...createOnly];
  const memo =
    recreated.length === 0 && createOnly.length === 0
      ? buildPassMemo(digest, manifests, applied, kept)
      : undefined;
  const keys = new Set(kept.map(objectKey));
  return {
    applied,
    kept: keys,
    claimTemplates: desired.applied,
    rescueJobs,
    recreated,
    ...(memo ? { memo } : {}),
  };
}

/**
 * A StatefulSet keeps its live claim templates unless they grew (then it is recreated, pods orphaned; so is one
 * whose governing Service changed); a workload whose replicas pass to an HPA is handed over first
 * (docs/adr/0064, 0105); everything else is applied as synthesized.
 */
async function applyChild(deps: ApplyDeps, manifest: Manifest, recreated: Recreation[]): Promise<KubeObject> {
  const { children } = deps;
  if (!needsLiveObject(manifest)) return children.apply(manifest);
  const live = await children.get(manifest);
  // Being replaced (see recreateReason): the delete event brings the pass that creates it anew.
  if (live && isDeleting(live)) return live;
  const reason = recreateReason(manifest, live);
  if (live && reason) {
    deps.logger.info({ object: objectKey(manifest), reason }, 'recreating child, orphaning its pods');
    await children.delete(live, 'Orphan');
    recreated.push({ key: objectKey(manifest), reason });
    return live;
  }
  if (!live) return children.apply(await withRunningReplicas(children, manifest));
  const handover = planReplicasHandover(manifest, live, children.fieldManager);
  if (handover) await children.apply(handover, HANDOVER_FIELD_MANAGER);
  return children.apply(keepLiveClaimTemplates(manifest, live));
}

/** A StatefulSet created over orphaned pods starts at their count, not at 1 (withOrphanedReplicas). */
async function withRunningReplicas(children: ChildPort, manifest: Manifest): Promise<Manifest> {
  const pipeline = (manifest.metadata.labels as Record<string, string> | undefined)?.[PIPELINE_LABEL];
  const replicas = (manifest.spec as { replicas?: number } | undefined)?.replicas;
  if (manifest.kind !== 'StatefulSet' || replicas !== undefined || !pipeline) return manifest;
  const namespace = manifest.metadata.namespace ?? '';
  const pods = await children.list(POD_KIND, namespace, `${PIPELINE_LABEL}=${pipeline}`);
  return withOrphanedReplicas(manifest, pods);
}

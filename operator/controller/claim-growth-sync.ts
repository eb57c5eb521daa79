import type { Manifest } from '../../cdk8s/pipeline-chart.js';
import { PIPELINE_LABEL } from '../../cdk8s/naming.js';
import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import { ChildApplyError } from '../adapters/child-writer.js';
import { KubeApiError } from '../adapters/kube-errors.js';
import {
  claimGrowth,
  expansionRefusal,
  type ClaimGrowth,
  type ExpansionAnswer,
  type GrowthRefusal,
} from '../domain/claim-growth.js';
import type { ChildPort, StorageClassPort } from './ports.js';

const CLAIM_KIND = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' };

/**
 * A growth the apiserver refused for a reason the user must fix (403: the PersistentVolumeClaimResize admission
 * plugin, a StorageClass without allowVolumeExpansion; 422: a claim that cannot change), or undefined for any
 * other error, which fails the pass as before.
 */
function apiserverRefusal(grow: ClaimGrowth, error: unknown): GrowthRefusal | undefined {
  const cause = error instanceof ChildApplyError ? error.cause : undefined;
  if (!(cause instanceof KubeApiError) || (cause.status !== 403 && cause.status !== 422)) return undefined;
  return { ...grow, message: cause.detail };
}

const hasClaimTemplates = (m: Manifest) =>
  ((m.spec as { volumeClaimTemplates?: unknown[] } | undefined)?.volumeClaimTemplates?.length ?? 0) > 0;

/**
 * Grows the claims of StatefulSets whose synthesized claim template asks for more than they have. Each claim's
 * StorageClass is read first where RBAC allows (a cluster-scoped read: granted with cluster-wide RBAC or
 * `rbac.clusterReads`): a class that does not allow expansion is not asked, and the status names it
 * (docs/adr/0105). Where it cannot be read, the apiserver's refusal (docs/adr/0094) says the same. A refused growth
 * does not fail the pass: the rest of the pipeline is applied and the status says which claim stays at which size.
 */
export async function growClaims(
  children: ChildPort,
  storageClasses: StorageClassPort,
  pipeline: GravixPipeline,
  applied: readonly Manifest[],
): Promise<GrowthRefusal[]> {
  const withClaims = applied.filter((m) => m.kind === 'StatefulSet' && hasClaimTemplates(m));
  if (withClaims.length === 0) return [];
  const { namespace, name } = pipeline.metadata;
  const claims = await children.list(CLAIM_KIND, namespace, `${PIPELINE_LABEL}=${name}`);
  // One read per class and pass, however many claims share it.
  const answers = new Map<string, Promise<ExpansionAnswer>>();
  const answerFor = (className: string | undefined): Promise<ExpansionAnswer> => {
    if (!className) return Promise.resolve({ readable: false });
    if (!answers.has(className)) answers.set(className, storageClasses.expansion(className));
    return answers.get(className)!;
  };
  const refusals: GrowthRefusal[] = [];
  for (const grow of withClaims.flatMap((m) => claimGrowth(m, claims))) {
    const refused = expansionRefusal(grow, await answerFor(grow.storageClassName));
    if (refused !== undefined) {
      refusals.push({ ...grow, message: refused });
      continue;
    }
    try {
      await children.growClaim(namespace, grow.name, grow.storage);
    } catch (error) {
      const refusal = apiserverRefusal(grow, error);
      if (!refusal) throw error;
      refusals.push(refusal);
    }
  }
  return refusals;
}

import { createHash } from 'node:crypto';
import type { Manifest } from '../../cdk8s/pipeline-chart.js';
import type { PublishedTenants } from '../../cdk8s/tenants-config.js';
import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import type { KubeObject } from '../adapters/kube-client.js';
import { objectKey } from './desired-state.js';

/**
 * What a pass synthesizes from (docs/adr/0114): the pipeline (spec, generation, labels, annotations, uid; not its
 * status or resourceVersion, which the operator's own status writes move) and the inputs the pass computed
 * before synthesizing. Equal inputs give equal manifests: synthesis is a pure function of them.
 */
export interface SynthInputs {
  prometheusOperator: boolean;
  secretsHash: string;
  ingestRescue: number[];
  tenants: PublishedTenants;
}

/** A child as the last pass left it: where to find it in the watch cache, and the resourceVersion it had then. */
export interface ChildRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  resourceVersion: string | undefined;
}

/**
 * What a pass that applied everything remembers of it, so the next one with the same inputs can skip the cdk8s
 * synthesis (the garbage of which is most of a steady operator's heap): a digest of the inputs, every child it
 * applied, the prune keys, and the StatefulSets' claim templates (claim growth reads nothing else of a manifest).
 */
export interface PassMemo {
  inputs: string;
  children: readonly ChildRef[];
  kept: readonly string[];
  claimTemplates: readonly Manifest[];
}

/** sha256 of the inputs; the pipeline without what its own status writes change. */
export function synthInputsDigest(pipeline: GravixPipeline, inputs: SynthInputs): string {
  const {
    resourceVersion: _rv,
    managedFields: _mf,
    ...metadata
  } = pipeline.metadata as unknown as Record<string, unknown>;
  const subject = { metadata, spec: pipeline.spec, ...inputs };
  return createHash('sha256').update(JSON.stringify(subject)).digest('hex');
}

const withClaimTemplates = (m: Manifest) =>
  m.kind === 'StatefulSet' &&
  ((m.spec as { volumeClaimTemplates?: unknown[] } | undefined)?.volumeClaimTemplates?.length ?? 0) > 0;

/**
 * The memo of a pass that applied `manifests` (each one's live answer in `applied`, same order) and kept `kept`.
 * Undefined when a child's answer has no resourceVersion to compare later (nothing to prove it unchanged).
 */
export function buildPassMemo(
  inputs: string,
  manifests: readonly Manifest[],
  applied: readonly KubeObject[],
  kept: readonly Manifest[],
): PassMemo | undefined {
  const children: ChildRef[] = [];
  for (const [i, m] of manifests.entries()) {
    const resourceVersion = applied[i]?.metadata?.resourceVersion;
    if (resourceVersion === undefined) return undefined;
    const { apiVersion, kind } = m;
    children.push({
      apiVersion,
      kind,
      namespace: m.metadata.namespace ?? '',
      name: m.metadata.name,
      resourceVersion,
    });
  }
  const claimTemplates = manifests.filter(withClaimTemplates).map((m) => ({
    apiVersion: m.apiVersion,
    kind: m.kind,
    metadata: { name: m.metadata.name, namespace: m.metadata.namespace },
    spec: { volumeClaimTemplates: (m.spec as { volumeClaimTemplates: unknown[] }).volumeClaimTemplates },
  }));
  return { inputs, children, kept: kept.map(objectKey), claimTemplates };
}

/**
 * The live children, when the last pass's memo still describes the world: same inputs, and every child it applied
 * is in the watch cache at the resourceVersion that pass left it at. Then a new synthesis would give the same
 * manifests and applying them would change nothing, so the pass may skip both. Any drift (an edited or deleted
 * child: a new resourceVersion or a cache miss) or any new input answers undefined: synthesize and apply.
 */
export function unchangedChildren(
  memo: PassMemo | undefined,
  inputs: string,
  peek: (ref: ChildRef) => KubeObject | undefined,
): KubeObject[] | undefined {
  if (memo?.inputs !== inputs) return undefined;
  const live: KubeObject[] = [];
  for (const ref of memo.children) {
    const object = peek(ref);
    if (!object || object.metadata?.resourceVersion !== ref.resourceVersion) return undefined;
    live.push(object);
  }
  return live;
}

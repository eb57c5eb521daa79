import type { Manifest } from '../../cdk8s/pipeline-chart.js';
import type { KubeObject } from '../adapters/kube-client.js';
import { parseQuantityBytes } from '../../crds/quantity.js';

interface ClaimTemplate {
  metadata?: { name?: string };
  spec?: { resources?: { requests?: { storage?: string } } };
}
interface StatefulSetSpec {
  replicas?: number;
  volumeClaimTemplates?: ClaimTemplate[];
}
type Claim = KubeObject & {
  spec?: { resources?: { requests?: { storage?: string } }; storageClassName?: string };
  status?: { phase?: string };
};

export interface ClaimGrowth {
  name: string;
  /** The size asked for. */
  storage: string;
  /** The claim's size now. */
  from: string;
  /** The claim's StorageClass (set on every bound dynamically provisioned claim). */
  storageClassName?: string;
}

/** Whether a StorageClass lets claims grow, as far as the operator could read it (docs/adr/0105). */
export type ExpansionAnswer =
  | { readable: true; exists: boolean; allowVolumeExpansion: boolean }
  /** RBAC does not let the operator read StorageClasses (namespaced install): the apiserver's answer decides. */
  | { readable: false };

/** A growth the apiserver refused (a StorageClass without allowVolumeExpansion): its answer, for the status. */
export interface GrowthRefusal extends ClaimGrowth {
  message: string;
}

/** Bytes of a storage quantity; one parser for every quantity Gravix reads (crds/quantity.ts). */
export const parseStorageBytes = parseQuantityBytes;

/**
 * A StatefulSet's volumeClaimTemplates cannot change after creation, so the desired StatefulSet keeps the live
 * templates (its claims' size at creation); growing the storage is done on the claims (`claimGrowth`).
 */
export function keepLiveClaimTemplates(desired: Manifest, live: KubeObject | undefined): Manifest {
  const liveTemplates = (live?.spec as StatefulSetSpec | undefined)?.volumeClaimTemplates;
  const spec = desired.spec as StatefulSetSpec | undefined;
  if (!liveTemplates || !spec?.volumeClaimTemplates) return desired;
  return { ...desired, spec: { ...spec, volumeClaimTemplates: liveTemplates } };
}

const claimStorage = (c: Claim | ClaimTemplate) => c.spec?.resources?.requests?.storage ?? '';

function isClaimOf(claimName: string, prefix: string): boolean {
  return claimName.startsWith(prefix) && /^[0-9]+$/.test(claimName.slice(prefix.length));
}

function growthFor(statefulSet: string, template: ClaimTemplate, claims: Claim[]): ClaimGrowth[] {
  const storage = claimStorage(template);
  const want = parseStorageBytes(storage) ?? 0;
  const prefix = `${template.metadata?.name ?? ''}-${statefulSet}-`;
  return (
    claims
      .filter((c) => isClaimOf(c.metadata?.name ?? '', prefix))
      // The apiserver lets only a bound claim's size change; a new one grows once bound, at a later pass.
      .filter((c) => c.status?.phase === 'Bound')
      .filter((c) => (parseStorageBytes(claimStorage(c)) ?? Infinity) < want)
      .map((c) => ({
        name: c.metadata?.name ?? '',
        storage,
        from: claimStorage(c),
        ...(c.spec?.storageClassName !== undefined && { storageClassName: c.spec.storageClassName }),
      }))
  );
}

/** The bound claims of `desired` (named `<template>-<statefulset>-<ordinal>`) smaller than its templates ask. */
export function claimGrowth(desired: Manifest, claims: Claim[]): ClaimGrowth[] {
  const templates = (desired.spec as StatefulSetSpec | undefined)?.volumeClaimTemplates ?? [];
  return templates.flatMap((t) => growthFor(desired.metadata.name, t, claims));
}

/**
 * The claim templates of `desired` that ask for more storage than the live StatefulSet's template of the same name,
 * as `<template> <live> -> <desired>`. The templates cannot change in place: a StatefulSet whose templates grew is
 * recreated with them, its pods orphaned and adopted (docs/adr/0105), so a replica added later gets the new size.
 */
export function claimTemplateGrowth(desired: Manifest, live: KubeObject | undefined): string[] {
  const liveTemplates = (live?.spec as StatefulSetSpec | undefined)?.volumeClaimTemplates ?? [];
  const desiredTemplates = (desired.spec as StatefulSetSpec | undefined)?.volumeClaimTemplates ?? [];
  return desiredTemplates.flatMap((t) => {
    const before = liveTemplates.find((l) => l.metadata?.name === t.metadata?.name);
    if (!before) return [];
    const have = parseStorageBytes(claimStorage(before));
    const want = parseStorageBytes(claimStorage(t));
    if (have === undefined || want === undefined || want <= have) return [];
    return [`${t.metadata?.name ?? ''} ${claimStorage(before)} -> ${claimStorage(t)}`];
  });
}

/**
 * Why a claim cannot grow, read from its StorageClass before asking the apiserver; undefined when the growth should
 * be tried (the class allows expansion, or it could not be read and the apiserver's refusal will say).
 */
export function expansionRefusal(grow: ClaimGrowth, answer: ExpansionAnswer): string | undefined {
  if (!answer.readable) return undefined;
  const className = grow.storageClassName ?? '';
  if (!answer.exists) return `its StorageClass ${className} does not exist, so it cannot be expanded`;
  if (!answer.allowVolumeExpansion)
    return `its StorageClass ${className} does not allow volume expansion (allowVolumeExpansion is not true)`;
  return undefined;
}

/** The status message for refused growths: each claim, its size, the size asked for and the apiserver's reason. */
export function describeGrowthRefusals(refusals: readonly GrowthRefusal[]): string {
  return refusals
    .map(
      (r) => `PersistentVolumeClaim ${r.name} stays at ${r.from} (the spec asks ${r.storage}): ${r.message}`,
    )
    .join('; ');
}

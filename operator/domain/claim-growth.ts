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
  spec?: { resources?: { requests?: { storage?: string } } };
  status?: { phase?: string };
};

export interface ClaimGrowth {
  name: string;
  /** The size asked for. */
  storage: string;
  /** The claim's size now. */
  from: string;
}

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
      .map((c) => ({ name: c.metadata?.name ?? '', storage, from: claimStorage(c) }))
  );
}

/** The bound claims of `desired` (named `<template>-<statefulset>-<ordinal>`) smaller than its templates ask. */
export function claimGrowth(desired: Manifest, claims: Claim[]): ClaimGrowth[] {
  const templates = (desired.spec as StatefulSetSpec | undefined)?.volumeClaimTemplates ?? [];
  return templates.flatMap((t) => growthFor(desired.metadata.name, t, claims));
}

/** The status message for refused growths: each claim, its size, the size asked for and the apiserver's reason. */
export function describeGrowthRefusals(refusals: readonly GrowthRefusal[]): string {
  return refusals
    .map(
      (r) => `PersistentVolumeClaim ${r.name} stays at ${r.from} (the spec asks ${r.storage}): ${r.message}`,
    )
    .join('; ');
}

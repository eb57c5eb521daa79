import { objectKey } from './desired-state.js';

export interface ExistingChild {
  kind?: string;
  metadata?: { name?: string; ownerReferences?: { uid?: string; controller?: boolean }[] };
}

/**
 * Children to delete: labelled as ours, controlled by this pipeline (uid check, so a same-named pipeline
 * recreated later never loses objects it did not apply), and not applied in this pass.
 */
export function planPrune<T extends ExistingChild>(
  existing: T[],
  appliedKeys: ReadonlySet<string>,
  ownerUid: string,
): T[] {
  return existing.filter(
    (child) =>
      !appliedKeys.has(objectKey(child)) &&
      (child.metadata?.ownerReferences ?? []).some((ref) => ref.controller && ref.uid === ownerUid),
  );
}

interface Workload extends ExistingChild {
  ready?: boolean;
}

/**
 * Stale workloads that stay until their replacement is ready: a workload applied this pass under the same name
 * but another kind (ingest moved from a Deployment to a StatefulSet, docs/adr/0067). Deleting the old one first
 * would leave no ingester to take facts while the new pods start; its pods drain their logs on SIGTERM.
 */
export function holdUntilReplaced<T extends ExistingChild>(stale: T[], applied: Workload[]): T[] {
  const waiting = new Set(applied.filter((w) => w.ready === false).map((w) => w.metadata?.name));
  const isWorkload = (child: T) => child.kind === 'Deployment' || child.kind === 'StatefulSet';
  return stale.filter((child) => !(isWorkload(child) && waiting.has(child.metadata?.name)));
}

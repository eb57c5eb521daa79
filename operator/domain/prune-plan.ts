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
  appliedKeys: Set<string>,
  ownerUid: string,
): T[] {
  return existing.filter(
    (child) =>
      !appliedKeys.has(objectKey(child)) &&
      (child.metadata?.ownerReferences ?? []).some((ref) => ref.controller && ref.uid === ownerUid),
  );
}

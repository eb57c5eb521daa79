import { z } from 'zod';

/**
 * How ingest replicas share a tenant's distinct-services and routes-per-service quotas (docs/adr/0090). Each
 * replica announces, per tenant with such a quota, the names it admitted and which of them it *owns* (admitted
 * first, not yet announced by another replica); identity/ingest-cardinality/<tenant>/<replica>.json. A name any
 * replica announced is admitted everywhere without cost; a new name costs its replica one owned slot. Distinct
 * names across replicas are at most the sum of owned slots, and each replica owns at most
 *   quota - sum over the other replicas of (live: max(owned, fair share); gone: owned)
 * where the fair shares of the live replicas add up to the quota. With a steady set of replicas that sum never
 * passes the quota, whatever the replicas see of each other and however late. Pure: the shape and the arithmetic.
 */
export const replicaNamesSchema = z.object({
  replica: z.string().min(1).max(63),
  tenant: z.string().min(1).max(63),
  at: z.number().int().min(0),
  services: z.record(
    z.string(),
    z.object({
      /** This replica admitted the service first: it holds one of the tenant's service slots. */
      own: z.boolean(),
      routes: z.array(z.string()),
      /** How many of `routes` this replica admitted first (slots of the service's routes quota). */
      ownRoutes: z.number().int().min(0),
    }),
  ),
});
export type ReplicaNames = z.output<typeof replicaNamesSchema>;

/**
 * Replica `replica`'s fair share of `quota` among `live` (sorted, `replica` among them): quota / live, the
 * remainder to the first replicas by id, so the shares add up to the quota exactly.
 */
export function fairShare(quota: number, live: readonly string[], replica: string): number {
  const index = live.indexOf(replica);
  const base = Math.floor(quota / live.length);
  return base + (index >= 0 && index < quota % live.length ? 1 : 0);
}

/**
 * The most names `self` may own: the quota less what every other replica holds. `owned` maps every other replica
 * that announced names to how many it owns; `live` are the replicas alive now (self included, sorted).
 *
 * `views` holds, per other live replica, the live set it announced in its last beat (docs/adr/0121). A replica
 * that has not seen `self` join yet still takes its fair share of the smaller set (the whole quota when it was
 * alone), so `self` counts it at the larger of the two shares: without that, names admitted by both during the
 * beat in which one of them joined passed the quota. A replica without a view (an older version) is counted at
 * its share of `live`, as before.
 */
export function ownLimit(
  quota: number,
  self: string,
  live: readonly string[],
  owned: ReadonlyMap<string, number>,
  views: ReadonlyMap<string, readonly string[]> = new Map(),
): number {
  let held = 0;
  const others = new Set([...owned.keys(), ...live]);
  others.delete(self);
  for (const replica of others) {
    const count = owned.get(replica) ?? 0;
    held += live.includes(replica)
      ? Math.max(count, heldShare(quota, live, replica, views.get(replica)))
      : count;
  }
  return Math.max(0, quota - held);
}

/** The share `replica` may take by our live set or by its own view of it, whichever is larger. */
function heldShare(
  quota: number,
  live: readonly string[],
  replica: string,
  view: readonly string[] | undefined,
) {
  const ours = fairShare(quota, live, replica);
  if (view === undefined) return ours;
  const theirs = [...new Set([...view, replica])].sort();
  return Math.max(ours, fairShare(quota, theirs, replica));
}

/**
 * Which scaled-away ingest replicas need their write-ahead log rescued (docs/adr/0067). The ingest StatefulSet
 * keeps the claim of a replica it scales away (`data-<set>-<ordinal>`); what that log still holds (a scale-down
 * during an object store outage) is acknowledged data. Pure: the operator lists claims, pods and Jobs and acts on
 * the plan.
 */
export interface IngestRescueInput {
  /** The ingest StatefulSet's name; its claims are `data-<set>-<ordinal>` and its pods `<set>-<ordinal>`. */
  statefulSet: string;
  /** Live spec.replicas; undefined when the StatefulSet does not exist (nothing is orphaned then). */
  replicas: number | undefined;
  /** The ingest claims; `deleting` when already marked for deletion (a finalizer may hold it for a while). */
  claims: { name: string; deleting: boolean }[];
  pods: string[];
  /** Rescue Jobs by ordinal: whether each has succeeded. */
  jobs: Map<number, { succeeded: boolean }>;
}

export interface IngestRescuePlan {
  /** Ordinals whose rescue Job must exist. */
  rescue: number[];
  /** Claims whose rescue succeeded: nothing acknowledged is left on them. */
  deleteClaims: string[];
}

function claimOrdinal(claim: string, statefulSet: string): number | undefined {
  const prefix = `data-${statefulSet}-`;
  if (!claim.startsWith(prefix)) return undefined;
  const rest = claim.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

/**
 * A claim above the replica count is rescued once its pod is gone (the pod itself drains on SIGTERM first, and
 * two processes must not share a log); once its Job succeeded the claim is deleted, and with it the Job.
 * A replica that comes back before then takes its claim (and uploads the leftovers itself); the Job is pruned.
 */
export function planIngestRescue(input: IngestRescueInput): IngestRescuePlan {
  const plan: IngestRescuePlan = { rescue: [], deleteClaims: [] };
  if (input.replicas === undefined) return plan;
  const pods = new Set(input.pods);
  for (const claim of input.claims) {
    const ordinal = claimOrdinal(claim.name, input.statefulSet);
    // A claim being deleted was rescued already: its Job is pruned in the pass that deleted it, and a claim held
    // by its protection finalizer must not get a second Job (it would rescue an empty log, or never start).
    if (ordinal === undefined || ordinal < input.replicas || claim.deleting) continue;
    if (input.jobs.get(ordinal)?.succeeded) plan.deleteClaims.push(claim.name);
    else if (!pods.has(`${input.statefulSet}-${ordinal}`)) plan.rescue.push(ordinal);
  }
  plan.rescue.sort((a, b) => a - b);
  return plan;
}

const hourMs = 3_600_000;

/** Where a starting query engine runs its warm-up statements: a tenant and the end of its newest hour. */
export interface WarmUpTarget {
  tenant: string;
  to: number;
}

/**
 * The tenant whose data is newest, up to the end of its newest hour: the data a dashboard opened right after a
 * start reads. Warming up on a tenant without files (a made-up id) compiles Trino's planner but never its Parquet
 * reader, S3 reads or histogram merge, which the first real call then paid for (docs/adr/0087). A tenant whose
 * manifests predate `newestEventAt` is placed by its commit time. None when no tenant has committed data.
 */
export function chooseWarmUpTarget(
  freshness: ReadonlyMap<string, { lastCommitAt: number; newestEventAt: number | null }>,
): WarmUpTarget | undefined {
  let best: { tenant: string; at: number } | undefined;
  for (const [tenant, f] of freshness) {
    const at = f.newestEventAt ?? f.lastCommitAt;
    if (!best || at > best.at || (at === best.at && tenant < best.tenant)) best = { tenant, at };
  }
  return best && { tenant: best.tenant, to: (Math.floor(best.at / hourMs) + 1) * hourMs };
}

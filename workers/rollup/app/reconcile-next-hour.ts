import type { Logger } from 'pino';
import { PreconditionFailedError, type ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildManifestKey } from '../../domain/metrics-layout.js';
import { buildNextMatchDigest, emptyNextMatchDigest, matchWaiting } from '../domain/edge-carry.js';
import { encodeRollupManifest } from '../domain/rollup-manifest.js';
import type { PartitionCandidate, RollupPolicy } from '../domain/rollup-plan.js';
import { loadManifest, type CommittedManifest } from './commit-partition.js';
import { buildNextHourPartition, loadEdgeCarry, loadNextHourHeads } from './load-edge-carry.js';
import { rollupPartition, type PartitionCompute, type PartitionReport } from './rollup-partition.js';

/**
 * Whether a partition's waiting edges must be looked at again: it has some, and the next hour's manifest is not the
 * one they were last matched under (committed in this pass, or listed with another etag). Pure.
 */
export function needsNextHourCheck(
  report: PartitionReport,
  listedEtag: string | undefined,
  nextReport: PartitionReport | undefined,
): boolean {
  if (!(report.edgesWaiting !== undefined && report.edgesWaiting > 0)) return false;
  if (nextReport?.outcome === 'committed' || nextReport?.outcome === 'republished') return true;
  return listedEtag !== report.edgeNextEtag;
}

export function nextHourManifestKey(candidate: PartitionCandidate): string {
  return buildManifestKey(buildNextHourPartition(candidate.partition));
}

/**
 * Matches a committed partition's waiting edges against the next hour's carried heads (docs/adr/0096). When they
 * name edges the partition did not name before, the partition is recomputed (the commit protocol of ADR 0003:
 * a new generation, idempotent, safe under kills and concurrent runs); otherwise nothing is written, except once
 * the next hour is sealed: then its etag is recorded in `edge_next`, so later passes skip the check.
 */
export async function reconcileNextHour(
  store: ObjectStore,
  candidate: PartitionCandidate,
  policy: RollupPolicy & { force?: boolean },
  log: Logger,
  compute: PartitionCompute,
): Promise<PartitionReport | undefined> {
  const key = buildManifestKey(candidate.partition);
  const committed = await loadManifest(store, key);
  if (!committed?.manifest.published || !(committed.manifest.stats.edges?.waiting ?? 0)) return undefined;
  const found = await readNextMatch(store, committed, candidate, log);
  if (found === undefined) return undefined;
  if (found.digest !== (committed.manifest.edge_next?.digest ?? emptyNextMatchDigest)) {
    log.info({ manifest: key }, 'next hour names waiting edges: partition recomputed');
    return rollupPartition(store, candidate, { ...policy, force: true }, log, compute);
  }
  if (found.sealed) await recordEdgeNext(store, key, committed, found);
  return undefined;
}

/** The next hour's heads against this partition's waiting edges; undefined when there is nothing new to read. */
async function readNextMatch(
  store: ObjectStore,
  committed: CommittedManifest,
  candidate: PartitionCandidate,
  log: Logger,
): Promise<{ manifestEtag: string; digest: string; sealed: boolean } | undefined> {
  const next = await loadNextHourHeads(store, candidate.partition, log);
  if (next === undefined || next.manifestEtag === committed.manifest.edge_next?.manifest_etag)
    return undefined;
  const carry = await loadEdgeCarry(store, committed.manifest, log);
  if (carry === undefined) return undefined;
  const digest = buildNextMatchDigest(matchWaiting(carry.waiting, next.heads));
  return { manifestEtag: next.manifestEtag, digest, sealed: next.sealed };
}

/** The sealed next hour's etag in `edge_next`, so later passes skip the check; a lost condition is left to them. */
async function recordEdgeNext(
  store: ObjectStore,
  key: string,
  committed: CommittedManifest,
  found: { manifestEtag: string; digest: string },
): Promise<void> {
  const edge_next = { manifest_etag: found.manifestEtag, digest: found.digest };
  try {
    await store.put(key, encodeRollupManifest({ ...committed.manifest, edge_next }), {
      ifMatch: committed.etag,
      contentType: 'application/json',
    });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
  }
}

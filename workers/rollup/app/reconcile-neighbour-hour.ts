import type { Logger } from 'pino';
import { PreconditionFailedError, type ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildEdgeCarryKey, buildManifestKey } from '../../domain/metrics-layout.js';
import type { RawPartition } from '../../domain/raw-partition.js';
import { buildMatchDigest, emptyMatchDigest, matchCarried, type EdgeCarry } from '../domain/edge-carry.js';
import { encodeRollupManifest, type RollupManifest } from '../domain/rollup-manifest.js';
import type { PartitionCandidate, RollupPolicy } from '../domain/rollup-plan.js';
import { loadManifest, type CommittedManifest } from './commit-partition.js';
import {
  buildNextHourPartition,
  buildPrevHourPartition,
  loadEdgeCarry,
  loadNextHourHeads,
  loadPrevHourTails,
} from './load-edge-carry.js';
import { rollupPartition, type PartitionCompute, type PartitionReport } from './rollup-partition.js';

/** What a neighbour hour offers a partition's carried edges, named by what the partition records of it. */
interface NeighbourServers {
  identity: string | undefined;
  servers: ReadonlyMap<string, string>;
  sealed: boolean;
}

/**
 * One boundary of a partition (docs/adr/0096 the next hour's heads for its waiting edges, docs/adr/0128 the
 * previous hour's tails for its early edges): everything that differs between the two directions.
 */
export interface NeighbourSide {
  name: 'next' | 'prev';
  neighbour(p: RawPartition): RawPartition;
  /** The partition's edges carried to that side. */
  carried(carry: EdgeCarry): readonly string[];
  carriedCount(manifest: RollupManifest): number;
  /** The report's count of carried edges and the neighbour's identity they were matched under. */
  reported(report: PartitionReport): { carried: number | undefined; identity: string | undefined };
  /** The neighbour's identity in the pass's listings (manifest etag for next, carry etag for prev). */
  listedKey(neighbour: RawPartition): string;
  load(store: ObjectStore, p: RawPartition, log: Logger): Promise<NeighbourServers | undefined>;
  recorded(manifest: RollupManifest): { identity: string; digest: string } | undefined;
  record(manifest: RollupManifest, identity: string, digest: string): RollupManifest;
}

export const nextHourSide: NeighbourSide = {
  name: 'next',
  neighbour: buildNextHourPartition,
  carried: (carry) => carry.waiting,
  carriedCount: (m) => m.stats.edges?.waiting ?? 0,
  reported: (r) => ({ carried: r.edgesWaiting, identity: r.edgeNextEtag }),
  listedKey: buildManifestKey,
  load: async (store, p, log) => {
    const next = await loadNextHourHeads(store, p, log);
    return next && { identity: next.manifestEtag, servers: next.heads, sealed: next.sealed };
  },
  recorded: (m) => m.edge_next && { identity: m.edge_next.manifest_etag, digest: m.edge_next.digest },
  record: (m, identity, digest) => ({ ...m, edge_next: { manifest_etag: identity, digest } }),
};

/**
 * The previous hour is named by its carry object's etag, not its manifest's: a partition records what it read
 * with a manifest write, so two neighbours that each recorded the other's manifest etag would make each other
 * look changed on every pass. The carry changes only with its own hour's inputs.
 */
export const prevHourSide: NeighbourSide = {
  name: 'prev',
  neighbour: buildPrevHourPartition,
  carried: (carry) => carry.early,
  carriedCount: (m) => m.stats.edges?.early ?? 0,
  reported: (r) => ({ carried: r.edgesEarly, identity: r.edgePrevCarryEtag }),
  listedKey: buildEdgeCarryKey,
  load: async (store, p, log) => {
    const prev = await loadPrevHourTails(store, p, log);
    return prev && { identity: prev.carryEtag, servers: prev.tails, sealed: prev.sealed };
  },
  recorded: (m) => m.edge_prev && { identity: m.edge_prev.carry_etag, digest: m.edge_prev.digest },
  record: (m, identity, digest) => ({ ...m, edge_prev: { carry_etag: identity, digest } }),
};

/**
 * Whether a partition's carried edges must be looked at again: it has some, the neighbour exists, and it is not
 * the one they were last matched under (committed in this pass, or listed with another etag). Pure.
 */
export function needsNeighbourCheck(
  side: NeighbourSide,
  report: PartitionReport,
  listedIdentity: string | undefined,
  neighbourReport: PartitionReport | undefined,
): boolean {
  const { carried, identity } = side.reported(report);
  if (!(carried !== undefined && carried > 0)) return false;
  if (neighbourReport?.outcome === 'committed' || neighbourReport?.outcome === 'republished') return true;
  return listedIdentity !== undefined && listedIdentity !== identity;
}

/**
 * Matches a committed partition's carried edges against the neighbour hour's carried SERVER spans. When they name
 * edges the partition did not name before, the partition is recomputed (the commit protocol of ADR 0003: a new
 * generation, idempotent, safe under kills and concurrent runs); otherwise nothing is written, except once the
 * neighbour is sealed: then its identity is recorded, so later passes skip the check.
 */
export async function reconcileNeighbourHour(
  side: NeighbourSide,
  store: ObjectStore,
  candidate: PartitionCandidate,
  policy: RollupPolicy & { force?: boolean },
  log: Logger,
  compute: PartitionCompute,
): Promise<PartitionReport | undefined> {
  const key = buildManifestKey(candidate.partition);
  const committed = await loadManifest(store, key);
  if (!committed?.manifest.published || side.carriedCount(committed.manifest) === 0) return undefined;
  const found = await readNeighbourMatch(side, store, committed, candidate, log);
  if (found === undefined) return undefined;
  if (found.digest !== (side.recorded(committed.manifest)?.digest ?? emptyMatchDigest)) {
    log.info({ manifest: key, side: side.name }, 'neighbour hour names carried edges: partition recomputed');
    return rollupPartition(store, candidate, { ...policy, force: true }, log, compute);
  }
  if (found.sealed)
    await recordNeighbour(
      store,
      key,
      committed,
      side.record(committed.manifest, found.identity, found.digest),
    );
  return undefined;
}

/** The neighbour's SERVER spans against this partition's carried edges; undefined when there is nothing new. */
async function readNeighbourMatch(
  side: NeighbourSide,
  store: ObjectStore,
  committed: CommittedManifest,
  candidate: PartitionCandidate,
  log: Logger,
): Promise<{ identity: string; digest: string; sealed: boolean } | undefined> {
  const neighbour = await side.load(store, candidate.partition, log);
  if (neighbour?.identity === undefined) return undefined;
  const { identity, servers, sealed } = neighbour;
  if (identity === undefined || identity === side.recorded(committed.manifest)?.identity) return undefined;
  const own = await loadEdgeCarry(store, committed.manifest, log);
  if (own === undefined) return undefined;
  return { identity, digest: buildMatchDigest(matchCarried(side.carried(own.carry), servers)), sealed };
}

/** The sealed neighbour's identity in the manifest, so later passes skip the check; a lost condition is left to them. */
async function recordNeighbour(
  store: ObjectStore,
  key: string,
  committed: CommittedManifest,
  manifest: RollupManifest,
): Promise<void> {
  try {
    await store.put(key, encodeRollupManifest(manifest), {
      ifMatch: committed.etag,
      contentType: 'application/json',
    });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
  }
}

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildManifestKey } from '../../domain/metrics-layout.js';
import { buildRawPartition, partitionStartMs, type RawPartition } from '../../domain/raw-partition.js';
import { InvalidEdgeCarryError, parseEdgeCarry } from '../adapters/edge-carry-file.js';
import { emptyEdgeCarry, type EdgeCarry } from '../domain/edge-carry.js';
import { InvalidManifestError, type RollupManifest } from '../domain/rollup-manifest.js';
import { loadManifest } from './commit-partition.js';
import type { NextHourHeads, PrevHourTails } from './compute-partition.js';

const hourMs = 3_600_000;

export function buildNextHourPartition(p: RawPartition): RawPartition {
  return buildRawPartition(p.tenant, partitionStartMs(p) + hourMs);
}

export function buildPrevHourPartition(p: RawPartition): RawPartition {
  return buildRawPartition(p.tenant, partitionStartMs(p) - hourMs);
}

/** A committed carry and the etag of the object it was read from (none for an hour rolled up before carries). */
export interface LoadedEdgeCarry {
  carry: EdgeCarry;
  etag?: string;
}

/**
 * A committed partition's edge carry, only when the stored bytes are the ones its manifest lists (a newer
 * generation may be publishing over them: then undefined, and the reader tries on its next pass). A carry that
 * does not parse is logged and read as absent: one damaged hour must not fail its neighbour.
 */
export async function loadEdgeCarry(
  store: ObjectStore,
  manifest: RollupManifest,
  log: Logger,
): Promise<LoadedEdgeCarry | undefined> {
  const output = manifest.outputs.edge_carry;
  if (output === undefined) return { carry: emptyEdgeCarry };
  const object = await store.get(output.key);
  if (object === undefined) return undefined;
  if (createHash('sha256').update(object.body).digest('hex') !== output.sha256) return undefined;
  try {
    return { carry: parseEdgeCarry(object.body, output.key), etag: object.etag };
  } catch (error) {
    if (!(error instanceof InvalidEdgeCarryError)) throw error;
    log.warn({ key: output.key, err: error }, 'edge carry unreadable: its edges stay unresolved');
    return undefined;
  }
}

/** A neighbour hour's carry under its published manifest; undefined while it has no published generation. */
async function loadNeighbourCarry(
  store: ObjectStore,
  neighbour: RawPartition,
  log: Logger,
): Promise<(LoadedEdgeCarry & { manifestEtag: string; sealed: boolean }) | undefined> {
  const key = buildManifestKey(neighbour);
  let committed;
  try {
    committed = await loadManifest(store, key);
  } catch (error) {
    if (!(error instanceof InvalidManifestError)) throw error;
    log.warn(
      { manifest: key, err: error },
      'neighbour hour manifest unreadable: carried edges stay unresolved',
    );
    return undefined;
  }
  if (!committed?.manifest.published) return undefined;
  const loaded = await loadEdgeCarry(store, committed.manifest, log);
  return loaded && { ...loaded, manifestEtag: committed.etag, sealed: committed.manifest.sealed };
}

/**
 * The next hour's carried heads (docs/adr/0096) under its published manifest. Undefined while it has no published
 * generation; an hour rolled up before carries existed has no heads.
 */
export async function loadNextHourHeads(
  store: ObjectStore,
  partition: RawPartition,
  log: Logger,
): Promise<(NextHourHeads & { sealed: boolean }) | undefined> {
  const next = await loadNeighbourCarry(store, buildNextHourPartition(partition), log);
  return next && { manifestEtag: next.manifestEtag, heads: new Map(next.carry.heads), sealed: next.sealed };
}

/**
 * The previous hour's carried tails (docs/adr/0128) under its published manifest, named by its carry object's
 * etag. Undefined while it has no published generation; one rolled up before tails existed has none.
 */
export async function loadPrevHourTails(
  store: ObjectStore,
  partition: RawPartition,
  log: Logger,
): Promise<(PrevHourTails & { sealed: boolean }) | undefined> {
  const prev = await loadNeighbourCarry(store, buildPrevHourPartition(partition), log);
  return prev && { carryEtag: prev.etag, tails: new Map(prev.carry.tails), sealed: prev.sealed };
}

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildManifestKey } from '../../domain/metrics-layout.js';
import { buildRawPartition, partitionStartMs, type RawPartition } from '../../domain/raw-partition.js';
import { InvalidEdgeCarryError, parseEdgeCarry } from '../adapters/edge-carry-file.js';
import type { EdgeCarry } from '../domain/edge-carry.js';
import { InvalidManifestError, type RollupManifest } from '../domain/rollup-manifest.js';
import { loadManifest } from './commit-partition.js';
import type { NextHourHeads } from './compute-partition.js';

const hourMs = 3_600_000;

export function buildNextHourPartition(p: RawPartition): RawPartition {
  return buildRawPartition(p.tenant, partitionStartMs(p) + hourMs);
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
): Promise<EdgeCarry | undefined> {
  const output = manifest.outputs.edge_carry;
  if (output === undefined) return { heads: [], waiting: [] };
  const object = await store.get(output.key);
  if (object === undefined) return undefined;
  if (createHash('sha256').update(object.body).digest('hex') !== output.sha256) return undefined;
  try {
    return parseEdgeCarry(object.body, output.key);
  } catch (error) {
    if (!(error instanceof InvalidEdgeCarryError)) throw error;
    log.warn({ key: output.key, err: error }, 'edge carry unreadable: its edges stay unresolved');
    return undefined;
  }
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
  const key = buildManifestKey(buildNextHourPartition(partition));
  let next;
  try {
    next = await loadManifest(store, key);
  } catch (error) {
    if (!(error instanceof InvalidManifestError)) throw error;
    log.warn({ manifest: key, err: error }, 'next hour manifest unreadable: waiting edges stay unresolved');
    return undefined;
  }
  if (!next?.manifest.published) return undefined;
  const carry = await loadEdgeCarry(store, next.manifest, log);
  if (carry === undefined) return undefined;
  return { manifestEtag: next.etag, heads: new Map(carry.heads), sealed: next.manifest.sealed };
}

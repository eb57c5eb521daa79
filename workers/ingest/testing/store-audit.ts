import { gunzipSync } from 'node:zlib';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { parseRawSegmentKey, type RawPartition } from '../../domain/raw-partition.js';
import { decodeRequestMetrics } from '../../rollup/adapters/metrics-parquet.js';
import { buildDataFileKey } from '../../domain/metrics-layout.js';

export interface LayerAudit {
  acknowledged: number;
  /** Distinct ids found in the layer (acknowledged or not). */
  stored: number;
  /** Acknowledged ids not in the layer. */
  lost: number;
  /** Ids found more than once (across objects or within one); nothing is ever sent twice. */
  duplicated: number;
  /** Of those, acknowledged ones. */
  duplicatedAcknowledged: number;
  lostSample: string[];
  duplicatedSample: string[];
}

export interface StoreAudit {
  objects: number;
  raw: LayerAudit;
  deadLetter: LayerAudit;
  /** Every acknowledged fact id missing from the raw layer. */
  lostIds: string[];
  /** Distinct stored facts per raw partition (what the rollup must count). */
  partitions: { partition: RawPartition; facts: number }[];
}

type IdOf = (record: Record<string, unknown>) => string | undefined;

async function countIds(store: ObjectStore, prefix: string, idOf: IdOf) {
  const counts = new Map<string, number>();
  const byPartition = new Map<string, { partition: RawPartition; ids: Set<string> }>();
  const objects = await store.list(prefix);
  for (const info of objects) {
    const object = await store.get(info.key);
    if (!object) continue;
    const partition = prefix === 'raw/' ? parseRawSegmentKey(info.key) : undefined;
    const group = partition && byPartitionGroup(byPartition, partition);
    for (const line of gunzipSync(object.body).toString('utf8').split('\n')) {
      if (line === '') continue;
      const id = idOf(JSON.parse(line) as Record<string, unknown>);
      if (id === undefined) continue;
      counts.set(id, (counts.get(id) ?? 0) + 1);
      group?.ids.add(id);
    }
  }
  return { counts, objects: objects.length, partitions: [...byPartition.values()] };
}

function byPartitionGroup(
  groups: Map<string, { partition: RawPartition; ids: Set<string> }>,
  p: RawPartition & { file: string },
) {
  const id = `${p.tenant}/${p.date}/${p.hour}`;
  let group = groups.get(id);
  if (!group) {
    group = { partition: { tenant: p.tenant, date: p.date, hour: p.hour }, ids: new Set() };
    groups.set(id, group);
  }
  return group;
}

function auditLayer(counts: Map<string, number>, acked: ReadonlySet<string>): LayerAudit {
  const lost = [...acked].filter((id) => !counts.has(id));
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  return {
    acknowledged: acked.size,
    stored: counts.size,
    lost: lost.length,
    duplicated: duplicated.length,
    duplicatedAcknowledged: duplicated.filter((id) => acked.has(id)).length,
    lostSample: lost.slice(0, 10),
    duplicatedSample: duplicated.slice(0, 10),
  };
}

/** Reads every raw and dead-letter object and checks each acknowledged id is there exactly once. */
export async function auditStore(
  store: ObjectStore,
  acked: ReadonlySet<string>,
  ackedRejected: ReadonlySet<string>,
): Promise<StoreAudit> {
  const raw = await countIds(store, 'raw/', (r) => r['event_id'] as string | undefined);
  const dead = await countIds(store, 'dead-letter/', (r) => {
    const item = r['item'] as { event_id?: string } | undefined;
    return typeof item === 'object' && item !== null ? item.event_id : undefined;
  });
  return {
    objects: raw.objects + dead.objects,
    raw: auditLayer(raw.counts, acked),
    lostIds: [...acked].filter((id) => !raw.counts.has(id)),
    deadLetter: auditLayer(dead.counts, ackedRejected),
    partitions: raw.partitions.map((g) => ({ partition: g.partition, facts: g.ids.size })),
  };
}

/** Requests the rollup counted in each partition's committed minute table. */
export async function readRollupCounts(store: ObjectStore, partitions: readonly RawPartition[]) {
  let total = 0;
  for (const p of partitions) {
    const object = await store.get(buildDataFileKey('request_metrics_minute', p));
    if (object) for (const row of decodeRequestMetrics(object.body)) total += row.requests;
  }
  return total;
}

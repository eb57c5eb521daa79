import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildDataFileKey } from '../../domain/metrics-layout.js';
import { buildRawPartition } from '../../domain/raw-partition.js';
import { runRollupOnce } from '../../rollup/app/run-rollup-once.js';
import { chunk, putRawSegment } from '../../rollup/testing/raw-segments.js';
import { RollupManifests } from '../adapters/rollup-manifests.js';
import type { QueryEngine } from '../app/query-engine.js';
import { QueryService } from '../app/query-service.js';
import {
  buildServiceMapWorkload,
  expectEdgesAsExpected,
  expectedEdges,
  type ServiceMapWorkload,
} from './service-map.contract.js';

const hour = 3_600_000;
const day = 24 * hour;
/** The workload's day: its calls run from 10:00 to 13:00 (service-map.contract.ts). */
const dayStart = Date.parse('2026-11-22T00:00:00Z');
/** Rolled up at 14:30 with no lateness: the open day's tiles cover its first 14 hours. */
const openDayNow = dayStart + 14.5 * hour;
const openDayHours = 14;

/**
 * The workload under its own tenant, rolled up at `nowMs`; then the edge hour and minute files of 10:00 and 11:00
 * are deleted, so an answer that still read them instead of the tiles built before would miss their calls.
 */
async function loadTiledTenant(
  store: ObjectStore,
  w: ServiceMapWorkload,
  tenant: string,
  nowMs: number,
): Promise<void> {
  let seq = 0;
  const byHour = new Map<number, typeof w.records>();
  for (const r of w.records) {
    const h = Math.floor(r.ts / hour);
    byHour.set(h, [...(byHour.get(h) ?? []), { ...r, tenant }]);
  }
  for (const records of byHour.values())
    for (const part of chunk(records, 200))
      await putRawSegment(store, part, { ingester: tenant, seq: ++seq });
  await runRollupOnce({
    store,
    nowMs,
    latenessMs: 0,
    rawRetentionMs: 365 * day,
    metricsRetentionMs: 365 * day,
    applyRetention: false,
  });
  for (const h of [10, 11])
    for (const table of ['service_edges_hour', 'service_edges_minute'] as const)
      await store.delete(buildDataFileKey(table, buildRawPartition(tenant, dayStart + h * hour)));
}

/**
 * GET /api/v1/service-map over the edge tiles (docs/adr/0104) on a real engine: a closed day from its day-hours
 * tile and an open day's closed hours from its open-day tile give the independent oracle's edges, counts exact and
 * percentiles within 1%, with the hour files they replace removed.
 */
export function describeServiceMapTilesContract(
  name: string,
  open: () => Promise<{ engine: QueryEngine; store: ObjectStore }>,
): void {
  describe(`service map from edge tiles: ${name}`, () => {
    const w = buildServiceMapWorkload();
    let service: QueryService;
    beforeAll(async () => {
      const { engine, store } = await open();
      await loadTiledTenant(store, w, 'edgetiles', dayStart + 30 * day);
      await loadTiledTenant(store, w, 'edgeopen', openDayNow);
      service = new QueryService(engine, new RollupManifests(store, { maxAgeMs: 0 }));
    }, 600_000);

    it.each([
      ['a closed day from its day tile', 'edgetiles', dayStart + day],
      ["an open day's closed hours from its open-day tile", 'edgeopen', dayStart + openDayHours * hour],
    ])('answers %s', async (_, tenant, to) => {
      const map = await service.serviceMap({ tenant, from: dayStart, to, limit: 100 });
      const expected = expectedEdges(w, dayStart, to);
      expectEdgesAsExpected(map.edges, expected, [0.5, 0.99]);
    });
  });
}

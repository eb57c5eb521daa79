import { expect, it } from '@jest/globals';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { decodeParquet } from '../../adapters/parquet-codec.js';
import { rollUpHoursToDays } from '../../domain/hour-metrics.js';
import {
  buildDataFileKey,
  buildOpenDayTileKey,
  buildTablePrefix,
  openDayTileTables,
  type OpenDayTileTable,
} from '../../domain/metrics-layout.js';
import type { RawFact } from '../../domain/raw-record.js';
import { decodeDayMetrics, decodeHourMetrics } from '../adapters/metrics-parquet.js';
import { openDayTileGraceMs } from '../domain/open-day-tile-plan.js';
import { runRollupOnce, type RollupOnceOptions } from '../app/run-rollup-once.js';
import { rowText, sortedRowTexts } from '../../adapters/testing/parquet-row-text.js';
import { expectQuarterTiles } from './quarter-tile-oracle.js';
import { putRawSegment } from './raw-segments.js';
import { partitionsOf } from './rollup-oracle.js';
import { buildSeededFacts } from './seeded-raw-events.js';

const minute = 60_000;
const hour = 3_600_000;
const date = '2026-11-20';
const dayStart = Date.parse(`${date}T00:00:00Z`);

/**
 * Open-day tiles (docs/adr/0091) against the store: `policy` is the contract's rollup policy (5-minute lateness),
 * `seed` writes the contract's facts (10:00-12:00 on 2026-11-20) with duplicates, `facts` are those facts.
 */
export function itBuildsOpenDayTiles(
  makeStore: () => Promise<ObjectStore>,
  seed: (store: ObjectStore) => Promise<void>,
  facts: readonly RawFact[],
  policy: (overrides?: Partial<RollupOnceOptions>) => Omit<RollupOnceOptions, 'store'>,
): void {
  const tileRows = async (store: ObjectStore, hours: number, table: OpenDayTileTable) =>
    sortedRowTexts((await store.get(buildOpenDayTileKey('acme', date, hours, table)))!.body);
  const hourRows = async (
    store: ObjectStore,
    table: 'request_metrics_hour' | 'service_metrics_hour' | 'service_edges_hour',
  ) => {
    const rows = [];
    for (const p of partitionsOf([...facts]))
      rows.push(...decodeParquet((await store.get(buildDataFileKey(table, p)))!.body).toArray());
    return rows.map(rowText).sort();
  };
  const expectTiles = async (store: ObjectStore, hours: number) => {
    expect(await tileRows(store, hours, 'request_metrics_open_day_hours')).toEqual(
      await hourRows(store, 'request_metrics_hour'),
    );
    expect(await tileRows(store, hours, 'service_metrics_open_day_hours')).toEqual(
      await hourRows(store, 'service_metrics_hour'),
    );
    expect(await tileRows(store, hours, 'service_edges_open_day_hours')).toEqual(
      await hourRows(store, 'service_edges_hour'),
    );
    const requestHours = [];
    for (const p of partitionsOf([...facts]))
      requestHours.push(
        ...decodeHourMetrics((await store.get(buildDataFileKey('request_metrics_hour', p)))!.body),
      );
    const key = buildOpenDayTileKey('acme', date, hours, 'request_metrics_open_day');
    expect(decodeDayMetrics((await store.get(key))!.body)).toEqual(rollUpHoursToDays(requestHours));
    // Every quarter-hour row, of endpoints and of services, equal to the merge of the hours' minute rows.
    await expectQuarterTiles(store, partitionsOf([...facts]), {
      request: buildOpenDayTileKey('acme', date, hours, 'request_metrics_open_day_quarters'),
      service: buildOpenDayTileKey('acme', date, hours, 'service_metrics_open_day_quarters'),
    });
  };
  const listed = async (store: ObjectStore) =>
    (await Promise.all(openDayTileTables.map((t) => store.list(buildTablePrefix(t)))))
      .flat()
      .map((o) => o.key);

  it('tiles the closed hours of the open day, again only when an hour closes or late data changes one', async () => {
    const store = await makeStore();
    await seed(store);
    // 12:05 with 5 minutes of lateness: hours 00-11 are closed, so the tiles cover 12 hours (the facts' two).
    const first = await runRollupOnce({ store, ...policy() });
    expect(first.openDayTiles).toEqual({ built: 1, deleted: 0 });
    await expectTiles(store, 12);
    expect(
      (await runRollupOnce({ store, ...policy({ nowMs: dayStart + 12 * hour + 30 * minute }) })).openDayTiles,
    ).toEqual({ built: 0, deleted: 0 });

    const late = buildSeededFacts({ seed: 45, count: 300, fromMs: dayStart + 10 * hour, idPrefix: 'late' });
    await putRawSegment(store, late, { seq: 901 });
    const rerun = await runRollupOnce({ store, ...policy({ nowMs: dayStart + 12 * hour + 40 * minute }) });
    expect(rerun.openDayTiles?.built).toBe(1);
    await expectTiles(store, 12);
    const day = decodeDayMetrics(
      (await store.get(buildOpenDayTileKey('acme', date, 12, 'request_metrics_open_day')))!.body,
    );
    expect(day.reduce((sum, r) => sum + r.requests, 0)).toBe(facts.length + late.length);

    // Hours close: tiles of 14, then 15 hours. A smaller coverage stays while it is one of the two largest a
    // pass listed before building (a plan from before the newer tile may still read it), then goes.
    const coverages = async () =>
      [...new Set((await listed(store)).map((key) => /hours=(\d\d)/.exec(key)![1]))].sort();
    await runRollupOnce({ store, ...policy({ nowMs: dayStart + 14 * hour + 6 * minute }) });
    await expectTiles(store, 14);
    await runRollupOnce({ store, ...policy({ nowMs: dayStart + 15 * hour + 6 * minute }) });
    expect(await coverages()).toEqual(['12', '14', '15']);
    const settled = await runRollupOnce({ store, ...policy({ nowMs: dayStart + 15 * hour + 7 * minute }) });
    expect(settled.openDayTiles).toEqual({ built: 0, deleted: openDayTileTables.length });
    expect(await coverages()).toEqual(['14', '15']);
    // Seven passes over MinIO: on a loaded 2-core machine well over the contract's 30 s per test.
  }, 180_000);

  it('keeps a closed day’s open-day tiles through the grace after its close, then deletes them', async () => {
    const store = await makeStore();
    await seed(store);
    await runRollupOnce({ store, ...policy() });
    const closedAt = dayStart + 24 * hour + 5 * minute;
    const closing = await runRollupOnce({ store, ...policy({ nowMs: closedAt + minute }) });
    expect(closing.dayTiles?.built).toBe(1);
    expect(await listed(store)).toHaveLength(openDayTileTables.length);
    const after = await runRollupOnce({ store, ...policy({ nowMs: closedAt + openDayTileGraceMs }) });
    expect(after.openDayTiles?.deleted).toBe(openDayTileTables.length);
    expect(await listed(store)).toEqual([]);
    // The day's only marker is its day tiles' (the full build replaced the open day's).
    expect(await store.list('metrics/_manifests_day/')).toHaveLength(1);
  });
}

import { describe, expect, it, jest } from '@jest/globals';
import { rollupHeartbeatKey } from '../../domain/metrics-layout.js';
import { pino } from 'pino';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { decodeParquet } from '../../adapters/parquet-codec.js';
import { buildRawPartition, type RawPartition } from '../../domain/raw-partition.js';
import { rollUpHoursToDays, rollUpMinutesToHours, rollUpToServices } from '../../domain/hour-metrics.js';
import {
  decodeDayMetrics,
  decodeHourMetrics,
  decodeRequestMetrics,
  encodeServiceMetrics,
} from '../adapters/metrics-parquet.js';
import { deriveMissingTables } from '../app/derive-missing-tables.js';
import {
  buildDayTileKey,
  dayHoursTileTables,
  dayQuarterTileTables,
  dayTileTables,
  type MetricsTable,
} from '../../domain/metrics-layout.js';
import { rowText, sortedRowTexts } from '../../adapters/testing/parquet-row-text.js';
import { expectQuarterTiles } from './quarter-tile-oracle.js';
import { loadManifest } from '../app/commit-partition.js';
import { encodeRollupManifest } from '../domain/rollup-manifest.js';
import { buildDataFileKey, buildManifestKey } from '../../domain/metrics-layout.js';
import { runRollupOnce, type RollupOnceOptions } from '../app/run-rollup-once.js';
import { chunk, putRawSegment } from './raw-segments.js';
import { describeRetention } from './retention.contract.js';
import { itBuildsOpenDayTiles } from './open-day-tiles.contract.js';
import { expectRowsMatchOracle, partitionsOf, readCommittedRows } from './rollup-oracle.js';
import { buildSeededFacts, buildServiceEvent } from './seeded-raw-events.js';

const hour10 = Date.parse('2026-11-20T10:00:00Z');
const hour11 = hour10 + 3_600_000;
const minute = 60_000;
const day = 86_400_000;
const p10: RawPartition = buildRawPartition('acme', hour10);

export const rollupPolicy = (overrides: Partial<RollupOnceOptions> = {}) => ({
  nowMs: hour11 + 3_600_000 + 5 * minute,
  latenessMs: 5 * minute,
  rawRetentionMs: 7 * day,
  metricsRetentionMs: 90 * day,
  ...overrides,
});

const facts = buildSeededFacts({ seed: 42, count: 20_000, fromMs: hour10, spanMs: 2 * 3_600_000 });

async function seedWithDuplicates(store: ObjectStore): Promise<void> {
  let seq = 0;
  for (const hourStart of [hour10, hour11]) {
    const inHour = facts.filter((f) => f.ts >= hourStart && f.ts < hourStart + 3_600_000);
    for (const part of chunk(inHour, 3_000)) await putRawSegment(store, part, { seq: seq++ });
    // A client retry and a re-upload after a crash: the same events again, in other objects.
    await putRawSegment(store, inHour.slice(0, 500), { ingester: 'ing-1', seq: seq++ });
    await putRawSegment(store, [...inHour.slice(100, 200), ...inHour.slice(100, 200)], { seq: seq++ });
  }
}

/** Rollup behaviour every ObjectStore adapter must support; `makeStore` returns an empty store each call. */
export function describeRollupBehaviour(name: string, makeStore: () => Promise<ObjectStore>): void {
  // Each test rolls up 20,000 facts or more; on a shared 2-core machine that can take over jest's 5 s default.
  jest.setTimeout(30_000);
  describeResults(name, makeStore);
  describeConcurrencyAndRetention(name, makeStore);
  describeDayTiles(name, makeStore);
  describeDeriveMissing(name, makeStore);
  describeRetention(name, makeStore);
}

function describeResults(name: string, makeStore: () => Promise<ObjectStore>): void {
  describe(`rollup on ${name}`, () => {
    it('gives exact counts and 1% percentiles against an oracle over merged minutes, ranges and filters', async () => {
      const store = await makeStore();
      await seedWithDuplicates(store);
      const summary = await runRollupOnce({ store, ...rollupPolicy() });
      expect(summary.failed).toEqual([]);
      expect(summary.partitions.map((p) => p.outcome)).toEqual(['committed', 'committed']);
      expect(summary.partitions[0]?.duplicates).toBe(700);
      const rows = await readCommittedRows(store, partitionsOf(facts));
      expectRowsMatchOracle(rows, facts);
      expectRowsMatchOracle(rows, facts, { service: 'checkout' });
      expectRowsMatchOracle(rows, facts, { service: 'search', method: 'POST', path: '/api/orders' });
      expectRowsMatchOracle(rows, facts, { fromMs: hour10 + 50 * minute, toMs: hour11 + 20 * minute });
    });

    it('writes each partition hour and service tables that are exact merges of its minute table', async () => {
      const store = await makeStore();
      await seedWithDuplicates(store);
      await runRollupOnce({ store, ...rollupPolicy() });
      for (const p of partitionsOf(facts)) {
        const minutes = decodeRequestMetrics(
          (await store.get(buildDataFileKey('request_metrics_minute', p)))!.body,
        );
        const hourFile = await store.get(buildDataFileKey('request_metrics_hour', p));
        expect(decodeHourMetrics(hourFile!.body)).toEqual(rollUpMinutesToHours(minutes));
        const manifest = (await loadManifest(store, buildManifestKey(p)))!.manifest;
        expect(manifest.outputs.request_metrics_hour?.bytes).toBe(hourFile!.size);
        for (const resolution of ['minute', 'hour'] as const) {
          const file = await store.get(buildDataFileKey(`service_metrics_${resolution}`, p));
          expect(Buffer.from(file!.body)).toEqual(
            Buffer.from(encodeServiceMetrics(resolution, rollUpToServices(minutes, resolution))),
          );
          expect(manifest.outputs[`service_metrics_${resolution}`]?.rows).toBeGreaterThan(0);
        }
      }
    });

    it('changes nothing when rerun on the same inputs, even when forced', async () => {
      const store = await makeStore();
      await seedWithDuplicates(store);
      await runRollupOnce({ store, ...rollupPolicy() });
      const key = buildDataFileKey('request_metrics_minute', p10);
      const [before, manifestBefore] = [await store.get(key), await store.get(buildManifestKey(p10))];
      const rerun = await runRollupOnce({ store, ...rollupPolicy() });
      expect(rerun.partitions.map((p) => p.outcome)).toEqual(['up_to_date', 'up_to_date']);
      const forced = await runRollupOnce({ store, ...rollupPolicy({ force: true }) });
      expect(forced.partitions.map((p) => p.outcome)).toEqual(['unchanged', 'unchanged']);
      expect((await store.get(key))?.body).toEqual(before?.body);
      expect((await store.get(buildManifestKey(p10)))?.etag).toBe(manifestBefore?.etag);
    });

    it('recomputes a partition when late data arrives in it, as a new generation', async () => {
      const store = await makeStore();
      const early = facts.filter((f) => f.ts < hour10 + 3_600_000);
      await putRawSegment(store, early, { seq: 0 });
      await runRollupOnce({ store, ...rollupPolicy() });
      const late = buildSeededFacts({ seed: 43, count: 2_000, fromMs: hour10, idPrefix: 'late' });
      await putRawSegment(store, [...late, ...early.slice(0, 50)], { ingester: 'ing-9', seq: 1 });
      const summary = await runRollupOnce({ store, ...rollupPolicy() });
      expect(summary.partitions).toMatchObject([{ outcome: 'committed', generation: 2, duplicates: 50 }]);
      const { manifest } = (await loadManifest(store, buildManifestKey(p10)))!;
      expect(manifest).toMatchObject({ generation: 2, published: true, sealed: true });
      expect(manifest.inputs).toHaveLength(2);
      expectRowsMatchOracle(await readCommittedRows(store, [p10]), [...early, ...late]);
    });

    it('waits for the watermark before rolling up an hour, unless open partitions are included', async () => {
      const store = await makeStore();
      await putRawSegment(
        store,
        facts.slice(0, 10).map((f) => ({ ...f, ts: hour11 + 1_000 })),
        { seq: 0 },
      );
      const beforeWatermark = { nowMs: hour11 + 3_600_000 + minute };
      expect((await runRollupOnce({ store, ...rollupPolicy(beforeWatermark) })).partitions).toEqual([]);
      const open = await runRollupOnce({ store, ...rollupPolicy({ ...beforeWatermark, includeOpen: true }) });
      expect(open.partitions.map((p) => p.outcome)).toEqual(['committed']);
      const p11 = buildRawPartition('acme', hour11);
      expect((await loadManifest(store, buildManifestKey(p11)))?.manifest.sealed).toBe(false);
    });

    it('writes deduplicated service events to their own table and skips invalid lines', async () => {
      const store = await makeStore();
      const deploy = buildServiceEvent({ ts: hour10 + 5 * minute });
      const incident = buildServiceEvent({
        event_id: 'inc-1',
        type: 'incident',
        ts: hour10 + minute,
        version: undefined,
      });
      await putRawSegment(store, [deploy, incident, deploy, facts[0]!], { seq: 0 });
      await putRawSegment(store, [{ ...deploy, ts: hour10 + 2, event_id: 'bad', type: 'nope' } as never], {
        seq: 1,
      });
      const summary = await runRollupOnce({ store, ...rollupPolicy() });
      expect(summary.partitions).toMatchObject([
        { outcome: 'committed', facts: 1, duplicates: 1, invalid: 1 },
      ]);
      const table = decodeParquet((await store.get(buildDataFileKey('service_events', p10)))!.body);
      expect(table.getChild('event_id')?.toArray()).toEqual(['inc-1', 'deploy-1']);
    });
  });
}

function describeConcurrencyAndRetention(name: string, makeStore: () => Promise<ObjectStore>): void {
  describe(`rollup commit races and retention on ${name}`, () => {
    it('leaves exactly one committed generation when two runs race on the same partition', async () => {
      const store = await makeStore();
      await seedWithDuplicates(store);
      const [a, b] = await Promise.all([
        runRollupOnce({ store, ...rollupPolicy() }),
        runRollupOnce({ store, ...rollupPolicy() }),
      ]);
      const outcomes = [...a.partitions, ...b.partitions].filter(
        (p) => p.partition === buildManifestKey(p10),
      );
      expect(outcomes.filter((p) => p.outcome === 'committed')).toHaveLength(1);
      const { manifest } = (await loadManifest(store, buildManifestKey(p10)))!;
      expect(manifest).toMatchObject({ generation: 1, published: true });
      expectRowsMatchOracle(await readCommittedRows(store, partitionsOf(facts)), facts);
    });

    it('deletes raw data past raw retention only after it was rolled up, and metrics past metrics retention', async () => {
      const store = await makeStore();
      await putRawSegment(
        store,
        facts.slice(0, 100).filter((f) => f.ts < hour11),
        { seq: 0 },
      );
      const later = { nowMs: hour11 + 8 * day };
      const first = await runRollupOnce({ store, ...rollupPolicy(later) });
      expect(first.partitions.map((p) => p.outcome)).toEqual(['committed']);
      expect(first.retention).toMatchObject({ rawPartitionsDeleted: 1, metricsPartitionsDeleted: 0 });
      expect(await store.list('raw/')).toEqual([]);
      expect(await store.head(buildDataFileKey('request_metrics_minute', p10))).toBeDefined();
      const much = await runRollupOnce({ store, ...rollupPolicy({ nowMs: hour11 + 91 * day }) });
      expect(much.retention).toMatchObject({ metricsPartitionsDeleted: 1 });
      // Only the pass heartbeat is left: it describes the rollup, not a partition's data.
      expect((await store.list('metrics/')).map((o) => o.key)).toEqual([rollupHeartbeatKey]);
    });
  });
}

function describeDayTiles(name: string, makeStore: () => Promise<ObjectStore>): void {
  describe(`day tiles on ${name}`, () => {
    const nextDay = Date.parse('2026-11-21T00:00:00Z');
    const dayKey = buildDayTileKey('acme', '2026-11-20');
    const readDay = async (store: ObjectStore) => decodeDayMetrics((await store.get(dayKey))!.body);
    const expectedDay = async (store: ObjectStore) => {
      const hours = [];
      for (const p of partitionsOf(facts))
        hours.push(
          ...decodeHourMetrics((await store.get(buildDataFileKey('request_metrics_hour', p)))!.body),
        );
      return rollUpHoursToDays(hours);
    };
    /** The hour table each day-hours tile holds a day of. */
    const hourTableOf = {
      request_metrics_day_hours: 'request_metrics_hour',
      service_metrics_day_hours: 'service_metrics_hour',
      service_edges_day_hours: 'service_edges_hour',
    } as const satisfies Record<(typeof dayHoursTileTables)[number], MetricsTable>;
    /** The day's hour files, concatenated, as the day-hours tiles must hold them (any order: rows are keyed). */
    const hourFilesOfDay = async (
      store: ObjectStore,
      table: (typeof hourTableOf)[keyof typeof hourTableOf],
    ) => {
      const rows = [];
      for (const p of partitionsOf(facts))
        rows.push(...decodeParquet((await store.get(buildDataFileKey(table, p)))!.body).toArray());
      return rows.map(rowText).sort();
    };
    const readDayHours = async (store: ObjectStore, table: (typeof dayHoursTileTables)[number]) =>
      sortedRowTexts((await store.get(buildDayTileKey('acme', '2026-11-20', table)))!.body);
    const expectDayHoursTiles = async (store: ObjectStore) => {
      for (const tile of dayHoursTileTables)
        expect(await readDayHours(store, tile)).toEqual(await hourFilesOfDay(store, hourTableOf[tile]));
      await expectQuarterTiles(store, partitionsOf(facts), {
        request: buildDayTileKey('acme', '2026-11-20', 'request_metrics_day_quarters'),
        service: buildDayTileKey('acme', '2026-11-20', 'service_metrics_day_quarters'),
      });
    };

    it('builds a closed day once, as the merge of its hours, and rebuilds it when late data changes an hour', async () => {
      const store = await makeStore();
      await seedWithDuplicates(store);
      const open = await runRollupOnce({ store, ...rollupPolicy() });
      expect(open.dayTiles).toEqual({ built: 0, deleted: 0 });
      const closed = await runRollupOnce({ store, ...rollupPolicy({ nowMs: nextDay + 10 * minute }) });
      expect(closed.dayTiles?.built).toBe(1);
      expect(await readDay(store)).toEqual(await expectedDay(store));
      await expectDayHoursTiles(store);
      expect(
        (await runRollupOnce({ store, ...rollupPolicy({ nowMs: nextDay + 11 * minute }) })).dayTiles?.built,
      ).toBe(0);

      const late = buildSeededFacts({ seed: 44, count: 500, fromMs: hour10, idPrefix: 'late' });
      await putRawSegment(store, late, { seq: 900 });
      const rerun = await runRollupOnce({ store, ...rollupPolicy({ nowMs: nextDay + 12 * minute }) });
      expect(rerun.dayTiles?.built).toBe(1);
      const day = await readDay(store);
      expect(day.reduce((sum, r) => sum + r.requests, 0)).toBe(facts.length + late.length);
      expect(day).toEqual(await expectedDay(store));
      await expectDayHoursTiles(store);
    });

    it('builds the day-hours and quarter-hour tiles of a day whose marker predates them (an upgrade), once', async () => {
      const store = await makeStore();
      await seedWithDuplicates(store);
      await runRollupOnce({ store, ...rollupPolicy({ nowMs: nextDay + 10 * minute }) });
      // What a rollup before the day-hours tiles left: the day tile, and a marker whose digest (of the hours only)
      // is not what this version computes (it names the tile tables too).
      for (const table of [...dayHoursTileTables, ...dayQuarterTileTables])
        await store.delete(buildDayTileKey('acme', '2026-11-20', table));
      const [marker] = await store.list('metrics/_manifests_day/');
      await store.delete(marker!.key);
      await store.put(marker!.key.replace(/[0-9a-f]{64}$/, '0'.repeat(64)), new Uint8Array([10]));
      const upgraded = await runRollupOnce({ store, ...rollupPolicy({ nowMs: nextDay + 11 * minute }) });
      expect(upgraded.dayTiles?.built).toBe(1);
      await expectDayHoursTiles(store);
      expect(await store.list('metrics/_manifests_day/')).toHaveLength(1);
      const again = await runRollupOnce({ store, ...rollupPolicy({ nowMs: nextDay + 12 * minute }) });
      expect(again.dayTiles?.built).toBe(0);
    });

    itBuildsOpenDayTiles(makeStore, seedWithDuplicates, facts, rollupPolicy);

    it('drops a day tile once the whole day is past metrics retention', async () => {
      const store = await makeStore();
      await seedWithDuplicates(store);
      await runRollupOnce({ store, ...rollupPolicy({ nowMs: nextDay + 10 * minute }) });
      const expired = await runRollupOnce({
        store,
        ...rollupPolicy({ nowMs: nextDay + 3 * day, rawRetentionMs: day, metricsRetentionMs: 2 * day }),
      });
      expect(expired.dayTiles?.deleted).toBe(1);
      expect(await store.head(dayKey)).toBeUndefined();
      for (const table of dayTileTables) expect(await store.list(`metrics/${table}/`)).toEqual([]);
      expect(await store.list('metrics/_manifests_day/')).toEqual([]);
    });
  });
}

function describeDeriveMissing(name: string, makeStore: () => Promise<ObjectStore>): void {
  describe(`upgrade of version-1 partitions on ${name}`, () => {
    const derived = ['request_metrics_hour', 'service_metrics_minute', 'service_metrics_hour'] as const;

    /** Turns a committed partition back into what rollup version 1 left: minute rows only. */
    async function downgrade(store: ObjectStore, p: RawPartition): Promise<void> {
      for (const table of derived) await store.delete(buildDataFileKey(table, p));
      const { manifest } = (await loadManifest(store, buildManifestKey(p)))!;
      const outputs = {
        request_metrics_minute: manifest.outputs.request_metrics_minute,
        service_events: manifest.outputs.service_events,
      };
      await store.put(buildManifestKey(p), encodeRollupManifest({ ...manifest, rollup_version: 1, outputs }));
    }

    it('derives the pre-merged tables of partitions whose raw data is gone, exactly as the rollup writes them', async () => {
      const store = await makeStore();
      await seedWithDuplicates(store);
      await runRollupOnce({ store, ...rollupPolicy() });
      const p11 = buildRawPartition('acme', hour11);
      const written = await Promise.all(
        derived.map(async (t) => (await store.get(buildDataFileKey(t, p10)))!.body),
      );
      await downgrade(store, p10);
      await downgrade(store, p11);
      for (const { key } of await store.list('raw/tenant=acme/date=2026-11-20/hour=10/'))
        await store.delete(key);

      const report = await deriveMissingTables(store, pino({ level: 'silent' }));
      // hour 11 still has raw data: the regular rollup recomputes it, so the upgrade leaves it alone.
      expect(report).toEqual({ derived: 1, complete: 0, skipped: 1 });
      const { manifest } = (await loadManifest(store, buildManifestKey(p10)))!;
      for (const [i, table] of derived.entries()) {
        const file = (await store.get(buildDataFileKey(table, p10)))!;
        expect(Buffer.from(file.body)).toEqual(Buffer.from(written[i]!));
        expect(manifest.outputs[table]?.bytes).toBe(file.size);
      }
      expect(await store.head(buildDataFileKey('request_metrics_hour', p11))).toBeUndefined();
      expect(await deriveMissingTables(store, pino({ level: 'silent' }))).toEqual({
        derived: 0,
        complete: 1,
        skipped: 1,
      });
    });
  });
}

import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import type { RawFact } from '../../domain/raw-record.js';
import { runRollupOnce } from '../../rollup/app/run-rollup-once.js';
import { putRawSegment } from '../../rollup/testing/raw-segments.js';
import { buildSeededFacts } from '../../rollup/testing/seeded-raw-events.js';
import type { QueryEngine } from '../app/query-engine.js';
import { RollupManifests } from '../adapters/rollup-manifests.js';
import { QueryService } from '../app/query-service.js';

const hour = 3_600_000;
const day = 24 * hour;
const tenant = 'livecommits';
const lateTenant = 'latecommits';
const tileTenant = 'tilecommits';
const first = Date.parse('2026-11-22T03:00:00Z');
const hours = [0, 1, 2].map((i) => first + i * hour);

/**
 * The rollup commits new hours while queries run: each commit is visible to the very next query of every
 * replica (partition projection: nothing to register or sync), and no query fails meanwhile.
 */
export function describeCommitWhileQuerying(
  name: string,
  open: () => Promise<{ engine: QueryEngine; store: ObjectStore; openReplica: () => Promise<QueryEngine> }>,
): void {
  describe(`commits while querying: ${name}`, () => {
    it('shows every committed hour to the next query of two replicas, with queries running throughout', async () => {
      const { engine, store, openReplica } = await open();
      // A second query replica, opened as a new pod would be: both must see every commit at once.
      const replica = await openReplica();
      const services = [engine, replica].map((e) => new QueryService(e, new RollupManifests(store)));
      const range = { tenant, from: first, to: first + 3 * hour, stepMs: hour };
      let running = true;
      const errors: unknown[] = [];
      const background = (async () => {
        while (running) await services[0]!.timeseries(range).catch((error: unknown) => errors.push(error));
      })();
      try {
        let seq = 0;
        for (const [i, start] of hours.entries()) {
          const facts: RawFact[] = buildSeededFacts({ seed: 90 + i, count: 200, fromMs: start, tenant });
          await putRawSegment(store, facts, { seq: ++seq, ingester: 'live' });
          await runRollupOnce({
            store,
            nowMs: start + 30 * 60_000,
            latenessMs: day,
            includeOpen: true,
            rawRetentionMs: 365 * day,
            metricsRetentionMs: 365 * day,
            applyRetention: false,
          });
          for (const service of services) {
            const { points } = await service.timeseries(range);
            expect(points.map((p) => p.requests)).toEqual(hours.map((_, j) => (j <= i ? 200 : 0)));
          }
        }
      } finally {
        running = false;
        await background;
      }
      expect(errors).toEqual([]);
    }, 600_000);

    it('recomputes a committed hour in place (late data) while two replicas query it: old or new, never an error', async () => {
      const { engine, store, openReplica } = await open();
      const replica = await openReplica();
      const services = [engine, replica].map((e) => new QueryService(e, new RollupManifests(store)));
      const start = Date.parse('2026-11-23T05:00:00Z');
      const range = { tenant: lateTenant, from: start, to: start + hour, stepMs: hour };
      // The hour's data file is replaced in place by every recompute (ADR 0003): a reader that listed the old
      // file and reads the new one would fail or miscount; every answer must be one of the committed totals.
      const batches = [200, 10, 20, 30];
      const totals = batches.map((_, i) => batches.slice(0, i + 1).reduce((a, b) => a + b));
      const rollUp = (nowMs: number) =>
        runRollupOnce({
          store,
          nowMs,
          latenessMs: day,
          includeOpen: true,
          rawRetentionMs: 365 * day,
          metricsRetentionMs: 365 * day,
          applyRetention: false,
        });
      const put = (i: number) =>
        putRawSegment(
          store,
          buildSeededFacts({ seed: 70 + i, count: batches[i]!, fromMs: start, tenant: lateTenant }),
          { seq: i + 1, ingester: 'late' },
        );
      await put(0);
      await rollUp(start + 30 * 60_000);
      const seen = new Set<number>();
      const errors: unknown[] = [];
      let running = true;
      const background = services.map(async (service) => {
        while (running) {
          await service
            .timeseries(range)
            .then(({ points }) => seen.add(points[0]!.requests))
            .catch((error: unknown) => errors.push(error));
        }
      });
      try {
        for (let i = 1; i < batches.length; i++) {
          await put(i);
          // Two hours later: the hour is closed, its late facts recompute it.
          await rollUp(start + 2 * hour + i * 60_000);
          for (const service of services) {
            const { points } = await service.timeseries(range);
            expect(points.map((p) => p.requests)).toEqual([totals[i]]);
          }
        }
      } finally {
        running = false;
        await Promise.all(background);
      }
      expect(errors).toEqual([]);
      expect([...seen].filter((n) => !totals.includes(n))).toEqual([]);
    }, 600_000);

    it('rebuilds the tiles of a closed day (late data) while two replicas chart the whole day from them: old or new, never an error', async () => {
      const { engine, store, openReplica } = await open();
      const replica = await openReplica();
      const services = [engine, replica].map((e) => new QueryService(e, new RollupManifests(store)));
      const dayStart = Date.parse('2026-11-24T00:00:00Z');
      const start = dayStart + 5 * hour;
      // A whole day in hour steps: the plan reads it from the day-hours tiles once the day has them (ADR 0075).
      const range = { tenant: tileTenant, from: dayStart, to: dayStart + day, stepMs: hour };
      const batches = [200, 10, 20];
      const totals = batches.map((_, i) => batches.slice(0, i + 1).reduce((a, b) => a + b));
      // After the day and its lateness window: every pass commits the late hour, then rebuilds the day's tiles.
      const rollUp = (i: number) =>
        runRollupOnce({
          store,
          nowMs: dayStart + day + 2 * hour + i * 60_000,
          latenessMs: hour,
          rawRetentionMs: 365 * day,
          metricsRetentionMs: 365 * day,
          applyRetention: false,
        });
      const put = (i: number) =>
        putRawSegment(
          store,
          buildSeededFacts({ seed: 50 + i, count: batches[i]!, fromMs: start, tenant: tileTenant }),
          { seq: i + 1, ingester: 'tiles' },
        );
      const sum = (points: readonly { requests: number }[]) => points.reduce((a, p) => a + p.requests, 0);
      await put(0);
      // The first pass also tiles the closed days that earlier cases left in a shared store (Trino's bucket); the
      // later passes rebuild only this day.
      expect((await rollUp(0)).dayTiles?.built).toBeGreaterThanOrEqual(1);
      const seen = new Set<number>();
      const errors: unknown[] = [];
      let running = true;
      const background = services.map(async (service) => {
        while (running) {
          await service
            .timeseries(range)
            .then(({ points }) => seen.add(sum(points)))
            .catch((error: unknown) => errors.push(error));
        }
      });
      try {
        for (let i = 1; i < batches.length; i++) {
          await put(i);
          expect((await rollUp(i)).dayTiles?.built).toBe(1);
          for (const service of services)
            expect(sum((await service.timeseries(range)).points)).toBe(totals[i]);
        }
      } finally {
        running = false;
        await Promise.all(background);
      }
      expect(errors).toEqual([]);
      expect([...seen].filter((n) => !totals.includes(n))).toEqual([]);
    }, 600_000);
  });
}

import fc from 'fast-check';
import {
  dropBeforeFirstHour,
  isEmptyPlan,
  planMetricsScan,
  type MetricsScanPlan,
} from './plan-metrics-scan.js';

const h = 3_600_000;
const m = 60_000;
const d = 24 * h;
const t0 = Date.parse('2026-11-20T00:00:00Z');

describe('planMetricsScan', () => {
  it("reads an open hour's closed minutes from its open-hour tile and only the minutes after them from minute rows", () => {
    const openHours = new Map([[t0 + 5 * h, 47]]);
    const query = { from: t0 + 25 * m, to: t0 + 5 * h + 52 * m, groupBy: 'endpoint' as const };
    expect(planMetricsScan(query, new Set(), new Map(), { openHours })).toEqual({
      days: [],
      openDays: [],
      hours: [{ from: t0 + h, to: t0 + 5 * h }],
      minutes: [
        { from: t0 + 25 * m, to: t0 + h },
        { from: t0 + 5 * h + 47 * m, to: t0 + 5 * h + 52 * m },
      ],
      openHours: [{ from: t0 + 5 * h, to: t0 + 5 * h + 47 * m }],
    });
    // A range ending exactly where the tile ends reads no minute rows of that hour.
    const exact = planMetricsScan({ ...query, to: t0 + 5 * h + 47 * m }, new Set(), new Map(), { openHours });
    expect([exact.openHours, exact.minutes.at(-1)]).toEqual([
      [{ from: t0 + 5 * h, to: t0 + 5 * h + 47 * m }],
      { from: t0 + 25 * m, to: t0 + h },
    ]);
  });

  it('leaves the open-hour tile out when the range ends inside its minutes, starts after its hour does, or steps split hours', () => {
    const openHours = new Map([[t0 + 5 * h, 47]]);
    const plan = (from: number, to: number, extra: { groupBy?: 'step'; stepMs?: number } = {}) =>
      planMetricsScan({ from, to, groupBy: 'endpoint', ...extra }, new Set(), new Map(), { openHours });
    expect(plan(t0, t0 + 5 * h + 40 * m).openHours).toBeUndefined();
    expect(plan(t0 + 5 * h + m, t0 + 5 * h + 52 * m).openHours).toBeUndefined();
    expect(plan(t0, t0 + 5 * h + 52 * m, { groupBy: 'step', stepMs: 15 * m }).openHours).toBeUndefined();
    // Hourly steps: the tile's row at the hour's start lies in the step of its minutes.
    expect(plan(t0, t0 + 5 * h + 52 * m, { groupBy: 'step', stepMs: h }).openHours).toEqual([
      { from: t0 + 5 * h, to: t0 + 5 * h + 47 * m },
    ]);
    // A range within the open hour, from its start.
    expect(plan(t0 + 5 * h, t0 + 5 * h + 50 * m)).toEqual({
      days: [],
      openDays: [],
      hours: [],
      minutes: [{ from: t0 + 5 * h + 47 * m, to: t0 + 5 * h + 50 * m }],
      openHours: [{ from: t0 + 5 * h, to: t0 + 5 * h + 47 * m }],
    });
  });

  it('keeps an open-hour tile after the first committed hour and counts it as something to read', () => {
    const plan = planMetricsScan(
      { from: t0 + 5 * h, to: t0 + 5 * h + 50 * m, groupBy: 'endpoint' },
      new Set(),
      new Map(),
      { openHours: new Map([[t0 + 5 * h, 50]]) },
    );
    expect(plan.minutes).toEqual([]);
    expect(isEmptyPlan(plan)).toBe(false);
    expect(dropBeforeFirstHour(plan, t0 + 5 * h).openHours).toEqual([
      { from: t0 + 5 * h, to: t0 + 5 * h + 50 * m },
    ]);
    expect(isEmptyPlan(dropBeforeFirstHour(plan, t0 + 6 * h))).toBe(true);
  });

  it('reads whole hours from the hour table and the ragged ends from the minute table', () => {
    expect(planMetricsScan({ from: t0 + 25 * m, to: t0 + 5 * h + 7 * m, groupBy: 'endpoint' })).toEqual({
      days: [],
      openDays: [],
      hours: [{ from: t0 + h, to: t0 + 5 * h }],
      minutes: [
        { from: t0 + 25 * m, to: t0 + h },
        { from: t0 + 5 * h, to: t0 + 5 * h + 7 * m },
      ],
    });
  });

  it('needs no minute rows for a range of whole hours', () => {
    expect(planMetricsScan({ from: t0, to: t0 + 24 * h, groupBy: 'service' })).toEqual({
      days: [],
      openDays: [],
      hours: [{ from: t0, to: t0 + 24 * h }],
      minutes: [],
    });
  });

  it('reads minutes only when the range holds no whole hour', () => {
    const query = { from: t0 + 10 * m, to: t0 + h + 5 * m, groupBy: 'endpoint' as const };
    expect(planMetricsScan(query)).toEqual({
      days: [],
      openDays: [],
      hours: [],
      minutes: [{ from: query.from, to: query.to }],
    });
  });

  it('uses hour rows for a step series only when each hour falls inside one step', () => {
    const week = { from: t0, to: t0 + 7 * d + 13 * m, groupBy: 'step' as const };
    expect(planMetricsScan({ ...week, stepMs: h }).hours).toEqual([{ from: t0, to: t0 + 7 * d }]);
    expect(planMetricsScan({ ...week, stepMs: 3 * h }).minutes).toEqual([{ from: t0 + 7 * d, to: week.to }]);
    expect(planMetricsScan({ ...week, stepMs: 15 * m }).hours).toEqual([]);
    expect(planMetricsScan({ ...week, from: t0 + 30 * m, stepMs: h }).hours).toEqual([]);
  });

  it('reads whole days that have a tile from day tiles, and hours around days without one', () => {
    const tiles = new Set(['2026-11-20', '2026-11-21', '2026-11-23']);
    const query = { from: t0 - 2 * h - 5 * m, to: t0 + 4 * d + 3 * h, groupBy: 'endpoint' as const };
    expect(planMetricsScan(query, tiles)).toEqual({
      days: [
        { from: t0, to: t0 + 2 * d },
        { from: t0 + 3 * d, to: t0 + 4 * d },
      ],
      openDays: [],
      hours: [
        { from: t0 - 2 * h, to: t0 },
        { from: t0 + 2 * d, to: t0 + 3 * d },
        { from: t0 + 4 * d, to: t0 + 4 * d + 3 * h },
      ],
      minutes: [{ from: t0 - 2 * h - 5 * m, to: t0 - 2 * h }],
    });
  });

  it('uses tiles for a step series only when each hour falls inside one step', () => {
    const tiles = new Set(['2026-11-20']);
    const series = { from: t0 - 3 * h, to: t0 + 2 * d, groupBy: 'step' as const };
    expect(planMetricsScan({ ...series, stepMs: h }, tiles)).toEqual({
      days: [{ from: t0, to: t0 + d }],
      openDays: [],
      hours: [
        { from: t0 - 3 * h, to: t0 },
        { from: t0 + d, to: t0 + 2 * d },
      ],
      minutes: [],
    });
    expect(planMetricsScan({ ...series, stepMs: 15 * m }, tiles).days).toEqual([]);
    expect(planMetricsScan({ ...series, from: t0 - 30 * m, stepMs: h }, tiles).days).toEqual([]);
  });

  it('reads the closed hours of an open day from its open-day tile when the range holds all of them', () => {
    const open = new Map([['2026-11-21', 9]]);
    const week = { from: t0 - 6 * d, to: t0 + d + 9 * h + 40 * m, groupBy: 'endpoint' as const };
    const tiles = new Set([
      '2026-11-14',
      '2026-11-15',
      '2026-11-16',
      '2026-11-17',
      '2026-11-18',
      '2026-11-19',
    ]);
    expect(planMetricsScan(week, tiles, open)).toEqual({
      days: [{ from: t0 - 6 * d, to: t0 }],
      openDays: [{ from: t0 + d, to: t0 + d + 9 * h }],
      hours: [{ from: t0, to: t0 + d }],
      minutes: [{ from: t0 + d + 9 * h, to: week.to }],
    });
    // The tile's hours reach past the range's end, or the range starts after midnight: the hours are read instead.
    expect(planMetricsScan({ ...week, to: t0 + d + 8 * h }, tiles, open).openDays).toEqual([]);
    expect(planMetricsScan({ ...week, from: t0 + d + h }, tiles, open)).toEqual({
      days: [],
      openDays: [],
      hours: [{ from: t0 + d + h, to: t0 + d + 9 * h }],
      minutes: [{ from: t0 + d + 9 * h, to: week.to }],
    });
  });

  it('prefers a closed day tile over an open-day tile of the same date, and never merges two open-day tiles', () => {
    const both = new Set(['2026-11-20']);
    const open = new Map([
      ['2026-11-20', 23],
      ['2026-11-21', 2],
    ]);
    const query = { from: t0, to: t0 + 2 * d, groupBy: 'service' as const };
    expect(planMetricsScan(query, both, open)).toEqual({
      days: [{ from: t0, to: t0 + d }],
      openDays: [{ from: t0 + d, to: t0 + d + 2 * h }],
      hours: [{ from: t0 + d + 2 * h, to: t0 + 2 * d }],
      minutes: [],
    });
    expect(planMetricsScan(query, new Set(), open).openDays).toEqual([
      { from: t0, to: t0 + 23 * h },
      { from: t0 + d, to: t0 + d + 2 * h },
    ]);
  });

  it('uses open-day tiles for a step series only when each hour falls inside one step', () => {
    const open = new Map([['2026-11-20', 5]]);
    const series = { from: t0 - 3 * h, to: t0 + 6 * h, groupBy: 'step' as const };
    expect(planMetricsScan({ ...series, stepMs: h }, new Set(), open).openDays).toEqual([
      { from: t0, to: t0 + 5 * h },
    ]);
    expect(planMetricsScan({ ...series, stepMs: 15 * m }, new Set(), open).openDays).toEqual([]);
  });

  it('reads an open day from its quarter-hour rows for a series whose steps fit quarters but not hours', () => {
    const open = new Map([['2026-11-20', 23]]);
    const day = { from: t0 - 15 * m, to: t0 + 23 * h + 52 * m, groupBy: 'step' as const, stepMs: 15 * m };
    expect(planMetricsScan(day, new Set(), open, { quarterDays: new Set() })).toEqual({
      days: [],
      openDays: [{ from: t0, to: t0 + 23 * h }],
      openDayQuarters: true,
      hours: [],
      minutes: [
        { from: t0 - 15 * m, to: t0 },
        { from: t0 + 23 * h, to: day.to },
      ],
    });
    // Without quarter-hour tiles (edges), or steps off the quarter grid: minutes only.
    expect(planMetricsScan(day, new Set(), open).openDays).toEqual([]);
    const offGrid = { ...day, from: t0 - 10 * m };
    expect(planMetricsScan(offGrid, new Set(), open, { quarterDays: new Set() })).toEqual({
      days: [],
      openDays: [],
      hours: [],
      minutes: [{ from: offGrid.from, to: day.to }],
    });
    // Steps of whole hours keep reading the open day's hour rows.
    const hourly = { ...day, from: t0 - h, stepMs: h };
    expect(
      planMetricsScan(hourly, new Set(), open, { quarterDays: new Set() }).openDayQuarters,
    ).toBeUndefined();
  });
});

describe('planMetricsScan at quarter-hour steps over closed days (docs/adr/0141)', () => {
  const quarterly = (from: number, to: number) => ({ from, to, groupBy: 'step' as const, stepMs: 15 * m });

  it("reads any run of a closed day's quarters from its quarter-hour tile, and the ragged end from minutes", () => {
    // A compare=1d overlay: 2026-11-18T23:45 .. 2026-11-19T23:52:40, both days closed with tiles.
    const overlay = quarterly(t0 - d - 15 * m, t0 - 7 * m - 20_000);
    const days = new Set(['2026-11-18', '2026-11-19']);
    expect(planMetricsScan(overlay, new Set(), new Map(), { quarterDays: days })).toEqual({
      days: [],
      openDays: [],
      hours: [],
      minutes: [{ from: t0 - 15 * m, to: overlay.to }],
      dayQuarters: [{ from: overlay.from, to: t0 - 15 * m }],
    });
    // A day without its tiles (tiled before they existed) is read from minutes.
    expect(planMetricsScan(overlay, new Set(), new Map(), { quarterDays: new Set(['2026-11-19']) })).toEqual({
      days: [],
      openDays: [],
      hours: [],
      minutes: [
        { from: overlay.from, to: t0 - d },
        { from: t0 - 15 * m, to: overlay.to },
      ],
      dayQuarters: [{ from: t0 - d, to: t0 - 15 * m }],
    });
  });

  it('reads the day before from its tile and the open day from its open-day tile (a 24-hour drill-down)', () => {
    const today = quarterly(t0 - 15 * m, t0 + 23 * h + 52 * m);
    const plan = planMetricsScan(today, new Set(), new Map([['2026-11-20', 23]]), {
      quarterDays: new Set(['2026-11-19']),
    });
    expect(plan).toEqual({
      days: [],
      openDays: [{ from: t0, to: t0 + 23 * h }],
      openDayQuarters: true,
      hours: [],
      minutes: [{ from: t0 + 23 * h, to: today.to }],
      dayQuarters: [{ from: t0 - 15 * m, to: t0 }],
    });
    // A day just closed whose open-day tiles are still listed reads its own day tile.
    const closed = planMetricsScan(today, new Set(), new Map([['2026-11-20', 23]]), {
      quarterDays: new Set(['2026-11-19', '2026-11-20']),
    });
    expect([closed.openDays, closed.dayQuarters]).toEqual([
      [],
      [{ from: t0 - 15 * m, to: t0 + 23 * h + 45 * m }],
    ]);
  });

  it('keeps closed-day quarters after the first committed hour', () => {
    const plan = planMetricsScan(quarterly(t0 - d, t0), new Set(), new Map(), {
      quarterDays: new Set(['2026-11-19']),
    });
    expect(dropBeforeFirstHour(plan, t0 - 5 * h).dayQuarters).toEqual([{ from: t0 - 5 * h, to: t0 }]);
    expect(isEmptyPlan(dropBeforeFirstHour(plan, t0 - 5 * h))).toBe(false);
    expect(isEmptyPlan(dropBeforeFirstHour(plan, t0))).toBe(true);
  });

  it('covers every quarter-step range exactly once, with tiles only where they exist and on whole quarters', () => {
    const dates = ['2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 * 96 }),
        fc.integer({ min: 1, max: 3 * 96 * 15 }),
        fc.subarray(dates),
        fc.option(fc.tuple(fc.constantFrom(...dates), fc.integer({ min: 1, max: 23 }))),
        (startQuarter, spanMinutes, tiled, openDay) => {
          const from = t0 - 3 * d + startQuarter * 15 * m;
          const query = quarterly(from, from + spanMinutes * m);
          const quarterDays = new Set(tiled);
          const openDays = new Map(openDay ? [openDay] : []);
          const plan = planMetricsScan(query, new Set(), openDays, { quarterDays });
          expectExactCover(plan, query);
          for (const r of plan.dayQuarters ?? []) {
            expect([r.from % (15 * m), r.to % (15 * m)]).toEqual([0, 0]);
            for (let t = r.from; t < r.to; t += 15 * m)
              expect(quarterDays.has(new Date(t).toISOString().slice(0, 10))).toBe(true);
          }
          for (const r of plan.openDays) {
            const date = new Date(r.from).toISOString().slice(0, 10);
            expect([r.from % d, (r.to - r.from) / h]).toEqual([0, openDays.get(date)]);
            expect(quarterDays.has(date)).toBe(false);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** Every part of a plan lies in [from, to), no two overlap, and together they cover it. */
function expectExactCover(plan: MetricsScanPlan, query: { from: number; to: number }): void {
  const parts = [
    ...plan.days,
    ...plan.openDays,
    ...(plan.openHours ?? []),
    ...(plan.dayQuarters ?? []),
    ...plan.hours,
    ...plan.minutes,
  ].sort((a, b) => a.from - b.from);
  let cursor = query.from;
  for (const part of parts) {
    expect(part.from).toBe(cursor);
    expect(part.to).toBeGreaterThan(part.from);
    cursor = part.to;
  }
  expect(cursor).toBe(query.to);
}

describe('dropBeforeFirstHour', () => {
  const tiles = new Set(['2026-11-18', '2026-11-19']);
  const open = new Map([['2026-11-20', 5]]);
  const week = { from: t0 - 5 * d + 10 * m, to: t0 + 5 * h + 20 * m, groupBy: 'endpoint' as const };

  it('cuts hour and minute ranges at the first committed hour and keeps every tile that ends after it', () => {
    const plan = planMetricsScan(week, tiles, open);
    expect(dropBeforeFirstHour(plan, t0 - 2 * d + 3 * h)).toEqual({
      days: [{ from: t0 - 2 * d, to: t0 }],
      openDays: [{ from: t0, to: t0 + 5 * h }],
      hours: [],
      minutes: [{ from: t0 + 5 * h, to: week.to }],
    });
    expect(dropBeforeFirstHour(plan, t0 - 3 * d - 7 * h)).toEqual({
      ...plan,
      hours: [{ from: t0 - 3 * d - 7 * h, to: t0 - 2 * d }],
      minutes: [{ from: t0 + 5 * h, to: week.to }],
    });
  });

  it('leaves a plan alone when the first hour is unknown or before the range', () => {
    const plan = planMetricsScan(week, tiles, open);
    expect(dropBeforeFirstHour(plan, undefined)).toBe(plan);
    expect(dropBeforeFirstHour(plan, week.from - h)).toEqual(plan);
  });

  it('reads nothing of a range that ends before the first hour, and only then', () => {
    const lastWeek = { ...week, from: week.from - 7 * d, to: week.to - 7 * d };
    const plan = planMetricsScan(lastWeek, new Set(), new Map());
    expect(isEmptyPlan(dropBeforeFirstHour(plan, lastWeek.to))).toBe(true);
    expect(isEmptyPlan(dropBeforeFirstHour(plan, lastWeek.to - m))).toBe(false);
    expect(dropBeforeFirstHour(plan, t0 - 7 * d + 4 * h)).toEqual({
      days: [],
      openDays: [],
      hours: [{ from: t0 - 7 * d + 4 * h, to: t0 - 7 * d + 5 * h }],
      minutes: [{ from: t0 - 7 * d + 5 * h, to: lastWeek.to }],
    });
  });

  it('keeps the quarter-hour mark only while an open day is still read', () => {
    const day = { from: t0 - 15 * m, to: t0 + 5 * h + 52 * m, groupBy: 'step' as const, stepMs: 15 * m };
    const plan = planMetricsScan(day, new Set(), open, { quarterDays: new Set() });
    expect(dropBeforeFirstHour(plan, t0).openDayQuarters).toBe(true);
    expect(dropBeforeFirstHour(plan, t0 + 6 * h)).toEqual({ days: [], openDays: [], hours: [], minutes: [] });
  });
});

import { dayMs, hourMs } from '../../domain/hour-metrics.js';
import type { MetricsQuery } from '../app/query-engine.js';

export interface TimeRange {
  /** Inclusive start, ms since epoch. */
  from: number;
  /** Exclusive end, ms since epoch. */
  to: number;
}

/** Which table covers which part of a query's range; together the parts cover [from, to) exactly once. */
export interface MetricsScanPlan {
  /** Whole UTC days that have a tile, read from the tile the caller passed the dates of. */
  days: TimeRange[];
  /**
   * The first hours of a day still open, from its open-day tile (docs/adr/0091): each range starts at midnight
   * and spans exactly the hours the tile covers, so the engine reads that tile whole.
   */
  openDays: TimeRange[];
  /** Set when the open days are read from quarter-hour rows (a series whose steps fit quarters, not hours). */
  openDayQuarters?: true;
  /**
   * Quarter-aligned parts of closed days, from their day tiles of quarter-hour rows (docs/adr/0141), read with a
   * time filter (a part may be any run of a day's quarters); only for a series whose steps fit quarters, not hours.
   * Absent when none.
   */
  dayQuarters?: TimeRange[];
  /**
   * The closed minutes of an hour still open, from its open-hour tile (docs/adr/0123): each range starts on the
   * hour and spans exactly the minutes the tile covers. Absent when none.
   */
  openHours?: TimeRange[];
  /** Whole hours, read from the hour table. */
  hours: TimeRange[];
  /** The ragged ends (or the whole range), read from the minute table. */
  minutes: TimeRange[];
}

type PlanQuery = Pick<MetricsQuery, 'from' | 'to' | 'groupBy' | 'stepMs'>;

const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Appends a range, merging it into the previous one when they touch (fewer SQL branches). */
function append(ranges: TimeRange[], from: number, to: number): void {
  if (to <= from) return;
  const last = ranges.at(-1);
  if (last && last.to === from) last.to = to;
  else ranges.push({ from, to });
}

/**
 * Whole days in [from, to) that have a tile, the covered hours of open days whose open-day tile lies wholly in
 * range (never merged with a neighbour: one range is one tile), and what is left around them.
 */
function splitDays(query: PlanQuery, dayTiles: ReadonlySet<string>, openDays: ReadonlyMap<string, number>) {
  const days: TimeRange[] = [];
  const open: TimeRange[] = [];
  const rest: TimeRange[] = [];
  let cursor = query.from;
  for (let d = Math.ceil(query.from / dayMs) * dayMs; d < query.to; d += dayMs) {
    const date = dateOf(d);
    const openHours = openDays.get(date);
    if (d + dayMs <= query.to && dayTiles.has(date)) {
      append(rest, cursor, d);
      append(days, d, d + dayMs);
      cursor = d + dayMs;
    } else if (openHours !== undefined && openHours > 0 && d + openHours * hourMs <= query.to) {
      append(rest, cursor, d);
      open.push({ from: d, to: d + openHours * hourMs });
      cursor = d + openHours * hourMs;
    }
  }
  append(rest, cursor, query.to);
  return { days, open, rest };
}

const quarterMs = 15 * 60_000;

/**
 * A series whose steps are whole quarter-hours but not whole hours (a 24-hour chart at 15 minutes): the quarters of
 * closed days that have quarter-hour tiles from those tiles, the open day's closed hours from its quarter-hour
 * tile, every other minute from the minute table (hour rows and day tiles would straddle steps). A closed day's
 * tile covers the whole day, so any run of its quarters may be read from it; the open-day tile is read whole.
 */
function planQuarters(
  query: PlanQuery,
  quarterDays: ReadonlySet<string>,
  openDays: ReadonlyMap<string, number>,
): MetricsScanPlan {
  const stillOpen = new Map([...openDays].filter(([date]) => !quarterDays.has(date)));
  const { open, rest } = splitDays(query, new Set(), stillOpen);
  const plan: MetricsScanPlan = { days: [], openDays: open, hours: [], minutes: [] };
  const dayQuarters: TimeRange[] = [];
  for (const { from, to } of rest) {
    for (let d = Math.floor(from / dayMs) * dayMs; d < to; d += dayMs) {
      const [start, end] = [Math.max(from, d), Math.min(to, d + dayMs)];
      const [q0, q1] = [Math.ceil(start / quarterMs) * quarterMs, Math.floor(end / quarterMs) * quarterMs];
      if (!quarterDays.has(dateOf(d)) || q1 <= q0) {
        append(plan.minutes, start, end);
        continue;
      }
      append(plan.minutes, start, q0);
      append(dayQuarters, q0, q1);
      append(plan.minutes, q1, end);
    }
  }
  return {
    ...plan,
    ...(open.length > 0 && { openDayQuarters: true }),
    ...(dayQuarters.length > 0 && { dayQuarters }),
  };
}

/**
 * Reads whole days from tiles where they exist, the closed hours of an open day from its open-day tile, whole hours from the hour table, and only the ragged ends from
 * the minute table: a 7-day endpoint table then merges ~10 rows per endpoint instead of ~10,000, and a 7-day
 * chart opens 7 tiles instead of 168 hour files. A step series may use hour rows only when every hour falls
 * inside one step, i.e. the step is a whole number of hours and the steps start on an hour (the dashboard aligns
 * `from` to the step); the same holds for its tiles, so a series must be given the dates of tiles of hour rows
 * (day-hours tiles), never of day rows.
 */
export function planMetricsScan(
  query: PlanQuery,
  dayTiles: ReadonlySet<string> = new Set(),
  openDays: ReadonlyMap<string, number> = new Map(),
  options: {
    /**
     * Set when the level has quarter-hour tiles (docs/adr/0091, 0141): the dates of closed days that have them;
     * every open day in `openDays` has its quarter-hour tile.
     */
    quarterDays?: ReadonlySet<string>;
    openHours?: ReadonlyMap<number, number>;
  } = {},
): MetricsScanPlan {
  const isSeries = query.groupBy === 'step';
  const fits = (span: number) => !isSeries || ((query.stepMs ?? 0) % span === 0 && query.from % span === 0);
  const stepsFitHours = fits(hourMs);
  if (!stepsFitHours && options.quarterDays && fits(quarterMs))
    return planQuarters(query, options.quarterDays, openDays);
  const { days, open, rest } = stepsFitHours
    ? splitDays(query, dayTiles, openDays)
    : { days: [], open: [], rest: [{ from: query.from, to: query.to }] };
  const plan: MetricsScanPlan = { days, openDays: open, hours: [], minutes: [] };
  const openHours = openHoursFor(stepsFitHours, options.openHours);
  for (const { from, to } of rest) {
    const whole = { from: Math.ceil(from / hourMs) * hourMs, to: Math.floor(to / hourMs) * hourMs };
    if (!stepsFitHours || whole.to <= whole.from) {
      appendMinutes(plan, from, to, openHours);
      continue;
    }
    append(plan.minutes, from, whole.from);
    append(plan.hours, whole.from, whole.to);
    appendMinutes(plan, whole.to, to, openHours);
  }
  return plan;
}

/** A series whose steps split hours reads no open-hour tile: its one row per group would straddle steps. */
const openHoursFor = (stepsFitHours: boolean, openHours: ReadonlyMap<number, number> | undefined) =>
  stepsFitHours && openHours ? openHours : new Map<number, number>();

/**
 * Minute rows for [from, to), except the closed minutes of an open hour starting at `from` whose open-hour tile
 * lies wholly in range: those come from the tile (one row per group, at the hour's start, which lies in the same
 * step as its minutes because the caller passes tiles only when steps fit whole hours).
 */
function appendMinutes(
  plan: MetricsScanPlan,
  from: number,
  to: number,
  openHours: ReadonlyMap<number, number>,
): void {
  const minutes = from % hourMs === 0 ? openHours.get(from) : undefined;
  const tileEnd = minutes === undefined ? from : from + minutes * 60_000;
  if (tileEnd > from && tileEnd <= to) {
    (plan.openHours ??= []).push({ from, to: tileEnd });
    append(plan.minutes, tileEnd, to);
    return;
  }
  append(plan.minutes, from, to);
}

/**
 * The plan without what lies before `firstHour`, the start of the tenant's earliest committed hour (docs/adr/0099):
 * no table holds a row before it (the rollup commits an hour's manifest before its files, and retention deletes
 * the files before the manifest). Hour, minute and closed-day quarter ranges are cut there (on an hour, so a
 * quarter range stays on quarters); a day or open-day tile is dropped only
 * when it ends before it (a tile holds only rows of committed hours). A compare overlay over a week with no data
 * then reads nothing, instead of Trino listing each of its 168 empty hour partitions.
 */
export function dropBeforeFirstHour(plan: MetricsScanPlan, firstHour: number | undefined): MetricsScanPlan {
  if (firstHour === undefined) return plan;
  const cut = (ranges: TimeRange[]) =>
    ranges.flatMap((r) => (r.to <= firstHour ? [] : [{ from: Math.max(r.from, firstHour), to: r.to }]));
  const whole = (ranges: TimeRange[]) => ranges.filter((r) => r.to > firstHour);
  const openDays = whole(plan.openDays);
  const openHours = whole(plan.openHours ?? []);
  const dayQuarters = cut(plan.dayQuarters ?? []);
  return {
    days: whole(plan.days),
    openDays,
    ...(plan.openDayQuarters && openDays.length > 0 && { openDayQuarters: true as const }),
    ...(dayQuarters.length > 0 && { dayQuarters }),
    ...(openHours.length > 0 && { openHours }),
    hours: cut(plan.hours),
    minutes: cut(plan.minutes),
  };
}

/** Whether a plan reads no range at all (its query's answer is no rows). */
export function isEmptyPlan(plan: MetricsScanPlan): boolean {
  const parts = [
    plan.days,
    plan.openDays,
    plan.openHours ?? [],
    plan.dayQuarters ?? [],
    plan.hours,
    plan.minutes,
  ];
  return parts.every((ranges) => ranges.length === 0);
}

/**
 * The partition terms of a statement's branches: which (date, hour) partitions, or which open-day and open-hour
 * tile, a range reads. Every engine gets the same text (DuckDB filters its hive partition columns alike).
 */
import { formatTileHours, formatTileMinutes } from '../../domain/metrics-layout.js';
import type { TimeRange } from '../domain/plan-metrics-scan.js';
import type { SqlParams } from './sql-statement.js';

const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const hourOf = (ms: number) => new Date(ms).toISOString().slice(11, 13);

const day = 86_400_000;
/** A request spans at most 90 days (query-params.ts), a compare overlay's offset at most 7 more. */
const maxListedDates = 400;

/**
 * The dates of every instant from `firstMs` to `lastMs` (inclusive, UTC) as one `IN` term. Trino's date
 * projection is `injected` (trino-query-engine.ts, docs/adr/0145): it takes a statement's dates from a list of
 * values and refuses a range, and planning no longer walks every day since 2000 for each scan. Ranges are at most
 * 90 days (query-params.ts) plus a compare offset, so the list stays short.
 */
export function dateListTerm(firstMs: number, lastMs: number, p: SqlParams): string {
  const [start, end] = [Math.floor(firstMs / day) * day, Math.floor(lastMs / day) * day];
  if (!(end >= start) || (end - start) / day >= maxListedDates)
    throw new RangeError(
      `a statement names 1 to ${maxListedDates} dates, got ${dateOf(firstMs)}..${dateOf(lastMs)}`,
    );
  const dates: string[] = [];
  for (let ms = start; ms <= end; ms += day) dates.push(p.bind(dateOf(ms)));
  return dates.length === 1 ? `m."date" = ${dates[0]}` : `m."date" IN (${dates.join(', ')})`;
}

/**
 * Partition pruning on (date, hour) for [from, to): whole days in between, and only the hours in range on the
 * first and last day, so a short range opens a handful of files instead of two days' worth. The dates are always
 * named one by one (dateListTerm).
 */
export function partitionTerms(
  range: TimeRange,
  byHour: boolean | 'hours' | 'minutes',
  p: SqlParams,
): string[] {
  // An open-day tile's range is its coverage: one date, one `hours` partition (plan-metrics-scan.ts).
  if (byHour === 'hours')
    return [
      `m."date" = ${p.bind(dateOf(range.from))}`,
      `m.hours = ${p.bind(formatTileHours((range.to - range.from) / 3_600_000))}`,
    ];
  // So is an open-hour tile's: one hour, one `minutes` partition (docs/adr/0123).
  if (byHour === 'minutes')
    return [
      `m."date" = ${p.bind(dateOf(range.from))}`,
      `m.hour = ${p.bind(hourOf(range.from))}`,
      `m.minutes = ${p.bind(formatTileMinutes((range.to - range.from) / 60_000))}`,
    ];
  const [first, last] = [dateOf(range.from), dateOf(range.to - 1)];
  if (first === last && byHour) {
    // Within one date, both terms are partition domains Trino prunes with; the two OR terms below are not, so
    // Trino evaluated them against every candidate partition while planning (docs/adr/0108).
    return [
      `m."date" = ${p.bind(first)}`,
      `m.hour BETWEEN ${p.bind(hourOf(range.from))} AND ${p.bind(hourOf(range.to - 1))}`,
    ];
  }
  const dates = dateListTerm(range.from, range.to - 1, p);
  if (!byHour) return [dates];
  const [d0, d1] = [p.bind(first), p.bind(last)];
  const [h0, h1] = [p.bind(hourOf(range.from)), p.bind(hourOf(range.to - 1))];
  return [dates, `(m."date" > ${d0} OR m.hour >= ${h0})`, `(m."date" < ${d1} OR m.hour <= ${h1})`];
}

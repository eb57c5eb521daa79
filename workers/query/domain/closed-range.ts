import { createHash } from 'node:crypto';
import { hourMs } from '../../domain/hour-metrics.js';
import type { MetricsQuery } from '../app/query-engine.js';
import type { OpenDayCoverage } from './open-day-coverage.js';
import type { TimeRange } from './plan-metrics-scan.js';

/**
 * Where a query's range splits into what the result cache may keep and what always goes to the engine. The
 * current hour is open (the rollup commits into it every pass); everything before it is closed, though late
 * data can still recompute it, which is why a closed range is cached under the etags of what covers it
 * (buildClosedRangeKey), never under its times alone. A step series splits on a step boundary, so the two parts
 * hold disjoint steps.
 */
export function splitClosedRange(
  query: Pick<MetricsQuery, 'from' | 'to' | 'groupBy' | 'stepMs'>,
  now: number,
): { closed?: TimeRange; open?: TimeRange } {
  const openHour = Math.floor(now / hourMs) * hourMs;
  let split = openHour;
  if (query.groupBy === 'step') {
    const step = query.stepMs ?? 60_000;
    split = query.from + Math.max(0, Math.floor((openHour - query.from) / step)) * step;
  }
  split = Math.min(Math.max(split, query.from), query.to);
  return {
    ...(split > query.from ? { closed: { from: query.from, to: split } } : {}),
    ...(split < query.to ? { open: { from: split, to: query.to } } : {}),
  };
}

/** What the rollup has committed, by etag (adapters/metrics-catalogue.ts). */
export interface CommittedEtags {
  /** "YYYY-MM-DD/HH" -> manifest etag. */
  manifests: ReadonlyMap<string, string>;
  /** "YYYY-MM-DD" -> day tile etag. */
  dayTiles: ReadonlyMap<string, string>;
  /** "YYYY-MM-DD" -> the etags of the day's two day-hours tiles, for days that have both. */
  hourTiles: ReadonlyMap<string, string>;
  /** "YYYY-MM-DD" -> the etags of the day's two quarter-hour tiles, for days that have both (docs/adr/0141). */
  quarterTiles: ReadonlyMap<string, string>;
  /** "YYYY-MM-DD" -> the hours and etags of a day still open's three open-day tiles (docs/adr/0091). */
  openDays: ReadonlyMap<string, OpenDayCoverage>;
}

/** Everything about a query that changes its answer over a given range. */
function queryShape(query: MetricsQuery): unknown[] {
  return [
    query.tenant,
    query.source ?? 'requests',
    query.groupBy,
    query.stepMs ?? null,
    query.service ?? null,
    query.method ?? null,
    query.path ?? null,
    query.endpoints ?? null,
    query.services ?? null,
  ];
}

/**
 * The cache key of one aggregate over a closed range: the query's shape and the etag of every manifest and day
 * tile covering the range ('-' where none exists yet). A commit anywhere in the range (late data included), a
 * partition appearing or a day tile refreshed changes the key, so a stale answer is never found again.
 */
export function buildClosedRangeKey(
  kind: string,
  query: MetricsQuery,
  range: TimeRange,
  committed: CommittedEtags,
): string {
  const covering: string[] = [];
  for (let hour = Math.floor(range.from / hourMs) * hourMs; hour < range.to; hour += hourMs) {
    const iso = new Date(hour).toISOString();
    const partition = `${iso.slice(0, 10)}/${iso.slice(11, 13)}`;
    covering.push(committed.manifests.get(partition) ?? '-');
    if (iso.slice(11, 13) === '00' || covering.length === 1) {
      const date = iso.slice(0, 10);
      const open = committed.openDays.get(date);
      covering.push(
        `day:${committed.dayTiles.get(date) ?? '-'}`,
        `hours:${committed.hourTiles.get(date) ?? '-'}`,
        `quarters:${committed.quarterTiles.get(date) ?? '-'}`,
        `open:${open ? `${open.hours}:${open.etag}` : '-'}`,
      );
    }
  }
  const shape = [kind, ...queryShape(query), range.from, range.to];
  return createHash('sha256')
    .update(JSON.stringify([shape, covering]))
    .digest('hex');
}

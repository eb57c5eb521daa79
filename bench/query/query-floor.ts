import {
  buildTableFilesGlob,
  formatTileHours,
  formatTileMinutes,
  openDayTileOf,
  type DayTileTable,
  type MetricsTableName,
} from '../../workers/domain/metrics-layout.js';
import type { MetricsScanPlan, TimeRange } from '../../workers/query/domain/plan-metrics-scan.js';

/** One hand-written floor statement: the same grouping, filter and files as the Gravix query it stands beside. */
export interface FloorQuery {
  plan: MetricsScanPlan;
  group: string;
  where: string;
  /** false for calls that need counts only (the services list). */
  percentiles: boolean;
  /** 'service' reads the per-service tables (no endpoint columns), as Gravix does for charts without an endpoint. */
  level: 'request' | 'service';
  /** What the plan's days read: day rows (endpoint tables) or the day's hour rows (day-hours tiles). */
  tile: 'day' | 'day_hours';
}

const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

type Resolution = 'minute' | 'hour' | 'day' | 'openDay' | 'openHour' | 'dayQuarter';

/** The table and time column a plan part reads, as Gravix chooses them (metrics-sql.ts chooseTables). */
function sourceOf(f: FloorQuery, resolution: Resolution): { table: MetricsTableName; time: string } {
  // Service-level plans read days from day-hours tiles (there is no service_metrics_day), as Gravix does; an
  // open day's first hours come from the open-day tile of the same rows, or its quarter-hour rows (docs/adr/0091).
  // The open hour's closed minutes come from its open-hour tile of the level's minute rows (docs/adr/0123).
  // Quarter-hour rows of closed days and of the open day serve charts at quarter-hour steps (docs/adr/0141).
  if (resolution === 'openHour') return { table: `${f.level}_metrics_open_hour`, time: 'hour_ms' };
  if (resolution === 'dayQuarter') return { table: `${f.level}_metrics_day_quarters`, time: 'quarter_ms' };
  if (resolution === 'openDay' && f.plan.openDayQuarters)
    return { table: `${f.level}_metrics_open_day_quarters`, time: 'quarter_ms' };
  if (resolution !== 'day' && resolution !== 'openDay')
    return { table: `${f.level}_metrics_${resolution}` as MetricsTableName, time: `${resolution}_ms` };
  const dayTable = `${f.level}_metrics_${f.tile === 'day_hours' ? 'day_hours' : 'day'}` as DayTileTable;
  const time = f.tile === 'day_hours' ? 'hour_ms' : 'day_ms';
  return { table: resolution === 'openDay' ? openDayTileOf[dayTable] : dayTable, time };
}

function read(root: string, tenant: string, f: FloorQuery, resolution: Resolution, range: TimeRange) {
  const { table, time } = sourceOf(f, resolution);
  const where = f.where;
  const glob = `${root}/${buildTableFilesGlob(table, tenant)}`;
  const keys = f.level === 'service' ? 'service' : 'service, method, path';
  const coverage = {
    openDay: () => ` AND hours = '${formatTileHours((range.to - range.from) / 3_600_000)}'`,
    openHour: () =>
      ` AND hour = '${new Date(range.from).toISOString().slice(11, 13)}'` +
      ` AND minutes = '${formatTileMinutes((range.to - range.from) / 60_000)}'`,
  };
  const hours = resolution === 'openDay' || resolution === 'openHour' ? coverage[resolution]() : '';
  return `SELECT ${time} AS minute_ms, ${keys}, requests, errors_5xx, latency_bucket_index, latency_bucket_count
    FROM read_parquet('${glob}', hive_partitioning = true, hive_types_autocast = false)
    WHERE "date" BETWEEN '${date(range.from)}' AND '${date(range.to - 1)}'${hours}
      AND ${time} >= ${range.from} AND ${time} < ${range.to} AND ${where}`;
}

/**
 * Counts per group plus p50/p95/p99 bucket per group from cumulative bucket sums, in one statement over the same
 * files the plan reads: day tiles for whole days, hour rows for whole hours, minute rows for the ends.
 */
export function floorSql(root: string, tenant: string, f: FloorQuery): string {
  const parts = (['minute', 'hour', 'day', 'openDay', 'openHour', 'dayQuarter'] as const).flatMap(
    (resolution) => (f.plan[`${resolution}s`] ?? []).map((r) => read(root, tenant, f, resolution, r)),
  );
  const rows = `m AS (SELECT ${f.group} AS g, * FROM (${parts.join(' UNION ALL ')}))`;
  const counts = 'c AS (SELECT g, sum(requests) AS req, sum(errors_5xx) AS e5 FROM m GROUP BY g)';
  if (!f.percentiles) return `WITH ${rows}, ${counts} SELECT * FROM c`;
  return `WITH ${rows}, ${counts},
    b AS (SELECT g, idx, sum(cnt) AS cnt FROM (SELECT g, unnest(latency_bucket_index) AS idx, unnest(latency_bucket_count) AS cnt FROM m) GROUP BY g, idx),
    cum AS (SELECT g, idx, sum(cnt) OVER (PARTITION BY g ORDER BY idx) AS run, sum(cnt) OVER (PARTITION BY g) AS total FROM b),
    q AS (SELECT g, min(idx) FILTER (WHERE run > 0.5 * (total - 1)) AS p50, min(idx) FILTER (WHERE run > 0.95 * (total - 1)) AS p95,
      min(idx) FILTER (WHERE run > 0.99 * (total - 1)) AS p99 FROM cum GROUP BY g)
    SELECT * FROM c JOIN q USING (g)`;
}

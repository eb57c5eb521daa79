/**
 * The dashboard calls the query benches time, over the bench dataset (query-dataset.ts): the ones the dashboard
 * makes for its 7-day and 24-hour views (its own range and step logic, dashboards/web/src/domain/time-range.ts),
 * each with the hand-written floor statements that do the same aggregation (query-floor.ts). Shared by
 * query-bench.ts and trino-breakdown.ts, so both measure the same calls.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRange } from '../../dashboards/web/src/domain/time-range.js';
import { planMetricsScan } from '../../workers/query/domain/plan-metrics-scan.js';
import { openHourTilesRead } from '../../workers/query/domain/open-hour-coverage.js';
import type { MetricsQuery } from '../../workers/query/app/query-engine.js';
import type { QueryService } from '../../workers/query/app/query-service.js';
import type { FloorQuery } from './query-floor.js';
import { benchOpenDayHours, benchOpenHourMinutes } from './query-dataset.js';

export const benchEnd = Date.parse('2026-11-20T00:00:00Z');
const day = 86_400_000;
export const benchTenant = 'bench';
export const benchDataset = { days: 7, services: 20, paths: 50 } as const;
// v16: the quarter-hour tiles of endpoints (docs/adr/0144) back beside the services', for closed and open days; v15: the services' quarter-hour tiles of closed days only (docs/adr/0141), and no day tiles for the last day (open at the bench's "now": a deployment has none yet); v14 had endpoint quarter-hour tiles too; v13: the open-hour tiles of the last hour's first 47 minutes (docs/adr/0123); v12: the (empty) service-map edge day-hours and open-day tiles beside the others (docs/adr/0104); v11: the hour manifests (the tenant's first committed hour, docs/adr/0099); v10: the open day's quarter-hour tile too (docs/adr/0091); v9: minute files sorted by endpoint in row groups
// (metrics-files.ts encodeMinuteFile, docs/adr/0093); v8: open-day tiles of the last day's first 23 hours
// (docs/adr/0091); v7: day-hours tiles in the rollup's row groups (metrics-files.ts; v6 wrote them as one group, docs/adr/0081);
// v6 added the day-hours tiles (docs/adr/0075); v5 was taken by an older layout's leftovers.
export const datasetRoot = (density: number) => join(tmpdir(), `gravix-bench-query-v16-d${density}`);
/** A moment a few minutes before the data ends, so ranges have ragged ends as they do live. */
export const benchNow = benchEnd - 7 * 60_000 - 20_000;
const week = resolveRange({ kind: 'preset', preset: '7d' }, benchNow);
const today = resolveRange({ kind: 'preset', preset: '24h' }, benchNow);
const endpoint = { service: 'svc-03', method: 'GET', path: '/api/resource-4/:id' };
/** The dataset's days before the last: closed, with their day tiles (the last day is open, below). */
const closedDays = new Set(
  Array.from({ length: 6 }, (_, i) => new Date(benchEnd - (i + 2) * day).toISOString().slice(0, 10)),
);
/** The last day is open at the bench's "now": its first hours have open-day tiles (query-dataset.ts). */
const openDays = new Map([[new Date(benchEnd - day).toISOString().slice(0, 10), benchOpenDayHours]]);
/** The last hour is open at the bench's "now": its first minutes have open-hour tiles (query-dataset.ts). */
const openHours = new Map([[benchEnd - 3_600_000, benchOpenHourMinutes]]);

export interface DashboardCall {
  name: string;
  gravix: (s: QueryService) => Promise<unknown>;
  /** The same aggregation as one hand-written statement per query the call makes. */
  floors: FloorQuery[];
}

type Range = typeof week;
const tenant = benchTenant;
const stepGroup = (r: Range) => `(minute_ms - ${r.from}) // ${r.stepMs}`;
const endpointGroup = "service || ' ' || method || ' ' || path";
const endpointWhere = `service = '${endpoint.service}' AND method = '${endpoint.method}' AND path = '${endpoint.path}'`;

function floor(
  query: Omit<MetricsQuery, 'tenant'>,
  group: string,
  where: string,
  percentiles = true,
): FloorQuery {
  // The same table choice as Gravix: per-service rows unless the query needs endpoints.
  const level = query.groupBy === 'endpoint' || where.includes('path') ? 'request' : 'service';
  // Every closed day of the dataset has its tiles: day rows for endpoint tables, the day's hours otherwise, and
  // quarter-hour rows of both levels (a 24-hour chart at 15-minute steps), as the open day has.
  const plan = planMetricsScan(query, closedDays, openDays, {
    quarterDays: closedDays,
    openHours: openHourTilesRead({ level, filtered: where !== 'true' }, openHours),
  });
  const tile = level === 'request' && query.groupBy === 'endpoint' ? 'day' : 'day_hours';
  return { plan, group, where, percentiles, level, tile };
}

function series(name: string, r: Range, where: string, compare?: '1d' | '7d', filter = {}): DashboardCall {
  const offset = compare === '7d' ? 7 * day : day;
  const q = { from: r.from, to: r.to, stepMs: r.stepMs, groupBy: 'step' as const };
  const floors = [floor(q, stepGroup(r), where)];
  if (compare) floors.push(floor({ ...q, from: r.from - offset, to: r.to - offset }, stepGroup(r), where));
  return {
    name,
    gravix: (s) => s.timeseries({ tenant, from: r.from, to: r.to, stepMs: r.stepMs, compare, ...filter }),
    floors,
  };
}

function endpoints(
  name: string,
  r: Range,
  service?: string,
  sort: 'errors' | 'p95' = 'errors',
): DashboardCall {
  const where = service ? `service = '${service}'` : 'true';
  return {
    name,
    gravix: (s) => s.endpoints(tenant, r.from, r.to, sort, 20, service),
    floors: [floor({ from: r.from, to: r.to, groupBy: 'endpoint' }, endpointGroup, where)],
  };
}

export const dashboardCalls: DashboardCall[] = [
  {
    name: 'services 7d',
    gravix: (s) => s.services(tenant, week.from, week.to, 100),
    floors: [floor({ from: week.from, to: week.to, groupBy: 'service' }, 'service', 'true', false)],
  },
  series('timeseries all 7d', week, 'true'),
  endpoints('endpoints 7d', week),
  endpoints('endpoints 7d sort=p95 (slowest)', week, undefined, 'p95'),
  series('timeseries service 7d', week, "service = 'svc-03'", undefined, { service: 'svc-03' }),
  endpoints('endpoints service 7d', week, 'svc-03'),
  series('timeseries endpoint 7d compare=7d', week, endpointWhere, '7d', endpoint),
  series('timeseries all 24h', today, 'true'),
  endpoints('endpoints 24h', today),
  series('timeseries endpoint 24h compare=1d', today, endpointWhere, '1d', endpoint),
];

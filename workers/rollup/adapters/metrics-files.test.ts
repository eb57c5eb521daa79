import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { compareEndpointKeys, type MinuteMetricsRow } from '../../domain/minute-metrics.js';
import {
  rollUpHoursToDays,
  type HourMetricsRow,
  type QuarterMetricsRow,
  type ServiceMetricsRow,
} from '../../domain/hour-metrics.js';
import {
  dayTileRowGroupRows,
  encodeDayTiles,
  encodeMinuteFile,
  minuteFileRowGroupRows,
} from './metrics-files.js';
import type { EdgeMetricsRow } from '../../domain/edge-metrics.js';
import {
  decodeDayMetrics,
  decodeEdgeMetrics,
  decodeHourMetrics,
  decodeRequestMetrics,
  decodeRequestQuarterMetrics,
  decodeServiceHourMetrics,
  decodeServiceQuarterMetrics,
} from './metrics-parquet.js';

const day = Date.parse('2026-11-20T00:00:00Z');

/** A row's cells: one request of 5 ms, unless overridden. */
function cells(overrides: Partial<MinuteMetricsRow> = {}) {
  return {
    requests: 1,
    errors5xx: 0,
    errors4xx: 0,
    status1xx: 0,
    status2xx: 1,
    status3xx: 0,
    estimatedRequests: 0,
    latencySumMs: 5,
    latencyMinMs: 5,
    latencyMaxMs: 5,
    latencyP50Ms: 5,
    latencyP95Ms: 5,
    latencyP99Ms: 5,
    latency: { zeroCount: 0, indexes: [81], counts: [1] },
    ...overrides,
  };
}

const endpoints = (services: number) =>
  Array.from({ length: services }, (_, s) =>
    ['GET', 'POST'].map((method) => ({
      service: `svc-${String(s).padStart(3, '0')}`,
      method,
      path: '/a/:id',
    })),
  ).flat();

const hourRows = (services: number, hours: number): HourMetricsRow[] =>
  Array.from({ length: hours }, (_, h) =>
    endpoints(services).map((e) => ({ ...e, ...cells(), hourMs: day + h * 3_600_000 })),
  ).flat();

const keyAndTime = (r: { service: string; method: string; path: string }, t: number) =>
  `${r.service} ${r.method} ${r.path} ${t}`;

let connection: DuckDBConnection;
let instance: DuckDBInstance;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

/** Each row group's smallest and largest service, from the file's own statistics, as DuckDB reads them. */
async function serviceRanges(bytes: Uint8Array) {
  const file = join(mkdtempSync(join(tmpdir(), 'gravix-metrics-files-')), 'part.parquet');
  writeFileSync(file, bytes);
  const reader = await connection.runAndReadAll(
    `SELECT row_group_id AS g, stats_min_value AS lo, stats_max_value AS hi
     FROM parquet_metadata('${file}') WHERE path_in_schema = 'service' ORDER BY g`,
  );
  return reader.getRowObjects().map((r) => ({ lo: String(r['lo']), hi: String(r['hi']) }));
}

describe('encodeDayTiles', () => {
  it('builds the day rows, the three hour tiles and the two quarter-hour tiles of a day, by key then time', async () => {
    const hours = hourRows(100, 24);
    const services: ServiceMetricsRow[] = hours
      .filter((h) => h.method === 'GET')
      .map(({ method: _m, path: _p, hourMs, ...row }) => ({ ...row, startMs: hourMs }));
    // Edges whose callers sort apart from their callees, so a sort on the callee alone would fail.
    const edges: EdgeMetricsRow[] = hours.map(({ service, method, path: _p, hourMs, ...row }) => ({
      ...row,
      startMs: hourMs,
      caller: method === 'GET' ? `z-${service}` : service,
      callee: method === 'GET' ? 'a-db' : `callee-${service}`,
    }));
    // Quarter rows: each hour row stands for the hour's second quarter (any rows of quarter_ms do here).
    const requestQuarters: QuarterMetricsRow[] = hours.map(({ hourMs, ...row }) => ({
      ...row,
      quarterMs: hourMs + 15 * 60_000,
    }));
    const serviceQuarters = services.map((r) => ({ ...r, startMs: r.startMs + 15 * 60_000 }));
    const { tiles, dayRows } = await encodeDayTiles({
      request: [...hours].reverse(),
      service: services,
      edges: [...edges].reverse(),
      requestQuarters: [...requestQuarters].reverse(),
      serviceQuarters: [...serviceQuarters].reverse(),
    });
    const byKeyThenQuarter = [...requestQuarters].sort(
      (a, b) => compareEndpointKeys(a, b) || a.quarterMs - b.quarterMs,
    );
    expect(decodeRequestQuarterMetrics(tiles.request_metrics_day_quarters)).toEqual(byKeyThenQuarter);
    const quarterGroups = await serviceRanges(tiles.request_metrics_day_quarters);
    expect(quarterGroups).toHaveLength(Math.ceil(hours.length / dayTileRowGroupRows));
    for (let i = 1; i < quarterGroups.length; i++)
      expect(quarterGroups[i]!.lo >= quarterGroups[i - 1]!.hi).toBe(true);
    expect(
      decodeServiceQuarterMetrics(tiles.service_metrics_day_quarters).map((r) => `${r.service} ${r.startMs}`),
    ).toEqual(
      [...serviceQuarters]
        .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.startMs - b.startMs))
        .map((r) => `${r.service} ${r.startMs}`),
    );
    expect(decodeDayMetrics(tiles.request_metrics_day)).toEqual(rollUpHoursToDays(hours));
    expect(dayRows).toBe(200);
    const byKeyThenHour = [...hours].sort((a, b) => compareEndpointKeys(a, b) || a.hourMs - b.hourMs);
    expect(decodeHourMetrics(tiles.request_metrics_day_hours).map((r) => keyAndTime(r, r.hourMs))).toEqual(
      byKeyThenHour.map((r) => keyAndTime(r, r.hourMs)),
    );
    const groups = await serviceRanges(tiles.request_metrics_day_hours);
    expect(groups).toHaveLength(Math.ceil(hours.length / dayTileRowGroupRows));
    // Sorted by key: a group's services start where the previous group's ended, so a filter skips the others.
    for (let i = 1; i < groups.length; i++) expect(groups[i]!.lo >= groups[i - 1]!.hi).toBe(true);
    const serviceTile = decodeServiceHourMetrics(tiles.service_metrics_day_hours);
    expect(serviceTile.map((r) => `${r.service} ${r.startMs}`)).toEqual(
      [...services]
        .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.startMs - b.startMs))
        .map((r) => `${r.service} ${r.startMs}`),
    );
    const edgeKey = (r: EdgeMetricsRow) =>
      `${r.caller}\u0000${r.callee}\u0000${String(r.startMs).padStart(15)}`;
    expect(decodeEdgeMetrics(tiles.service_edges_day_hours, 'hour').map(edgeKey)).toEqual(
      edges.map(edgeKey).sort(),
    );
    expect(decodeEdgeMetrics(tiles.service_edges_day_hours, 'hour')).toEqual(
      [...edges].sort((a, b) => (edgeKey(a) < edgeKey(b) ? -1 : 1)),
    );
  });

  it('writes the same bytes whatever order the hour rows come in', async () => {
    const hours = hourRows(3, 24);
    const quarters = hours.map(({ hourMs, ...row }) => ({ ...row, quarterMs: hourMs }));
    const a = await encodeDayTiles({
      request: hours,
      service: [],
      edges: [],
      requestQuarters: quarters,
      serviceQuarters: [],
    });
    const b = await encodeDayTiles({
      request: [...hours].reverse(),
      service: [],
      edges: [],
      requestQuarters: [...quarters].reverse(),
      serviceQuarters: [],
    });
    expect(b.tiles.request_metrics_day_quarters).toEqual(a.tiles.request_metrics_day_quarters);
    expect(b.tiles.request_metrics_day_hours).toEqual(a.tiles.request_metrics_day_hours);
    expect(b.tiles.request_metrics_day).toEqual(a.tiles.request_metrics_day);
  });
});

/** An hour of minute rows in the rollup's own order (minute, then endpoint). */
const minuteRows = (services: number): MinuteMetricsRow[] =>
  Array.from({ length: 60 }, (_, m) =>
    endpoints(services).map((e) => ({ ...e, ...cells({ requests: m + 1 }), minuteMs: day + m * 60_000 })),
  ).flat();

describe('encodeMinuteFile', () => {
  it('keeps every minute row, sorted by endpoint then minute, in row groups a one-endpoint filter can skip', async () => {
    const rows = minuteRows(40);
    const bytes = encodeMinuteFile(rows);
    // Decoded in the rollup's own order (minute, then endpoint), whatever the file keeps.
    expect(decodeRequestMetrics(bytes)).toEqual(rows);
    const groups = await serviceRanges(bytes);
    expect(groups).toHaveLength(Math.ceil(rows.length / minuteFileRowGroupRows));
    for (let i = 1; i < groups.length; i++) expect(groups[i]!.lo >= groups[i - 1]!.hi).toBe(true);
  });

  it('writes the same bytes whatever order the minute rows come in', () => {
    const rows = minuteRows(3);
    expect(encodeMinuteFile([...rows].reverse())).toEqual(encodeMinuteFile(rows));
  });
});

import type { DayTileTable, OpenHourTileTable } from '../../domain/metrics-layout.js';
import {
  rollUpHoursToDays,
  rollUpMinutesToHours,
  rollUpServicesToHours,
  type HourMetricsRow,
  type QuarterMetricsRow,
  type ServiceMetricsRow,
} from '../../domain/hour-metrics.js';
import { compareEndpointKeys, type MinuteMetricsRow } from '../../domain/minute-metrics.js';
import type { EdgeMetricsRow } from '../../domain/edge-metrics.js';
import {
  encodeDayMetrics,
  encodeEdgeMetrics,
  encodeHourMetrics,
  encodeRequestMetrics,
  encodeRequestQuarterMetrics,
  encodeServiceMetrics,
  encodeServiceQuarterMetrics,
} from './metrics-parquet.js';

/**
 * Rows per row group of a day's hour tile (request_metrics_day_hours, service_metrics_day_hours). The tile is sorted
 * by key, so a reader filtering one endpoint skips every other group by its min/max statistics and decodes the
 * histogram lists of its own rows only; one group per file (the writer's default) made it decode every
 * endpoint's lists of the day. One endpoint's 24 hour rows sit in one group (two at a boundary); a tenant with
 * 10,000 endpoints writes ~235 groups a day.
 */
export const dayTileRowGroupRows = 1024;

const compareServiceHours = (a: ServiceMetricsRow, b: ServiceMetricsRow) =>
  a.service < b.service ? -1 : a.service > b.service ? 1 : a.startMs - b.startMs;

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const compareEdgeHours = (a: EdgeMetricsRow, b: EdgeMetricsRow) =>
  compareText(a.caller, b.caller) || compareText(a.callee, b.callee) || a.startMs - b.startMs;

/** The rows of a closed day (or of an open day's closed hours) its tiles but one are built from, in any order. */
export interface HourTileRows {
  request: readonly HourMetricsRow[];
  service: readonly ServiceMetricsRow[];
  edges: readonly EdgeMetricsRow[];
  /** The same hours' service minute rows merged per quarter-hour (docs/adr/0091, 0141). */
  serviceQuarters: readonly ServiceMetricsRow[];
}

/** Every row of a day's tiles: the endpoints' quarter-hour rows too (docs/adr/0144). */
export interface DayHourRows extends HourTileRows {
  requestQuarters: readonly QuarterMetricsRow[];
}

type HourTileTable = Exclude<DayTileTable, 'request_metrics_day_quarters'>;

/**
 * A closed day's tiles from its rows, in any order: the day rows per endpoint, the hour rows of the three hour
 * tables (endpoints, services, service-map edges) and the quarter-hour rows of endpoints and services in one file
 * each, sorted by key then time so an engine reading one endpoint or edge finds its rows together. The one place
 * the tiles' layout is decided: the rollup's day-tile and open-day-tile refreshes (through encodeHourTiles and
 * encodeEndpointQuarterTile, one after the other, read-day-hours.ts) and the query bench's dataset write them through
 * it, so the bench reads what a deployment reads (docs/adr/0081). A day without edges gets an empty edge tile: the
 * query side takes a date's hour tiles only when every one exists.
 */
export async function encodeDayTiles(rows: DayHourRows): Promise<{
  tiles: Record<DayTileTable, Uint8Array>;
  dayRows: number;
}> {
  const { tiles, dayRows } = encodeHourTiles(rows);
  return {
    tiles: { ...tiles, request_metrics_day_quarters: await encodeEndpointQuarterTile(rows.requestQuarters) },
    dayRows,
  };
}

/** Every day tile but the endpoints' quarter-hour one (encodeDayTiles). */
export function encodeHourTiles(rows: HourTileRows): {
  tiles: Record<HourTileTable, Uint8Array>;
  dayRows: number;
} {
  const requestHours = [...rows.request].sort((a, b) => compareEndpointKeys(a, b) || a.hourMs - b.hourMs);
  const serviceHours = [...rows.service].sort(compareServiceHours);
  const edgeHours = [...rows.edges].sort(compareEdgeHours);
  const serviceQuarters = [...rows.serviceQuarters].sort(compareServiceHours);
  const days = rollUpHoursToDays(requestHours);
  const grouped = { maxRowGroupSize: dayTileRowGroupRows };
  return {
    tiles: {
      request_metrics_day_hours: encodeHourMetrics(requestHours, grouped),
      service_metrics_day_hours: encodeServiceMetrics('hour', serviceHours, grouped),
      service_edges_day_hours: encodeEdgeMetrics('hour', edgeHours, grouped),
      request_metrics_day: encodeDayMetrics(days),
      service_metrics_day_quarters: encodeServiceQuarterMetrics(serviceQuarters, grouped),
    },
    dayRows: days.length,
  };
}

/**
 * The endpoints' quarter-hour tile (docs/adr/0141, 0144) from the day's quarter rows, in any order: sorted by
 * endpoint then quarter in groups of dayTileRowGroupRows, so a drill-down of one endpoint decodes one group. The
 * largest tile by far (~100,000 rows of histogram lists a day for 1,000 endpoints), so the rollup builds it after
 * the others' rows are gone, and it is encoded in parts.
 */
export function encodeEndpointQuarterTile(rows: readonly QuarterMetricsRow[]): Promise<Uint8Array> {
  const sorted = [...rows].sort((a, b) => compareEndpointKeys(a, b) || a.quarterMs - b.quarterMs);
  return encodeRequestQuarterMetrics(sorted, { maxRowGroupSize: dayTileRowGroupRows });
}

/**
 * Rows per row group of an hour's request_metrics_minute file, which is sorted by endpoint, then minute: a chart of
 * one endpoint (the drill-down and its compare overlay, 24 files a day at a 15-minute step) skips every other
 * group by its min/max statistics instead of decoding every endpoint's histogram lists of the hour (docs/adr/0093).
 * One endpoint's 60 minute rows sit in one group (two at a boundary).
 */
export const minuteFileRowGroupRows = 2048;

/**
 * An hour's minute rows per endpoint as the rollup writes them (and the query bench's dataset: one place decides
 * the layout, as encodeDayTiles does for the tiles).
 */
export function encodeMinuteFile(rows: readonly MinuteMetricsRow[]): Uint8Array {
  const sorted = [...rows].sort((a, b) => compareEndpointKeys(a, b) || a.minuteMs - b.minuteMs);
  return encodeRequestMetrics(sorted, { maxRowGroupSize: minuteFileRowGroupRows });
}

/**
 * An open hour's tiles (docs/adr/0123) from its minute rows (request and service, in any order): the rows of
 * minutes before `coveredUntil` merged per endpoint and per service, each row at the hour's start. The rollup's
 * open-hour refresh and the query bench's dataset write them through this one function.
 */
export function encodeOpenHourTiles(
  rows: { request: readonly MinuteMetricsRow[]; service: readonly ServiceMetricsRow[] },
  coveredUntil: number,
): Record<OpenHourTileTable, Uint8Array> {
  const request = rollUpMinutesToHours(rows.request.filter((r) => r.minuteMs < coveredUntil));
  const service = rollUpServicesToHours(rows.service.filter((r) => r.startMs < coveredUntil));
  return {
    request_metrics_open_hour: encodeHourMetrics(request),
    service_metrics_open_hour: encodeServiceMetrics('hour', [...service].sort(compareServiceHours)),
  };
}

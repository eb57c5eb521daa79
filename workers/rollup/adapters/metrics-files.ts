import type { DayTileTable } from '../../domain/metrics-layout.js';
import {
  rollUpHoursToDays,
  rollUpServicesToQuarters,
  type HourMetricsRow,
  type ServiceMetricsRow,
} from '../../domain/hour-metrics.js';
import { compareEndpointKeys, type MinuteMetricsRow } from '../../domain/minute-metrics.js';
import {
  encodeDayMetrics,
  encodeHourMetrics,
  encodeRequestMetrics,
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

/**
 * A closed day's three tiles from its hour rows, in any order: the day rows per endpoint, and the hour rows of both
 * levels in one file each, sorted by key then hour so an engine reading one endpoint finds its rows together. The
 * one place the tiles' layout is decided: the rollup's day-tile refresh and the query bench's dataset write them
 * through it, so the bench reads what a deployment reads (docs/adr/0081).
 */
export function encodeDayTiles(
  request: readonly HourMetricsRow[],
  service: readonly ServiceMetricsRow[],
): { tiles: Record<DayTileTable, Uint8Array>; dayRows: number } {
  const requestHours = [...request].sort((a, b) => compareEndpointKeys(a, b) || a.hourMs - b.hourMs);
  const serviceHours = [...service].sort(compareServiceHours);
  const days = rollUpHoursToDays(requestHours);
  return {
    tiles: {
      request_metrics_day_hours: encodeHourMetrics(requestHours, { maxRowGroupSize: dayTileRowGroupRows }),
      service_metrics_day_hours: encodeServiceMetrics('hour', serviceHours, {
        maxRowGroupSize: dayTileRowGroupRows,
      }),
      request_metrics_day: encodeDayMetrics(days),
    },
    dayRows: days.length,
  };
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
 * The open day's quarter-hour tile (service_metrics_open_day_quarters, docs/adr/0091) from its service minute rows,
 * in any order: merged per (quarter-hour, service), sorted by service then time in the day tiles' row groups.
 */
export function encodeOpenDayQuarters(serviceMinutes: readonly ServiceMetricsRow[]): Uint8Array {
  const quarters = rollUpServicesToQuarters(serviceMinutes).sort(compareServiceHours);
  return encodeServiceQuarterMetrics(quarters, { maxRowGroupSize: dayTileRowGroupRows });
}

import type { DayTileTable } from '../../domain/metrics-layout.js';
import { rollUpHoursToDays, type HourMetricsRow, type ServiceMetricsRow } from '../../domain/hour-metrics.js';
import { compareEndpointKeys } from '../../domain/minute-metrics.js';
import { encodeDayMetrics, encodeHourMetrics, encodeServiceMetrics } from './metrics-parquet.js';

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

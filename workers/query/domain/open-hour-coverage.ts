import { openHourTileTables, type OpenHourTileTable } from '../../domain/metrics-layout.js';
import { partitionStartMs, type RawPartition } from '../../domain/raw-partition.js';

export interface ListedOpenHourTile {
  table: OpenHourTileTable;
  partition: RawPartition;
  minutes: number;
}

/**
 * Per hour (its start, ms), the largest coverage in minutes that both open-hour tile tables have (docs/adr/0123).
 * The rollup writes them one after the other and keeps the coverage before the newest for a while, so a listing
 * taken mid-build still finds one both have; an hour where none is common has no open-hour tile for the plan.
 */
export function chooseOpenHourCoverage(tiles: readonly ListedOpenHourTile[]): Map<number, number> {
  const byHour = new Map<number, Map<number, Set<OpenHourTileTable>>>();
  for (const tile of tiles) {
    const hour = partitionStartMs(tile.partition);
    const coverages = byHour.get(hour) ?? new Map<number, Set<OpenHourTileTable>>();
    coverages.set(tile.minutes, (coverages.get(tile.minutes) ?? new Set()).add(tile.table));
    byHour.set(hour, coverages);
  }
  const chosen = new Map<number, number>();
  for (const [hour, coverages] of byHour) {
    const complete = [...coverages]
      .filter(([, tables]) => tables.size === openHourTileTables.length)
      .map(([minutes]) => minutes);
    if (complete.length > 0) chosen.set(hour, Math.max(...complete));
  }
  return chosen;
}

/** What one row of a statement's input is: an endpoint's (request_metrics_*) or a service's (service_metrics_*). */
export type MetricsRowLevel = 'request' | 'service';

const noOpenHourTiles: ReadonlyMap<number, number> = new Map();

/**
 * The open-hour coverage a statement over `level` rows may read (docs/adr/0138): all of it for per-endpoint rows,
 * none for per-service rows. The tile pays by replacing an open hour's minute rows with one row per group before
 * the histogram merge; per endpoint that is ~45,000 rows replaced by ~1,000 on the bench (a 7-day endpoint table's
 * Trino CPU 21-44% less), per service ~940 by 20, which saves less than the extra table scan costs Trino (its own
 * split, file open and UNION branch): the 7-day charts took more CPU with it (ADR 0123, re-measured in ADR 0138).
 * The minute file is decoded whole either way, so skipping the service tile reads no more bytes.
 */
export function openHourTilesRead(
  level: MetricsRowLevel,
  coverage: ReadonlyMap<number, number>,
): ReadonlyMap<number, number> {
  return level === 'request' ? coverage : noOpenHourTiles;
}

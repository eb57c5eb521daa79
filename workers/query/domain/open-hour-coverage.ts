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

/** What decides whether a statement reads the open-hour tile. */
export interface OpenHourTileReader {
  level: MetricsRowLevel;
  /** The statement keeps only some services or endpoints (a service, method, path, services or endpoints filter). */
  filtered: boolean;
}

const noOpenHourTiles: ReadonlyMap<number, number> = new Map();

/**
 * The open-hour coverage a statement may read (docs/adr/0138): all of it for a statement over every endpoint of
 * every service, none otherwise. The tile pays by replacing an open hour's minute rows with one row per group
 * before the histogram merge: over every endpoint ~47,000 rows by ~1,000 on the bench, 130-180 ms less Trino CPU
 * for a 7-day endpoint table. Over one service's endpoints, one endpoint or per-service rows it replaces 47 to
 * ~2,350 rows, and the tile's own UNION branch (planning CPU 7-50 ms more on every call measured, three more
 * splits, one more file) cost Trino more than that merge saves. The minute file is decoded whole either way, so
 * skipping the tile reads no more bytes.
 */
export function openHourTilesRead(
  reader: OpenHourTileReader,
  coverage: ReadonlyMap<number, number>,
): ReadonlyMap<number, number> {
  return reader.level === 'request' && !reader.filtered ? coverage : noOpenHourTiles;
}

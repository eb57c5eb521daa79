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

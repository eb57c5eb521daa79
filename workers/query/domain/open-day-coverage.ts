import { openDayTileTables, type OpenDayTileTable } from '../../domain/metrics-layout.js';

export interface ListedOpenDayTile {
  table: OpenDayTileTable;
  date: string;
  hours: number;
  etag: string;
}

export interface OpenDayCoverage {
  /** The tiles cover [date 00:00, date 00:00 + hours h). */
  hours: number;
  /** The tiles' etags: a rebuild of any of them (late data) changes it. */
  etag: string;
}

/**
 * Per date, the largest coverage that every open-day tile table has (docs/adr/0091). The rollup writes them
 * one after the other and keeps the coverage before the newest for a while, so a listing taken mid-build still
 * finds a coverage every table has; a date where none is common has no open-day tiles for the plan.
 */
export function chooseOpenDayCoverage(tiles: readonly ListedOpenDayTile[]): Map<string, OpenDayCoverage> {
  const byDate = new Map<string, Map<number, Map<OpenDayTileTable, string>>>();
  for (const tile of tiles) {
    const coverages = byDate.get(tile.date) ?? new Map<number, Map<OpenDayTileTable, string>>();
    const tables = coverages.get(tile.hours) ?? new Map<OpenDayTileTable, string>();
    tables.set(tile.table, tile.etag);
    coverages.set(tile.hours, tables);
    byDate.set(tile.date, coverages);
  }
  const chosen = new Map<string, OpenDayCoverage>();
  for (const [date, coverages] of byDate) {
    const complete = [...coverages]
      .filter(([, tables]) => tables.size === openDayTileTables.length)
      .sort(([a], [b]) => b - a)[0];
    if (!complete) continue;
    const [hours, tables] = complete;
    chosen.set(date, { hours, etag: openDayTileTables.map((t) => tables.get(t)).join('/') });
  }
  return chosen;
}

import { metricsTableNames, type MetricsTableName } from '../../domain/metrics-layout.js';

/**
 * What the SQL builders need to know about one tenant's stored metrics, loaded once (asynchronously, by an
 * adapter) and passed in as data, so building a statement does no IO.
 */
export interface TenantSnapshot {
  /**
   * Tables the tenant has rows in. Data rolled up before the pre-merged tables existed (rollup version 1) has
   * none, and a plan reading an absent table would come back empty instead of falling back to finer rows.
   */
  readonly tables: ReadonlySet<MetricsTableName>;
  /** Dates (YYYY-MM-DD) with a request_metrics_day tile the engine can read. */
  readonly dayTiles: ReadonlySet<string>;
  /**
   * Dates with every day-hours tile (request_metrics_day_hours, service_metrics_day_hours, service_edges_day_hours,
   * metrics-layout.ts dayHoursTileTables): the day's hour rows in one file per level, which step series, service
   * lists and the service map read instead of 24 hour files.
   */
  readonly hourTiles: ReadonlySet<string>;
  /**
   * Dates with both day tiles of quarter-hour rows (metrics-layout.ts dayQuarterTileTables, docs/adr/0141): a chart
   * at quarter-hour steps reads the day's part of its range from one file per level instead of its minute files.
   */
  readonly quarterTiles: ReadonlySet<string>;
  /**
   * Days still open with every open-day tile (docs/adr/0091): date -> the hours from midnight they cover,
   * the largest coverage every one of them has.
   */
  readonly openDays: ReadonlyMap<string, number>;
  /**
   * Hours still open with both open-hour tiles (docs/adr/0123): the hour's start (ms) -> the minutes from its
   * start they cover, the largest coverage both have.
   */
  readonly openHours: ReadonlyMap<number, number>;
  /**
   * The start (ms) of the tenant's earliest committed hour, from the listing of its manifests: no table holds a row
   * before it, so a plan reads nothing there (docs/adr/0099). Absent when not known: the whole range is read.
   */
  readonly firstHour?: number;
}

/** The tile dates of a snapshot, as the rollup's listing gives them (RollupManifests.tiles). */
export type TileDates = Pick<
  TenantSnapshot,
  'dayTiles' | 'hourTiles' | 'quarterTiles' | 'openDays' | 'openHours' | 'firstHour'
>;

/** A snapshot in which every table exists and no day has a tile (an engine whose tables always exist). */
export function buildTenantSnapshot(overrides: Partial<TenantSnapshot> = {}): TenantSnapshot {
  return {
    tables: new Set(metricsTableNames),
    dayTiles: new Set(),
    hourTiles: new Set(),
    quarterTiles: new Set(),
    openDays: new Map(),
    openHours: new Map(),
    ...overrides,
  };
}

/**
 * The start of the earliest hour among committed partitions ("YYYY-MM-DD/HH", CommittedEtags.manifests' keys);
 * undefined for none. The keys sort by time, so the smallest one is the earliest.
 */
export function firstCommittedHour(partitions: Iterable<string>): number | undefined {
  let first: string | undefined;
  for (const partition of partitions) if (first === undefined || partition < first) first = partition;
  if (first === undefined) return undefined;
  const ms = Date.parse(`${first.slice(0, 10)}T${first.slice(11, 13)}:00:00Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

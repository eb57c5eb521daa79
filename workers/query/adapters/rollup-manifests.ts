import { createHash } from 'node:crypto';
import { loadRollupHeartbeat, type RollupHeartbeat } from '../../rollup/app/rollup-heartbeat.js';
import type { ObjectInfo, ObjectStore } from '../../adapters/object-store/object-store.js';
import {
  buildTableTenantPrefix,
  dayHoursTileTables,
  dayQuarterTileTables,
  dayTileTables,
  type DayTileTable,
  type MetricsTableName,
  buildTenantManifestsPrefix,
  manifestsPrefix,
  openDayTileTables,
  openHourTileTables,
  parseDayTileKey,
  parseManifestKey,
  parseOpenDayTileKey,
  parseOpenHourTileKey,
} from '../../domain/metrics-layout.js';
import {
  buildTenantDayMarkersPrefix,
  buildTenantOpenHourMarkersPrefix,
} from '../../domain/metrics-markers.js';
import { chooseOpenDayCoverage, type ListedOpenDayTile } from '../domain/open-day-coverage.js';
import { chooseOpenHourCoverage, type ListedOpenHourTile } from '../domain/open-hour-coverage.js';
import type { CommittedEtags } from '../domain/closed-range.js';
import { firstCommittedHour, type TileDates } from '../domain/tenant-snapshot.js';
import { parseRollupManifest } from '../../rollup/domain/rollup-manifest.js';

export interface RollupFreshness {
  /** When the tenant's newest published hour generation was committed (wall clock, ms). */
  lastCommitAt: number;
  /** The newest fact time that generation counts (ms); null for manifests written before it was recorded. */
  newestEventAt: number | null;
}

export interface RollupManifestsOptions {
  /** How long one listing of every tenant's manifests serves (the two freshness gauges share one scrape). */
  maxAgeMs?: number;
  now?: () => number;
}

/** What the rollup has committed, and the open hours' tiles (hour start -> minutes, docs/adr/0123). */
type Committed = CommittedEtags & { openHours: ReadonlyMap<number, number> };

/** Enough to step past the newest hour while it is being republished, without reading a tenant's whole history. */
const maxManifestReads = 6;

/**
 * Days where every one of `tables` exists, with their etags joined (a rebuild of any changes it): a day tiled before
 * the edge tile (docs/adr/0104) or the quarter-hour tiles (docs/adr/0141) existed reads its hour or minute files
 * until the rollup rebuilds it.
 */
function daysWithEvery(
  tables: readonly DayTileTable[],
  etags: ReadonlyMap<DayTileTable, ReadonlyMap<string, string>>,
): Map<string, string> {
  const [first, ...others] = tables.map((table) => etags.get(table)!);
  const all = new Map<string, string>();
  for (const [date, etag] of first!) {
    const rest = others.map((tile) => tile.get(date));
    if (rest.every((e) => e !== undefined)) all.set(date, [etag, ...rest].join('/'));
  }
  return all;
}

/**
 * The query side's one reader of the rollup's manifests: freshness for GET /api/v1/freshness and the /metrics
 * gauges, and the version a tenant's catalogue snapshot is refreshed on. Keys come from the table catalogue.
 */
export class RollupManifests {
  private allTenants: { at: number; value: Promise<Map<string, RollupFreshness>> } | undefined;
  private readonly committedByTenant = new Map<string, { at: number; value: Promise<Committed> }>();

  constructor(
    private readonly store: ObjectStore,
    private readonly options: RollupManifestsOptions = {},
  ) {}

  /** One tenant's freshness, from a fresh listing of its manifests. */
  /** The rollup's last finished pass (any tenant's), for freshness: it moves also when nothing was committed. */
  lastPass(): Promise<RollupHeartbeat | null> {
    return loadRollupHeartbeat(this.store);
  }

  async freshness(tenant: string): Promise<RollupFreshness | undefined> {
    const listed = await this.store.list(buildTenantManifestsPrefix(tenant));
    return this.newestPublished(listed.map((o) => o.key).filter((key) => parseManifestKey(key)));
  }

  /** Every tenant's freshness from one listing, reused for maxAgeMs (default 1 s). */
  freshnessPerTenant(): Promise<Map<string, RollupFreshness>> {
    const now = (this.options.now ?? Date.now)();
    if (!this.allTenants || now - this.allTenants.at > (this.options.maxAgeMs ?? 1000))
      this.allTenants = { at: now, value: this.loadFreshnessPerTenant() };
    return this.allTenants.value;
  }

  /**
   * Changes whenever any of the tenant's hour manifests, day markers or open-hour markers is written or deleted (a
   * commit, a publish, a retention step, a day or open-hour tile built): a digest of their keys and etags.
   */
  async version(tenant: string): Promise<string> {
    const [manifests, markers, openHourMarkers] = await Promise.all([
      this.store.list(buildTenantManifestsPrefix(tenant)),
      this.store.list(buildTenantDayMarkersPrefix(tenant)),
      this.store.list(buildTenantOpenHourMarkersPrefix(tenant)),
    ]);
    const entries = [...manifests, ...markers, ...openHourMarkers].map((o: ObjectInfo) => [o.key, o.etag]);
    return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
  }

  /**
   * The etag of every hour manifest and day tile of a tenant (fifteen LISTs: manifests, the six day tile tables,
   * the six open-day tile tables and the two open-hour tile tables), shared by concurrent calls and listed
   * again when older than maxAgeMs: the result cache keys closed ranges by them, and Trino plans day tiles with
   * them. Nothing here touches the engine, so no request waits for a partition sync.
   */
  committed(tenant: string): Promise<Committed> {
    const now = (this.options.now ?? Date.now)();
    const cached = this.committedByTenant.get(tenant);
    if (cached && now - cached.at <= (this.options.maxAgeMs ?? 1000)) return cached.value;
    const entry = { at: now, value: this.loadCommitted(tenant) };
    this.committedByTenant.set(tenant, entry);
    // A failed listing is not kept: the next call lists again.
    entry.value.catch(
      () => this.committedByTenant.get(tenant) === entry && this.committedByTenant.delete(tenant),
    );
    return entry.value;
  }

  /**
   * Dates with a request_metrics_day tile and dates with every day-hours tile, and the tenant's first committed
   * hour (from committed()).
   */
  async tiles(tenant: string): Promise<TileDates> {
    const committed = await this.committed(tenant);
    return {
      dayTiles: new Set(committed.dayTiles.keys()),
      hourTiles: new Set(committed.hourTiles.keys()),
      quarterTiles: new Set(committed.quarterTiles.keys()),
      openDays: new Map([...committed.openDays].map(([date, { hours }]) => [date, hours])),
      openHours: committed.openHours,
      firstHour: firstCommittedHour(committed.manifests.keys()),
    };
  }

  private async loadCommitted(tenant: string): Promise<Committed> {
    const listTables = (tables: readonly MetricsTableName[]) =>
      Promise.all(tables.map((table) => this.store.list(buildTableTenantPrefix(table, tenant))));
    const [manifestObjects, openDayObjects, openHourObjects, ...tileObjects] = await Promise.all([
      this.store.list(buildTenantManifestsPrefix(tenant)),
      listTables(openDayTileTables),
      listTables(openHourTileTables),
      ...dayTileTables.map((table) => this.store.list(buildTableTenantPrefix(table, tenant))),
    ]);
    const manifests = new Map<string, string>();
    for (const object of manifestObjects) {
      const partition = parseManifestKey(object.key);
      if (partition?.tenant === tenant) manifests.set(`${partition.date}/${partition.hour}`, object.etag);
    }
    const etags = new Map<DayTileTable, Map<string, string>>(dayTileTables.map((t) => [t, new Map()]));
    for (const object of tileObjects.flat()) {
      const tile = parseDayTileKey(object.key);
      if (tile?.tenant === tenant) etags.get(tile.table)!.set(tile.date, object.etag);
    }
    const openDayTiles: ListedOpenDayTile[] = openDayObjects.flat().flatMap(({ key, etag }) => {
      const tile = parseOpenDayTileKey(key);
      return tile?.tenant === tenant ? [{ ...tile, etag }] : [];
    });
    const openHourTiles: ListedOpenHourTile[] = openHourObjects.flat().flatMap(({ key }) => {
      const tile = parseOpenHourTileKey(key);
      return tile?.partition.tenant === tenant ? [tile] : [];
    });
    return {
      manifests,
      dayTiles: etags.get('request_metrics_day')!,
      hourTiles: daysWithEvery(dayHoursTileTables, etags),
      quarterTiles: daysWithEvery(dayQuarterTileTables, etags),
      openDays: chooseOpenDayCoverage(openDayTiles),
      openHours: chooseOpenHourCoverage(openHourTiles),
    };
  }

  private async loadFreshnessPerTenant(): Promise<Map<string, RollupFreshness>> {
    const keysByTenant = new Map<string, string[]>();
    for (const { key } of await this.store.list(manifestsPrefix)) {
      const partition = parseManifestKey(key);
      if (partition) keysByTenant.set(partition.tenant, [...(keysByTenant.get(partition.tenant) ?? []), key]);
    }
    const result = new Map<string, RollupFreshness>();
    for (const [tenant, keys] of keysByTenant) {
      const freshness = await this.newestPublished(keys);
      if (freshness) result.set(tenant, freshness);
    }
    return result;
  }

  /**
   * Manifest keys sort by hour within a tenant: read from the newest back to the first published one. An
   * unpublished newest manifest is a commit whose files are still being written (or need a republish); readers
   * see the older generation's files then, so its times would overstate what they see.
   */
  private async newestPublished(keys: readonly string[]): Promise<RollupFreshness | undefined> {
    for (let i = keys.length - 1; i >= 0 && i >= keys.length - maxManifestReads; i--) {
      const key = keys[i]!;
      const object = await this.store.get(key);
      if (!object) continue;
      const manifest = parseRollupManifest(object.body, key);
      if (!manifest.published) continue;
      return {
        lastCommitAt: Date.parse(manifest.committed_at),
        newestEventAt: manifest.stats.newest_event_ms ?? null,
      };
    }
    return undefined;
  }
}

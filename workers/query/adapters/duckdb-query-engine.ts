import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import {
  addedLaterColumns,
  buildTableFilesGlob,
  buildTableTenantPrefix,
  metricsTableNames,
  parseDayTileKey,
  parseOpenDayTileKey,
  parseOpenHourTileKey,
  dayHoursTileTables,
  dayQuarterTileTables,
  openDayTileTables,
  openHourTileTables,
  type ColumnType,
  type DayTileTable,
  type MetricsTableName,
} from '../../domain/metrics-layout.js';
import { tenantIdPattern } from '../../domain/raw-record.js';
import { QueryEngineError } from '../app/query-engine.js';
import type { TenantSnapshot } from '../domain/tenant-snapshot.js';
import { chooseOpenDayCoverage } from '../domain/open-day-coverage.js';
import { chooseOpenHourCoverage } from '../domain/open-hour-coverage.js';
import type { SqlDialect } from './metrics-sql.js';
import { plainStatement, type SqlParams, type SqlStatement } from './sql-statement.js';
import { RollupManifests } from './rollup-manifests.js';
import { runDuckDbStatement } from './duckdb-statement-runner.js';
import { SqlQueryEngine } from './sql-query-engine.js';
import { TenantSnapshotCache } from './tenant-snapshot-cache.js';

function checkTenant(tenant: string): void {
  if (!tenantIdPattern.test(tenant))
    throw new QueryEngineError(`tenant '${tenant}' is not a valid tenant id`);
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const duckdbTypes: Record<ColumnType, string> = {
  int64: 'BIGINT',
  float64: 'DOUBLE',
  utf8: 'VARCHAR',
  'list<int32>': 'INTEGER[]',
  'list<int64>': 'BIGINT[]',
};

/**
 * A table's files as one relation. Partition values stay VARCHAR so date comparisons are plain string comparisons,
 * as in Trino. A table with columns added later (metrics-layout.ts) is read by name across files (union_by_name:
 * an older file's missing column is NULL), and an empty typed branch supplies the column when no file has it yet.
 */
export function buildDuckDbSource(
  storeRoot: string,
  table: MetricsTableName,
  tenant: string,
  p: SqlParams,
): string {
  // The glob (it holds the tenant) is a bound parameter too; DuckDB still prunes hive partitions with it and
  // with bound dates (EXPLAIN ANALYZE: 'Scanning Files: 0/1' for a date outside the files).
  const glob = p.bind(`${storeRoot}/${buildTableFilesGlob(table, tenant)}`);
  const later = addedLaterColumns(table);
  const options = 'hive_partitioning = true, hive_types_autocast = false';
  if (later.length === 0) return `read_parquet(${glob}, ${options})`;
  const nulls = later.map((c) => `CAST(NULL AS ${duckdbTypes[c.type]}) AS ${c.name}`).join(', ');
  return `(SELECT * FROM read_parquet(${glob}, ${options}, union_by_name = true) UNION ALL BY NAME SELECT ${nulls} WHERE false)`;
}

function duckdbDialect(storeRoot: string): SqlDialect {
  return {
    source(table, tenant, p) {
      checkTenant(tenant);
      return buildDuckDbSource(storeRoot, table, tenant, p);
    },
    tenantFilter: () => [],
    intDiv: (a, b) => `(${a} // ${b})`,
    // Select-list unnest of the two parallel lists zips them; DuckDB runs this far faster than a LATERAL join.
    unnestBuckets: (alias) => ({
      select: `unnest(${alias}.latency_bucket_index) AS idx, unnest(${alias}.latency_bucket_count) AS cnt`,
      join: '',
    }),
  };
}

export interface DuckDbLimits {
  threads: number;
  /** DuckDB's memory_limit, e.g. '1GB'. */
  memoryLimit: string;
  /**
   * DuckDB's allocator_flush_threshold, e.g. '8MB': how much freed memory its allocator may keep after a task before
   * returning it to the system (DuckDB's default, 128 MiB, stays resident in a process that queries now and then).
   */
  allocatorFlushThreshold?: string;
  /**
   * DuckDB's external file cache (enable_external_file_cache): a second copy of the Parquet bytes it read, in its
   * buffer pool. Over local files the kernel's page cache already holds them.
   */
  fileCache?: boolean;
}

export const defaultDuckDbLimits: DuckDbLimits = { threads: 2, memoryLimit: '1GB' };

/** The instance options of `limits`: only what is set, so DuckDB's own defaults stay where nothing is. */
function instanceOptions(limits: DuckDbLimits): Record<string, string> {
  return {
    threads: String(limits.threads),
    memory_limit: limits.memoryLimit,
    temp_directory: mkdtempSync(join(tmpdir(), 'gravix-duckdb-')),
    ...(limits.allocatorFlushThreshold !== undefined && {
      allocator_flush_threshold: limits.allocatorFlushThreshold,
    }),
    ...(limits.fileCache !== undefined && { enable_external_file_cache: String(limits.fileCache) }),
  };
}

/**
 * Which tables the tenant has a folder for and which days have a tile, from the files themselves: DuckDB reads
 * whatever is on disk, so that is what a plan may use.
 */
async function loadDuckDbSnapshot(storeRoot: string, tenant: string): Promise<TenantSnapshot> {
  checkTenant(tenant);
  const tables = new Set<(typeof metricsTableNames)[number]>();
  for (const table of metricsTableNames)
    if (await exists(join(storeRoot, buildTableTenantPrefix(table, tenant)))) tables.add(table);
  const store = new LocalObjectStore(storeRoot);
  const dates = async (table: DayTileTable) =>
    new Set(
      (await store.list(buildTableTenantPrefix(table, tenant))).flatMap(
        ({ key }) => parseDayTileKey(key)?.date ?? [],
      ),
    );
  // A date whose every tile of `tables` exists (a day tiled before the edge or the quarter-hour tiles existed reads
  // its hour or minute files until rebuilt).
  const datesWithEvery = async (tables: readonly DayTileTable[]) => {
    const each = await Promise.all(tables.map(dates));
    return new Set([...each[0]!].filter((date) => each.every((d) => d.has(date))));
  };
  const [dayTiles, hourTiles, quarterTiles] = await Promise.all([
    dates('request_metrics_day'),
    datesWithEvery(dayHoursTileTables),
    datesWithEvery(dayQuarterTileTables),
  ]);
  const openDayTiles = (
    await Promise.all(openDayTileTables.map((table) => store.list(buildTableTenantPrefix(table, tenant))))
  )
    .flat()
    .flatMap(({ key, etag }) => {
      const tile = parseOpenDayTileKey(key);
      return tile ? [{ ...tile, etag }] : [];
    });
  const openDays = new Map([...chooseOpenDayCoverage(openDayTiles)].map(([date, c]) => [date, c.hours]));
  const openHourTiles = (
    await Promise.all(openHourTileTables.map((table) => store.list(buildTableTenantPrefix(table, tenant))))
  )
    .flat()
    .flatMap(({ key }) => parseOpenHourTileKey(key) ?? []);
  return {
    tables,
    dayTiles,
    hourTiles,
    quarterTiles,
    openDays,
    openHours: chooseOpenHourCoverage(openHourTiles),
  };
}

/** DuckDB reports a glob without matches as an error; for a query API that is simply "no data yet". */
const isNoFiles = (error: unknown) =>
  /No files found that match the pattern/i.test(String((error as Error).message));

/**
 * The rollup replaces a partition's data file in place (a rename, ADR 0003) every time it recomputes it: every
 * pass for the open hour in `gravix dev`, and on late data. DuckDB reads a file's footer when it binds a statement
 * and opens the file again to scan it, so a rename in between makes it decode the new file with the old footer.
 * These are the errors that gives (commit-while-querying.contract.ts; the last one came from a day tile read with
 * the footer of the tile it replaced, seen in CI); the statement is run again, and then reads one whole generation
 * of the file.
 */
const isFileReplacedMidStatement = (error: unknown) =>
  /TProtocolException|too small to be a Parquet file|No magic bytes found|don't know what type|Could not read enough bytes from file/i.test(
    String((error as Error).message),
  );
const replacedFileRetries = 3;

/** A statement's values as DuckDB binds them: typed here, not guessed from the JavaScript value. */
/** QueryEngine on embedded DuckDB over the local store's Parquet files (the `gravix dev` mode). */
export class DuckDbQueryEngine extends SqlQueryEngine {
  private readonly snapshots: TenantSnapshotCache;

  private constructor(
    private readonly instance: DuckDBInstance,
    storeRoot: string,
    manifests: RollupManifests,
  ) {
    super(duckdbDialect(storeRoot));
    this.snapshots = new TenantSnapshotCache({
      version: (tenant) => manifests.version(tenant),
      load: (tenant) => loadDuckDbSnapshot(storeRoot, tenant),
    });
  }

  /**
   * `storeRoot` is the LocalObjectStore's root directory. DuckDB's memory and threads are bounded (config.ts);
   * what spills past the memory limit goes to a private (0700) temporary directory. `manifests` tells when a
   * tenant's snapshot of tables and day tiles must be reloaded (the query server shares its one reader).
   */
  static async open(
    storeRoot: string,
    limits: DuckDbLimits = defaultDuckDbLimits,
    manifests: RollupManifests = new RollupManifests(new LocalObjectStore(storeRoot)),
  ): Promise<DuckDbQueryEngine> {
    const instance = await DuckDBInstance.create(':memory:', instanceOptions(limits));
    // Parquet footers are kept between statements: a dashboard call opens 25-30 files per statement (day tiles,
    // the open day's hours, minute ends) and decoded each footer again every time, 15-20% of an endpoint table's
    // CPU (bench/query, docs/adr/0089). DuckDB checks a cached footer against the file's current version before
    // using it (the rollup replaces open-hour files in place: commit-while-querying.contract.ts), and 1.5 keeps
    // the cache in an LRU bounded by memory (duckdb#20157). The setting is the parquet extension's: SET once loaded.
    const setup = await instance.connect();
    try {
      await setup.run('SET GLOBAL parquet_metadata_cache = true');
    } finally {
      setup.closeSync();
    }
    return new DuckDbQueryEngine(instance, storeRoot, manifests);
  }

  protected async rows(statement: SqlStatement, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.rowsOnce(statement, signal);
      } catch (error) {
        const replaced = isFileReplacedMidStatement((error as Error).cause);
        if (!replaced || attempt > replacedFileRetries || signal?.aborted) throw error;
      }
    }
  }

  private async rowsOnce(statement: SqlStatement, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    const connection = await this.instance.connect();
    try {
      return await runDuckDbStatement(connection, statement.text, statement.params, signal);
    } catch (error) {
      if (isNoFiles(error)) return [];
      throw new QueryEngineError(`duckdb query failed: ${(error as Error).message}`, { cause: error });
    } finally {
      connection.closeSync();
    }
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.rows(plainStatement('SELECT 1 AS ok'), signal);
  }

  protected snapshot(tenant: string): Promise<TenantSnapshot> {
    return this.snapshots.get(tenant);
  }

  override async close(): Promise<void> {
    this.instance.closeSync();
  }
}

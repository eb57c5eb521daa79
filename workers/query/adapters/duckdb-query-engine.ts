import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildTableFilesGlob, buildTableTenantPrefix } from '../../domain/metrics-layout.js';
import { tenantIdPattern } from '../../domain/raw-record.js';
import { QueryEngineError } from '../app/query-engine.js';
import { sqlString, type SqlDialect } from './metrics-sql.js';
import { SqlQueryEngine } from './sql-query-engine.js';

function duckdbDialect(storeRoot: string): SqlDialect {
  return {
    source(table, tenant) {
      if (!tenantIdPattern.test(tenant))
        throw new QueryEngineError(`tenant '${tenant}' is not a valid tenant id`);
      const glob = `${storeRoot}/${buildTableFilesGlob(table, tenant)}`;
      // Partition values stay VARCHAR so date comparisons are plain string comparisons, as in Trino.
      return `read_parquet(${sqlString(glob)}, hive_partitioning = true, hive_types_autocast = false)`;
    },
    hasTable: (table, tenant) => existsSync(`${storeRoot}/${buildTableTenantPrefix(table, tenant)}`),
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
}

export const defaultDuckDbLimits: DuckDbLimits = { threads: 2, memoryLimit: '1GB' };

/** DuckDB reports a glob without matches as an error; for a query API that is simply "no data yet". */
const isNoFiles = (error: unknown) =>
  /No files found that match the pattern/i.test(String((error as Error).message));

/** QueryEngine on embedded DuckDB over the local store's Parquet files (the `gravix dev` mode). */
export class DuckDbQueryEngine extends SqlQueryEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly storeRoot: string,
    dialect: SqlDialect,
  ) {
    super(dialect);
  }

  /**
   * `storeRoot` is the LocalObjectStore's root directory. DuckDB's memory and threads are bounded (config.ts);
   * what spills past the memory limit goes to a private (0700) temporary directory.
   */
  static async open(
    storeRoot: string,
    limits: DuckDbLimits = defaultDuckDbLimits,
  ): Promise<DuckDbQueryEngine> {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(limits.threads),
      memory_limit: limits.memoryLimit,
      temp_directory: mkdtempSync(join(tmpdir(), 'gravix-duckdb-')),
    });
    return new DuckDbQueryEngine(instance, storeRoot, duckdbDialect(storeRoot));
  }

  protected async rows(sql: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    const connection = await this.instance.connect();
    const interrupt = () => connection.interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      if (signal?.aborted) throw signal.reason;
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjects() as Record<string, unknown>[];
    } catch (error) {
      if (isNoFiles(error)) return [];
      throw new QueryEngineError(`duckdb query failed: ${(error as Error).message}`, { cause: error });
    } finally {
      signal?.removeEventListener('abort', interrupt);
      connection.closeSync();
    }
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.rows('SELECT 1 AS ok', signal);
  }

  protected async dayTiles(tenant: string): Promise<ReadonlySet<string>> {
    const dir = join(this.storeRoot, buildTableTenantPrefix('request_metrics_day', tenant));
    const entries = await readdir(dir).catch(() => [] as string[]);
    const dates = entries
      .filter((e) => e.startsWith('date=') && existsSync(join(dir, e, 'part-00000.parquet')))
      .map((e) => e.slice('date='.length));
    return new Set(dates);
  }

  override async close(): Promise<void> {
    this.instance.closeSync();
  }
}

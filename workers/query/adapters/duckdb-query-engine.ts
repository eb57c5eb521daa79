import { existsSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { tenantIdPattern } from '../../domain/raw-record.js';
import { QueryEngineError } from '../query-engine.js';
import { sqlString, type SqlDialect } from './metrics-sql.js';
import { SqlQueryEngine } from './sql-query-engine.js';

function duckdbDialect(storeRoot: string): SqlDialect {
  return {
    source(table, tenant) {
      if (!tenantIdPattern.test(tenant))
        throw new QueryEngineError(`tenant '${tenant}' is not a valid tenant id`);
      const glob = `${storeRoot}/metrics/${table}/tenant=${tenant}/*/*/*.parquet`;
      // Partition values stay VARCHAR so date comparisons are plain string comparisons, as in Trino.
      return `read_parquet(${sqlString(glob)}, hive_partitioning = true, hive_types_autocast = false)`;
    },
    hasTable: (table, tenant) => existsSync(`${storeRoot}/metrics/${table}/tenant=${tenant}`),
    tenantFilter: () => [],
    intDiv: (a, b) => `(${a} // ${b})`,
    // Select-list unnest of the two parallel lists zips them; DuckDB runs this far faster than a LATERAL join.
    unnestBuckets: (alias) => ({
      select: `unnest(${alias}.latency_bucket_index) AS idx, unnest(${alias}.latency_bucket_count) AS cnt`,
      join: '',
    }),
  };
}

/** DuckDB reports a glob without matches as an error; for a query API that is simply "no data yet". */
const isNoFiles = (error: unknown) =>
  /No files found that match the pattern/i.test(String((error as Error).message));

/** QueryEngine on embedded DuckDB over the local store's Parquet files (the `gravix dev` mode). */
export class DuckDbQueryEngine extends SqlQueryEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    dialect: SqlDialect,
  ) {
    super(dialect);
  }

  /** `storeRoot` is the LocalObjectStore's root directory. */
  static async open(storeRoot: string): Promise<DuckDbQueryEngine> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    return new DuckDbQueryEngine(instance, duckdbDialect(storeRoot));
  }

  protected async rows(sql: string): Promise<Record<string, unknown>[]> {
    const connection = await this.instance.connect();
    try {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjects() as Record<string, unknown>[];
    } catch (error) {
      if (isNoFiles(error)) return [];
      throw new QueryEngineError(`duckdb query failed: ${(error as Error).message}`, { cause: error });
    } finally {
      connection.closeSync();
    }
  }

  override async close(): Promise<void> {
    this.instance.closeSync();
  }
}

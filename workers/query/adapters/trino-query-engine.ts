import { BasicAuth, Trino, type QueryResult } from 'trino-client';
import {
  buildTablePrefix,
  metricsTableLayouts,
  metricsTableNames,
  partitionColumns,
  type ColumnType,
  type MetricsTableName,
} from '../../domain/metrics-layout.js';
import { QueryEngineError } from '../app/query-engine.js';
import { buildTenantSnapshot, type TenantSnapshot } from '../domain/tenant-snapshot.js';
import { sqlString, type SqlDialect } from './metrics-sql.js';
import { SqlQueryEngine } from './sql-query-engine.js';

export interface TrinoQueryEngineOptions {
  server: string;
  user?: string;
  catalog: string;
  schema: string;
  /** Warehouse location of the metrics layer, e.g. s3://gravix/ (the rollup writes under metrics/). */
  warehouse: string;
  /** New partitions become visible after at most this long (sync_partition_metadata is throttled). */
  partitionSyncMs?: number;
  /** Trino itself kills a metrics statement that runs longer (query_max_execution_time), client or not. */
  queryTimeoutMs?: number;
}

const trinoTypes: Record<ColumnType, string> = {
  int64: 'bigint',
  float64: 'double',
  utf8: 'varchar',
  'list<int32>': 'array(integer)',
  'list<int64>': 'array(bigint)',
};

/** The external table over a metrics table's files, generated from the table catalogue (metrics-layout.ts). */
export function buildTrinoTableDdl(
  catalog: string,
  schema: string,
  warehouse: string,
  table: MetricsTableName,
): string {
  const columns = metricsTableLayouts[table].columns.map((c) => `${c.name} ${trinoTypes[c.type]}`);
  const partitions = partitionColumns(table);
  const partitionDefs = partitions.map((c) => `"${c}" varchar`);
  // The location names the table's folder without its trailing slash, as tables created before the catalogue do.
  const location = `${warehouse}${buildTablePrefix(table).slice(0, -1)}`;
  return `CREATE TABLE IF NOT EXISTS ${catalog}.${schema}.${table} (${[...columns, ...partitionDefs].join(', ')})
         WITH (external_location = ${sqlString(location)}, format = 'PARQUET',
               partitioned_by = ARRAY[${partitions.map((c) => sqlString(c)).join(', ')}])`;
}

function trinoDialect(catalog: string, schema: string): SqlDialect {
  return {
    source: (table) => `${catalog}.${schema}.${table}`,
    tenantFilter: (tenant) => [`m.tenant = ${sqlString(tenant)}`],
    // BIGINT division truncates, which is floor here because minute_ms >= from.
    intDiv: (a, b) => `(${a} / ${b})`,
    unnestBuckets: (alias) => ({
      select: 'u.idx AS idx, u.cnt AS cnt',
      join: `CROSS JOIN UNNEST(${alias}.latency_bucket_index, ${alias}.latency_bucket_count) AS u(idx, cnt)`,
    }),
  };
}

function toRowObjects(result: QueryResult): Record<string, unknown>[] {
  const names = (result.columns ?? []).map((c) => c.name);
  return (result.data ?? []).map((values) =>
    Object.fromEntries(names.map((name, i) => [name, (values as unknown[])[i]])),
  );
}

/** QueryEngine on Trino: Hive external tables over the S3 warehouse, partitions kept in sync. */
export class TrinoQueryEngine extends SqlQueryEngine {
  private readonly client: Trino;
  private lastSync = 0;
  /** tenant -> dates with a day tile, as of the last partition sync (the partitions Trino can read). */
  private days = new Map<string, Set<string>>();
  private syncing: Promise<void> | undefined;

  private constructor(private readonly options: TrinoQueryEngineOptions) {
    super(trinoDialect(options.catalog, options.schema));
    this.client = Trino.create({
      server: options.server,
      catalog: options.catalog,
      schema: options.schema,
      auth: new BasicAuth(options.user ?? 'gravix'),
    });
  }

  /** Creates the schema and external tables when missing (idempotent), then returns the engine. */
  static async open(options: TrinoQueryEngineOptions): Promise<TrinoQueryEngine> {
    const engine = new TrinoQueryEngine(options);
    await engine.ensureTables();
    return engine;
  }

  private async ensureTables(): Promise<void> {
    const { catalog, schema, warehouse } = this.options;
    const base = warehouse.endsWith('/') ? warehouse : `${warehouse}/`;
    await this.run(
      `CREATE SCHEMA IF NOT EXISTS ${catalog}.${schema} WITH (location = ${sqlString(`${base}trino/${schema}`)})`,
    );
    for (const table of metricsTableNames) await this.run(buildTrinoTableDdl(catalog, schema, base, table));
  }

  /** Registers partitions the rollup added (and drops removed ones) at most every partitionSyncMs. */
  private async syncPartitions(): Promise<void> {
    if (Date.now() - this.lastSync < (this.options.partitionSyncMs ?? 15_000)) return;
    this.syncing ??= (async () => {
      for (const table of metricsTableNames) {
        await this.run(
          `CALL ${this.options.catalog}.system.sync_partition_metadata(schema_name => ${sqlString(this.options.schema)}, table_name => ${sqlString(table)}, mode => 'FULL')`,
        );
      }
      this.days = await this.loadDayTiles();
      this.lastSync = Date.now();
    })().finally(() => (this.syncing = undefined));
    await this.syncing;
  }

  private async loadDayTiles(): Promise<Map<string, Set<string>>> {
    const { catalog, schema } = this.options;
    const rows = await this.run(
      `SELECT tenant, "date" FROM ${catalog}.${schema}."request_metrics_day$partitions"`,
    );
    const days = new Map<string, Set<string>>();
    for (const row of rows) {
      const tenant = String(row['tenant']);
      days.set(tenant, (days.get(tenant) ?? new Set()).add(String(row['date'])));
    }
    return days;
  }

  /**
   * The external tables always exist (partitions rolled up before rollup version 2 have no pre-merged rows); day
   * tiles are the ones Trino can read, as of the last partition sync.
   */
  protected async snapshot(tenant: string): Promise<TenantSnapshot> {
    await this.syncPartitions();
    return buildTenantSnapshot({ dayTiles: this.days.get(tenant) ?? new Set() });
  }

  /** Runs one statement as is (DDL, partition sync); an abort cancels it in Trino. */
  private async run(
    sql: string,
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    let queryId: string | undefined;
    const cancel = () => void (queryId && this.client.cancel(queryId).catch(() => undefined));
    signal?.addEventListener('abort', cancel, { once: true });
    const session = timeoutMs ? { query_max_execution_time: `${Math.ceil(timeoutMs / 1000)}s` } : undefined;
    try {
      signal?.throwIfAborted();
      for await (const result of await this.client.query({ query: sql, session })) {
        queryId = result.id;
        if (signal?.aborted) cancel();
        signal?.throwIfAborted();
        if (result.error) throw new Error(result.error.message);
        rows.push(...toRowObjects(result));
      }
    } catch (error) {
      throw new QueryEngineError(`trino query failed: ${(error as Error).message}`, { cause: error });
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    return rows;
  }

  /** Metrics queries see the partitions the rollup added since the last sync. */
  protected async rows(sql: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    await this.syncPartitions();
    return this.run(sql, signal, this.options.queryTimeoutMs);
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.run('SELECT 1 AS ok', signal);
  }

  override async close(): Promise<void> {}
}

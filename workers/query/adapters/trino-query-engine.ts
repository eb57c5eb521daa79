import { setTimeout as sleep } from 'node:timers/promises';
import { BasicAuth, Trino } from 'trino-client';
import {
  addedLaterColumns,
  buildTablePrefix,
  metricsTableLayouts,
  metricsTableNames,
  partitionColumns,
  type ColumnType,
  type MetricsTableName,
} from '../../domain/metrics-layout.js';
import { QueryEngineError, QueryEngineTimeoutError } from '../app/query-engine.js';
import { buildTenantSnapshot, type TenantSnapshot, type TileDates } from '../domain/tenant-snapshot.js';
import type { WarmUpTarget } from '../domain/warm-up-target.js';
import type { SqlDialect } from './metrics-sql.js';
import {
  sqlString,
  toPositional,
  type SqlStatement,
  type SqlStatementHints,
  type SqlValue,
} from './sql-statement.js';
import { SqlQueryEngine } from './sql-query-engine.js';
import { runTrinoStatement, TrinoStatementError } from './trino-statement-runner.js';

export interface TrinoQueryEngineOptions {
  server: string;
  user?: string;
  catalog: string;
  schema: string;
  /** Warehouse location of the metrics layer, e.g. s3://gravix/ (the rollup writes under metrics/). */
  warehouse: string;
  /**
   * Dates with day tiles and with day-hours tiles for a tenant (RollupManifests.tiles): the plan reads whole days
   * from tiles. The tables project their partitions, so Trino has no partition list to ask.
   */
  tiles: (tenant: string) => Promise<TileDates>;
  /** Trino itself kills a metrics statement that runs longer (query_max_execution_time), client or not. */
  queryTimeoutMs?: number;
  /**
   * The tenant and hour end the warm-up reads (chooseWarmUpTarget over the manifests); without one, or when it
   * fails, the warm-up runs over a tenant that cannot exist, which reads no file.
   */
  warmUpTarget?: () => Promise<WarmUpTarget | undefined>;
  /**
   * How long `open` waits for a Trino that does not answer yet, or cannot reach the object store yet (default
   * 240 s, inside the pod's 300 s startup probe): a new pipeline starts query and Trino together, and a query server
   * that exited on the first refused connection was restarted by the kubelet (3 times on the test cluster) before
   * Trino was up.
   */
  startWaitMs?: number;
  /** Told each time `open` finds Trino (or its store) not up yet and waits (the query server logs it). */
  onWaitingForTrino?: (error: Error) => void;
  /** Told when the warm-up failed (`open` still resolves: the tables exist); the query server logs it. */
  onWarmUpFailed?: (error: Error) => void;
  /**
   * 'auto' (default): merge histograms with Gravix's Trino function when this Trino has it, with plain SQL when
   * not (docs/adr/0146). 'sql': always plain SQL (the bench's comparison, the tests of both paths).
   */
  histogramMerge?: 'auto' | 'sql';
  /** Told which merge `open` chose, and why when it is 'sql' (the query server logs it). */
  onHistogramMerge?: (merge: HistogramMerge, reason?: string) => void;
}

const trinoTypes: Record<ColumnType, string> = {
  int64: 'bigint',
  float64: 'double',
  utf8: 'varchar',
  'list<int32>': 'array(integer)',
  'list<int64>': 'array(bigint)',
};

/**
 * Partition projection (docs/adr/0066): Trino computes a statement's partitions from its tenant, date and hour
 * predicates instead of reading them from the metastore, so a partition the rollup commits is readable at once
 * and nothing ever registers or syncs partitions. Every metrics statement filters tenant by equality and names
 * its dates one by one (partition-terms.ts dateListTerm), so both are 'injected': Trino takes the partitions from
 * the statement's values. A `date` projection over a range (2000-01-01 to NOW+1DAYS, before docs/adr/0145)
 * walked all ~9,800 of its days for every scan of every statement: ~7-15 ms of planning and ~25 MB of garbage
 * per scan.
 */
const projections: Record<string, string> = {
  tenant: "partition_projection_type = 'injected'",
  date: "partition_projection_type = 'injected'",
  hour: "partition_projection_type = 'integer', partition_projection_range = ARRAY['0', '23'], partition_projection_digits = 2",
  // An open-day tile's coverage (docs/adr/0091): the plan always names it by equality.
  hours:
    "partition_projection_type = 'integer', partition_projection_range = ARRAY['1', '23'], partition_projection_digits = 2",
  // An open-hour tile's coverage (docs/adr/0123): named by equality too.
  minutes:
    "partition_projection_type = 'integer', partition_projection_range = ARRAY['1', '59'], partition_projection_digits = 2",
};

/**
 * The name Trino knows a metrics table by. The tables of a version before docs/adr/0145 (the table's own name,
 * a ranged date projection) take a date range that an injected projection refuses; these are new tables over
 * the same files, so replicas of both versions answer side by side during a rolling upgrade. The old ones are
 * left: external tables own no data.
 */
export function trinoTableName(table: MetricsTableName): string {
  return `${table}_v2`;
}

/** The external table over a metrics table's files, generated from the table catalogue (metrics-layout.ts). */
export function buildTrinoTableDdl(
  catalog: string,
  schema: string,
  warehouse: string,
  table: MetricsTableName,
): string {
  const columns = metricsTableLayouts[table].columns.map((c) => `${c.name} ${trinoTypes[c.type]}`);
  const partitions = partitionColumns(table);
  const partitionDefs = partitions.map((c) => `"${c}" varchar WITH (${projections[c]!})`);
  // The location names the table's folder without its trailing slash, as tables created before the catalogue do.
  const location = `${warehouse}${buildTablePrefix(table).slice(0, -1)}`;
  return `CREATE TABLE IF NOT EXISTS ${catalog}.${schema}.${trinoTableName(table)} (${[...columns, ...partitionDefs].join(', ')})
         WITH (external_location = ${sqlString(location)}, format = 'PARQUET',
               partitioned_by = ARRAY[${partitions.map((c) => sqlString(c)).join(', ')}],
               partition_projection_enabled = true)`;
}

/**
 * A table created before a column was added to the catalogue keeps its old columns (CREATE TABLE IF NOT EXISTS
 * leaves it alone): add the later ones. The Hive connector maps Parquet columns by name, so older files read them
 * as NULL. Idempotent, and safe for replicas doing it at once (IF NOT EXISTS).
 */
export function buildTrinoAddColumns(catalog: string, schema: string, table: MetricsTableName): string[] {
  return addedLaterColumns(table).map(
    (c) =>
      `ALTER TABLE ${catalog}.${schema}.${trinoTableName(table)} ADD COLUMN IF NOT EXISTS ${c.name} ${trinoTypes[c.type]}`,
  );
}

/**
 * How a Trino statement merges a group's latency histograms: 'native' with gravix_merge_histograms, the aggregate of
 * Gravix's Trino plugin (trino-functions/, loaded by the Trino pods, docs/adr/0146), or 'sql' with Trino's own
 * functions, for a Trino that lacks the plugin.
 */
export type HistogramMerge = 'native' | 'sql';

/** The SQL name of the plugin's aggregate (trino-functions/src/dev/gravix/trino/MergeHistogramsAggregation.java). */
export const MERGE_HISTOGRAMS_FUNCTION = 'gravix_merge_histograms';

/**
 * The plugin's aggregate: one hash merge per group in the GROUP BY itself, its result one array(bigint) of the
 * indexes ascending and then their counts, cut in two here. It replaces the array_agg of every row's two lists
 * and the fold below, ~80 of the ~115 ms of CPU of a 24-hour endpoint list and most of its garbage.
 */
const nativeMerge: NonNullable<SqlDialect['mergeBuckets']> = {
  collect: (alias) =>
    `${MERGE_HISTOGRAMS_FUNCTION}(${alias}.latency_bucket_index, ${alias}.latency_bucket_count) AS buckets`,
  fold: (alias) => `${alias}.buckets`,
  lists: (merged) => ({
    index: `slice(${merged}, 1, cardinality(${merged}) / 2)`,
    count: `slice(${merged}, cardinality(${merged}) / 2 + 1, cardinality(${merged}) / 2)`,
  }),
};

// Trino has no summing map aggregate (map_union keeps one value per key): the group's index and count arrays
// are gathered as they are (no map built per row in the GROUP BY) and merged afterwards in one pass: every
// (index, count) pair of the group, flattened, grouped by index into one multimap, each index's counts summed.
// Folding map by map (map_zip_with over the rows) built a new running map for every row of the group, each as
// large as the buckets merged so far (docs/adr/0142). A row's lists have equal lengths
// (LatencySketch), and both array_agg of a group see its rows in one order, so the flattened lists pair up.
const sqlMerge: NonNullable<SqlDialect['mergeBuckets']> = {
  collect: (alias) =>
    `array_agg(${alias}.latency_bucket_index) AS bucket_indexes, ` +
    `array_agg(${alias}.latency_bucket_count) AS bucket_counts`,
  fold: (alias) =>
    `transform_values(multimap_from_entries(zip(flatten(${alias}.bucket_indexes), flatten(${alias}.bucket_counts))), ` +
    "(k, v) -> reduce(v, BIGINT '0', (s, x) -> s + x, s -> s))",
  lists: (merged) => ({
    index: `array_sort(map_keys(${merged}))`,
    count: `transform(array_sort(map_keys(${merged})), i -> element_at(${merged}, i))`,
  }),
};

export function buildTrinoDialect(
  catalog: string,
  schema: string,
  merge: HistogramMerge = 'sql',
): SqlDialect {
  return {
    source: (table) => `${catalog}.${schema}.${trinoTableName(table)}`,
    tenantFilter: (tenant, p) => [`m.tenant = ${p.bind(tenant)}`],
    // BIGINT division truncates, which is floor here because minute_ms >= from.
    intDiv: (a, b) => `(${a} / ${b})`,
    unnestBuckets: (alias) => ({
      select: 'u.idx AS idx, u.cnt AS cnt',
      join: `CROSS JOIN UNNEST(${alias}.latency_bucket_index, ${alias}.latency_bucket_count) AS u(idx, cnt)`,
    }),
    mergeBuckets: merge === 'native' ? nativeMerge : sqlMerge,
  };
}

/** A value of Trino's USING clause: a typed literal (Trino's HTTP protocol carries no binary parameters). */
const usingLiteral = (value: SqlValue) =>
  typeof value === 'number' ? `BIGINT '${value}'` : sqlString(value);

/**
 * One statement with bound parameters as Trino runs it: `EXECUTE IMMEDIATE '<text with ?>' USING v1, v2, ...`.
 * The text (the builder's own words) is parsed apart from the values, so a value is data and cannot change what
 * the statement does; Trino binds the values before planning, so the tenant still selects its injected
 * partition projection and the dates prune. No server-side state (unlike PREPARE), so calls share the client.
 */
export function buildTrinoExecute(statement: SqlStatement): string {
  const { text, params } = toPositional(statement);
  if (params.length === 0) return text;
  return `EXECUTE IMMEDIATE ${sqlString(text)} USING ${params.map(usingLiteral).join(', ')}`;
}

/**
 * The session properties a statement's hints ask for. A statement over files of about one row per group turns
 * off Trino's partial aggregation: with it, every file's split built ~1,000 one-row groups (a histogram state
 * each, serialized, shipped and merged again) to reduce nothing; without it, endpoints 7d p50 fell 384 -> 350 ms
 * and its p90 450 -> 382 ms, while a chart by step rose 254 -> 292 ms, hence per statement (docs/adr/0147).
 */
export function trinoSessionFor(statement: SqlStatementHints): Record<string, string> {
  return statement.aggregateEachFile === false ? { prefer_partial_aggregation: 'false' } : {};
}

/** Trino's error names for a statement calling a function this Trino (or one of its workers) does not have. */
const FUNCTION_GONE = new Set(['FUNCTION_NOT_FOUND', 'FUNCTION_IMPLEMENTATION_MISSING']);

/** Trino's error names for an object created meanwhile (SchemaAlreadyExistsException and its kin, the analyzer's). */
const ALREADY_EXISTS = new Set([
  'ALREADY_EXISTS',
  'SCHEMA_ALREADY_EXISTS',
  'TABLE_ALREADY_EXISTS',
  'COLUMN_ALREADY_EXISTS',
]);

/** How often, and how long apart, a statement Trino failed with this error name is run again. */
interface RetryRule {
  attempts: number;
  delayMs: number;
}

const retryRules: ReadonlyMap<string, RetryRule> = new Map([
  // The rollup replaces a partition's data file in place (ADR 0003). Trino lists a partition, then opens each file
  // with the length it listed; a replacement in between fails the split ("Error opening Hive split", found by
  // commit-while-querying.contract.ts). The statement is run again, and lists the new file.
  ['HIVE_CANNOT_OPEN_SPLIT', { attempts: 3, delayMs: 0 }],
  ['HIVE_BAD_DATA', { attempts: 3, delayMs: 0 }],
  // A Trino that has just (re)started answers before it can place a catalog's splits: its node manager rebuilds
  // the per-catalog node map every 5 s, and the build before startup carries no catalog, so a scan fails with
  // "No nodes available to run query" for up to 5 s (found by the whole integration run). Wait it out.
  ['NO_NODES_AVAILABLE', { attempts: 8, delayMs: 1000 }],
]);

/**
 * Trino's answers while it or the object store behind it is not up yet: its HTTP server is up but it cannot run
 * statements yet (the first two), or it cannot read its file metastore or the warehouse in the bucket (a MinIO pod
 * still starting or restarting: "Could not read database schema" is HIVE_METASTORE_ERROR; the query pod used to exit
 * on it and restart).
 */
const STARTING_UP = new Set([
  'SERVER_STARTING_UP',
  'NO_NODES_AVAILABLE',
  'HIVE_METASTORE_ERROR',
  'HIVE_FILESYSTEM_ERROR',
]);

/**
 * Whether a failed statement means "Trino, or the store behind it, is not up yet": no answer at all (refused,
 * reset, name not resolved yet: a transport error, not a Trino error), Trino saying it is starting, or Trino not
 * reaching its metastore or warehouse. Anything Trino answered otherwise (a bad catalog, a denied schema) is a real
 * failure and is not waited out; a store that never comes back is given up on when the wait ends, with its error.
 */
export function isTrinoNotUpYet(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof TrinoStatementError) return STARTING_UP.has(cause.errorName);
  return true;
}

/** Milliseconds to wait before running a statement again after its `attempt`-th failure, undefined: give up. */
export function trinoRetryDelayMs(errorName: string, attempt: number): number | undefined {
  const rule = retryRules.get(errorName);
  return rule && attempt <= rule.attempts ? rule.delayMs : undefined;
}

/**
 * A failed statement as the QueryEngine port names it: Trino ending it at query_max_execution_time is a timeout
 * (EngineGuard answers QUERY_TIMEOUT and keeps the breaker closed), anything else an engine failure.
 */
export function toQueryEngineError(error: unknown): QueryEngineError {
  const message = `trino query failed: ${(error as Error).message}`;
  if (error instanceof TrinoStatementError && error.errorName === 'EXCEEDED_TIME_LIMIT')
    return new QueryEngineTimeoutError(message, { cause: error });
  return new QueryEngineError(message, { cause: error });
}

/** QueryEngine on Trino: Hive external tables over the S3 warehouse with projected partitions. */
export class TrinoQueryEngine extends SqlQueryEngine {
  /** Planning a statement costs Trino far more than merging every endpoint's histogram in one pass. */
  readonly prefersOneStatement = true;
  private readonly client: Trino;

  /** How this engine's statements merge histograms: chosen by `open`, 'sql' after a fall-back (`fellBack`). */
  get histogramMerge(): HistogramMerge {
    return this.merge;
  }

  private merge: HistogramMerge = 'sql';

  private constructor(private readonly options: TrinoQueryEngineOptions) {
    super(buildTrinoDialect(options.catalog, options.schema, 'sql'));
    this.client = Trino.create({
      server: options.server,
      catalog: options.catalog,
      schema: options.schema,
      auth: new BasicAuth(options.user ?? 'gravix'),
    });
  }

  /**
   * Creates the schema and external tables when missing (idempotent), then warms Trino up before the engine is
   * handed out (the query server turns ready after this), so the first dashboard call does not pay for it.
   */
  static async open(options: TrinoQueryEngineOptions): Promise<TrinoQueryEngine> {
    const engine = new TrinoQueryEngine(options);
    await engine.ensureTablesOnceTrinoAnswers();
    const { merge, reason } =
      options.histogramMerge === 'sql'
        ? { merge: 'sql' as const, reason: 'asked for (histogramMerge: sql)' }
        : await engine.probeMergeFunction();
    engine.useMerge(merge, reason);
    await engine.warmUp();
    return engine;
  }

  /**
   * A Trino that had the function when the engine opened may lose it: a Trino pod restarted on an image whose
   * build failed, or a worker without the plugin joining. Its statements then fail with FUNCTION_NOT_FOUND (the
   * coordinator) or FUNCTION_IMPLEMENTATION_MISSING (a worker); the engine turns to the plain-SQL merge for good,
   * says so, and the failed statement is built and run again: a call answers, slower, instead of failing until the
   * query server restarts.
   */
  protected override fellBack(error: unknown): boolean {
    const cause = (error as { cause?: unknown }).cause;
    if (this.merge !== 'native' || !(cause instanceof TrinoStatementError)) return false;
    if (!FUNCTION_GONE.has(cause.errorName)) return false;
    this.useMerge('sql', (error as Error).message);
    return true;
  }

  /** The merge every statement from now on is built with, told to `onHistogramMerge`. */
  private useMerge(merge: HistogramMerge, reason?: string): void {
    this.merge = merge;
    this.dialect = buildTrinoDialect(this.options.catalog, this.options.schema, merge);
    this.options.onHistogramMerge?.(merge, reason);
  }

  /**
   * Whether this Trino merges histograms with Gravix's function: it runs it on two small histograms and checks
   * the answer. A Trino without the plugin (FUNCTION_NOT_FOUND), or with one that answers wrongly, gets plain SQL:
   * slower, same rows.
   */
  private async probeMergeFunction(): Promise<{ merge: HistogramMerge; reason?: string }> {
    const probe =
      `SELECT CAST(${MERGE_HISTOGRAMS_FUNCTION}(i, c) AS JSON) AS merged ` +
      "FROM (VALUES (ARRAY[3, -1], ARRAY[BIGINT '2', BIGINT '5']), (ARRAY[3], ARRAY[BIGINT '4'])) AS t(i, c)";
    try {
      const [row] = await this.run(probe);
      const merged = String(row?.['merged']);
      return merged === '[-1,3,5,6]'
        ? { merge: 'native' }
        : { merge: 'sql', reason: `${MERGE_HISTOGRAMS_FUNCTION} answered ${merged}, not [-1,3,5,6]` };
    } catch (error) {
      if ((error as Error).cause instanceof TrinoStatementError)
        return { merge: 'sql', reason: (error as Error).message };
      throw error;
    }
  }

  private async ensureTablesOnceTrinoAnswers(): Promise<void> {
    const deadline = Date.now() + (this.options.startWaitMs ?? 240_000);
    for (;;) {
      try {
        return await this.ensureTables();
      } catch (error) {
        if (!isTrinoNotUpYet(error) || Date.now() >= deadline) throw error;
        this.options.onWaitingForTrino?.(error as Error);
        await sleep(Math.min(2_000, Math.max(0, deadline - Date.now())));
      }
    }
  }

  /**
   * The statement shapes a dashboard's 7-day view sends (service list, endpoint table, chart), over the newest
   * week of the tenant with the newest data: a fresh Trino interprets its analyzer, planner, Parquet reader and
   * histogram merge until the JIT compiles them, and opens its S3 connections, on the first statements of each
   * shape. Over a tenant without files (the fallback: its id breaks the tenant rule) only the planner warmed up,
   * and the first dashboard call paid for the rest (docs/adr/0087).
   */
  private async warmUp(): Promise<void> {
    const target = await this.options.warmUpTarget?.().catch(() => undefined);
    if (target) {
      const warmed = await this.runShapes(target.tenant, target.to, 7 * 86_400_000).then(
        () => true,
        () => false,
      );
      if (warmed) return;
    }
    // Best effort: a cold Trino on a loaded node can outlast query_max_execution_time on these very statements
    // (EXCEEDED_TIME_LIMIT), and the query and alert servers used to exit on it and be restarted by the kubelet.
    // Tables exist by now; an engine that did not warm up only answers its first calls slower.
    await this.runShapes('_warmup', Math.floor(Date.now() / 3_600_000) * 3_600_000, 86_400_000).catch(
      (error: unknown) => this.options.onWarmUpFailed?.(error as Error),
    );
  }

  private async runShapes(tenant: string, to: number, spanMs: number): Promise<void> {
    const query = { tenant, from: to - spanMs, to, groupBy: 'endpoint' as const };
    await this.counts({ ...query, groupBy: 'service', top: { by: 'requests', limit: 1 } });
    await this.summaries({ ...query, top: { by: 'errors5xx', limit: 1 } });
    await this.summaries({ ...query, groupBy: 'step', stepMs: 3_600_000 });
  }

  private async ensureTables(): Promise<void> {
    const { catalog, schema, warehouse } = this.options;
    const base = warehouse.endsWith('/') ? warehouse : `${warehouse}/`;
    await this.runIfNotExists(
      `CREATE SCHEMA IF NOT EXISTS ${catalog}.${schema} WITH (location = ${sqlString(`${base}trino/${schema}`)})`,
    );
    for (const table of metricsTableNames) {
      await this.runIfNotExists(buildTrinoTableDdl(catalog, schema, base, table));
      for (const statement of buildTrinoAddColumns(catalog, schema, table))
        await this.runIfNotExists(statement);
    }
  }

  /**
   * An `IF NOT EXISTS` statement. Trino checks and creates in two steps, so another process opening an engine at
   * the same moment (the query and alert pods of a new pipeline) can create it in between, and the loser is told
   * "Schema already exists": on the test cluster the query pod exited on it and restarted. Already there is done.
   */
  private async runIfNotExists(sql: string): Promise<void> {
    await this.run(sql).catch((error: unknown) => {
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof TrinoStatementError && ALREADY_EXISTS.has(cause.errorName)) return;
      throw error;
    });
  }

  /** The external tables always exist (rollup version 1 partitions have no pre-merged rows); tiles from a listing. */
  protected async snapshot(tenant: string): Promise<TenantSnapshot> {
    return buildTenantSnapshot(await this.options.tiles(tenant));
  }

  /** Runs one statement as is (DDL or a metrics query); an abort cancels it in Trino. */
  private async run(
    sql: string,
    signal?: AbortSignal,
    timeoutMs?: number,
    sessionProperties?: Readonly<Record<string, string>>,
  ): Promise<Record<string, unknown>[]> {
    try {
      return await runTrinoStatement(this.client, sql, signal, timeoutMs, sessionProperties);
    } catch (error) {
      throw toQueryEngineError(error);
    }
  }

  /** Metrics queries read what the rollup committed at the moment they run: no partition list to sync. */
  protected async rows(statement: SqlStatement, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    const sql = buildTrinoExecute(statement);
    const session = trinoSessionFor(statement);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.run(sql, signal, this.options.queryTimeoutMs, session);
      } catch (error) {
        const cause = (error as Error).cause;
        const delayMs =
          cause instanceof TrinoStatementError ? trinoRetryDelayMs(cause.errorName, attempt) : undefined;
        if (delayMs === undefined || signal?.aborted) throw error;
        if (delayMs > 0) {
          await sleep(delayMs, undefined, { signal }).catch(() => {
            throw error;
          });
        }
      }
    }
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.run('SELECT 1 AS ok', signal);
  }

  override async close(): Promise<void> {}
}

/**
 * The one owner of the Trino settings Gravix runs with: the JVM flags and the Hive catalog. The operator's
 * ConfigMap (trino-config.ts), the test harness (testbin/harness/trino-server.ts) and `npm run bench:query --
 * --engine trino` all build their files here, so what the bench measures is what a pipeline deploys.
 * Why these values: docs/adr/0066-trino-partition-projection-and-result-cache.md.
 */

const lines = (entries: readonly string[]) => `${entries.join('\n')}\n`;

/**
 * Production JVM flags (Trino's recommended set) around the heap size the caller owns (a share of the container's
 * memory on Kubernetes, a fixed size where no cgroup limit exists), with `extraFlags` after it.
 * The heap starts at its maximum (-Xms = -Xmx): G1 otherwise kept it at 450-860 MB of a 2 GB maximum, so the
 * young generation filled every ~0.3 s under dashboard calls and the initiating occupancy was reached again and
 * again; committed from the start, the same bench ran 157 young collections instead of 382 and 8 concurrent marks
 * instead of 20 (docs/adr/0147). The heap is sized to fit the container's limit anyway (trino-config.ts).
 */
export function buildTrinoJvmConfig(heap: string, extraFlags: readonly string[] = []): string {
  if (!/^\d+[mMgG]$/.test(heap)) throw new RangeError(`a JVM heap size like 1433m or 2G, got ${heap}`);
  return lines([
    '-server',
    `-Xmx${heap}`,
    `-Xms${heap}`,
    ...extraFlags,
    '-XX:+UseG1GC',
    '-XX:G1HeapRegionSize=32M',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:+ExitOnOutOfMemoryError',
    '-XX:-OmitStackTraceInFastThrow',
    '-XX:ReservedCodeCacheSize=256M',
    '-XX:PerMethodRecompilationCutoff=10000',
    '-XX:PerBytecodeRecompilationCutoff=10000',
    '-XX:+EnableDynamicAgentLoading',
    '-Djdk.attach.allowAttachSelf=true',
    '-Djdk.nio.maxCachedBufferSize=2000000',
    '-Dfile.encoding=UTF-8',
  ]);
}

/**
 * The coordinator's query history. Trino keeps every finished statement for `query.min-expire-age` (15 minutes by
 * default) and prunes only past `query.max-history` (100): a dashboard statement held ~1 MB of live heap
 * (its analysis and stats; measured with a class histogram, docs/adr/0147), so a dashboard refreshing a few
 * statements a second kept hundreds of MB alive, grew the old generation and started a concurrent mark every
 * ~40 s, each taking one of two cores for 0.5-1 s under the calls. One minute, beyond the 100 newest, still shows
 * an operator the statements of the last minute in Trino's UI and `system.runtime.queries`.
 */
export function buildTrinoQueryHistoryProperties(): string[] {
  return ['query.min-expire-age=1m'];
}

export interface HiveCatalogSettings {
  /** s3://bucket/prefix of the file metastore (no Hive Metastore service). */
  metastoreDir: string;
  /** S3 endpoint; omitted for AWS S3. */
  endpoint?: string;
  region: string;
  pathStyle: boolean;
  /** Literal keys (tests) or ${ENV:...} references (Kubernetes, so they never land in a ConfigMap). */
  accessKey: string;
  secretKey: string;
}

/**
 * The Hive catalog over the metrics bucket. The metrics tables use partition projection (created by
 * TrinoQueryEngine), so no partition is ever registered or synced; the metastore cache keeps the few table
 * objects of the file metastore in memory instead of reading them from S3 on every statement. There is no
 * file-status cache: the rollup replaces a partition's one data file in place (ADR 0003) and a cached length
 * would make Trino read a replaced file's footer at the old offset.
 */
export function buildHiveCatalogProperties(settings: HiveCatalogSettings): string {
  return lines([
    'connector.name=hive',
    'hive.metastore=file',
    `hive.metastore.catalog.dir=${settings.metastoreDir}`,
    'hive.metastore-cache-ttl=10m',
    'hive.metastore-refresh-interval=1m',
    // The tables are external and never analyzed: planning would only look up (and miss) statistics in the file
    // metastore for up to 100 sampled partitions per scan of every statement (docs/adr/0073).
    'hive.table-statistics-enabled=false',
    'hive.non-managed-table-writes-enabled=true',
    'fs.native-s3.enabled=true',
    // A file up to this size is read in one GET (Trino's default is 3 MB). A 7-day drill-down reads one endpoint's
    // row groups of six day tiles of hour rows (3.2 MB each for 1,000 endpoints): column chunk by column chunk that
    // was ~20 GETs per file; whole, compare=7d's p50 fell by a third (docs/adr/0141). Smaller files lose nothing
    // (docs/adr/0142: a lower threshold doubled the CPU of the 24-hour drill-down). 15 MB is Trino's ceiling for it.
    'parquet.small-file-threshold=15MB',
    ...(settings.endpoint ? [`s3.endpoint=${settings.endpoint}`] : []),
    `s3.region=${settings.region}`,
    `s3.path-style-access=${settings.pathStyle}`,
    `s3.aws-access-key=${settings.accessKey}`,
    `s3.aws-secret-key=${settings.secretKey}`,
  ]);
}

/**
 * Trino's log levels. The Parquet reader logs its row-group filter at INFO once per split: hundreds of lines per
 * dashboard call, written and flushed on the query path.
 */
export function buildTrinoLogProperties(): string {
  return lines(['io.trino=INFO', 'org.apache.parquet=WARN']);
}

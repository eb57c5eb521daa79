import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { hostname } from 'node:os';
import { TenantAudit } from '../../adapters/tenants/tenant-audit.js';
import { LiveTenants } from '../../adapters/tenants/live-tenants.js';
import { loadReplicaBeats } from '../../adapters/tenants/replica-beats.js';
import { defaultQuotaStaleMs } from '../../domain/quota-replicas.js';
import { SavedViewStore } from '../adapters/saved-view-store.js';
import { AuditLog } from '../../adapters/identity/audit-log.js';
import { instanceName, ObjectKeyStore } from '../../adapters/identity/key-store.js';
import { KeysFile, registerKeysFileMetrics } from '../../adapters/identity/keys-file.js';
import { LiveKeys } from '../../adapters/identity/live-keys.js';
import { answerOutsideRoutes } from '../../shared/http/client-error.js';
import { buildMetricsRegistry } from '../../shared/metrics-registry.js';
import { RollupManifests } from '../adapters/rollup-manifests.js';
import { chooseWarmUpTarget } from '../domain/warm-up-target.js';
import type { QueryConfig } from '../config.js';
import { buildQueryApp, buildQueryMetricsApp } from '../http/query-app.js';
import { AlertStore } from '../../alert/adapters/alert-store.js';
import { EngineGuard } from './engine-guard.js';
import { loadSignIn } from './load-sign-in.js';
import type { QueryEngine } from './query-engine.js';
import { QueryService } from './query-service.js';
import { ResultCachingEngine } from './result-cache.js';
import { registerRollupFreshnessMetrics } from './rollup-freshness-metrics.js';
import { parseTraceUrlTemplate } from '../domain/trace-url-template.js';

/** The trace link template, checked by config.ts already (parseTraceUrlTemplate only types it). */
const traceUrlOptions = (template: string | undefined) =>
  template === undefined ? {} : { traceUrl: parseTraceUrlTemplate(template) };

export interface QueryServer {
  port: number;
  metricsPort: number;
  /** The guarded engine (timeouts, per-tenant concurrency); `gravix dev` evaluates alerts through it. */
  engine: QueryEngine;
  stop(): Promise<void>;
}

/**
 * The configured engine over the store (also `gravix alert`'s, which reads through the same QueryEngine port). Each
 * engine's module is loaded only when it is the one configured: Trino's client (axios) costs ~18 MiB of RSS in
 * `gravix dev`, which never uses it, and DuckDB's native library a query pod on Trino (issue #18, docs/adr/0125).
 */
export async function openEngine(
  config: QueryConfig,
  manifests: RollupManifests,
  log?: Logger,
): Promise<QueryEngine> {
  if (config.GRAVIX_QUERY_ENGINE === 'duckdb') {
    if (config.store.GRAVIX_STORE !== 's3') {
      const { DuckDbQueryEngine } = await import('../adapters/duckdb-query-engine.js');
      return DuckDbQueryEngine.open(
        join(config.store.GRAVIX_DATA_DIR, 'store'),
        {
          threads: config.GRAVIX_DUCKDB_THREADS,
          memoryLimit: config.GRAVIX_DUCKDB_MEMORY_LIMIT,
          allocatorFlushThreshold: config.GRAVIX_DUCKDB_ALLOCATOR_FLUSH_THRESHOLD,
          ...(config.GRAVIX_DUCKDB_FILE_CACHE && { fileCache: config.GRAVIX_DUCKDB_FILE_CACHE === 'true' }),
        },
        manifests,
      );
    }
    throw new Error('GRAVIX_QUERY_ENGINE=duckdb needs GRAVIX_STORE=local: DuckDB reads local Parquet only');
  }
  const bucket = config.store.GRAVIX_STORE === 's3' ? config.store.GRAVIX_S3_BUCKET : '';
  const prefix = config.store.GRAVIX_STORE === 's3' ? config.store.GRAVIX_S3_PREFIX : '';
  const { TrinoQueryEngine } = await import('../adapters/trino-query-engine.js');
  return TrinoQueryEngine.open({
    server: config.GRAVIX_TRINO_URL!,
    catalog: config.GRAVIX_TRINO_CATALOG,
    schema: config.GRAVIX_TRINO_SCHEMA,
    user: config.GRAVIX_TRINO_USER,
    warehouse: `s3://${bucket}/${prefix}`,
    queryTimeoutMs: config.GRAVIX_QUERY_TIMEOUT_MS,
    tiles: (tenant) => manifests.tiles(tenant),
    warmUpTarget: async () => chooseWarmUpTarget(await manifests.freshnessPerTenant()),
    onWaitingForTrino: (err) => log?.info({ err: err.message }, 'waiting for Trino to answer'),
    onWarmUpFailed: (err) => log?.warn({ err: err.message }, 'Trino warm-up failed; serving without it'),
    // Without Gravix's Trino functions every histogram statement costs more CPU (docs/adr/0146): say so.
    onHistogramMerge: (merge, reason) =>
      merge === 'native'
        ? log?.info({ histogramMerge: merge }, 'Trino merges histograms with gravix_merge_histograms')
        : log?.warn(
            { histogramMerge: merge, reason },
            'Trino lacks gravix_merge_histograms; merging in plain SQL',
          ),
  });
}

function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
    // Requests Node cannot parse, and CONNECT, get the API's error body too, not a bare status line or none.
    answerOutsideRoutes(s);
  });
}

function close(server: Server): Promise<void> {
  return new Promise<void>((r) => {
    server.close(() => r());
    server.closeIdleConnections();
  });
}

/** Tenant changes reach the audit log from here: every query replica looks, one records (tenant-audit.ts). */
function startTenantAudit(
  config: QueryConfig,
  store: ObjectStore,
  audit: AuditLog,
  log: Logger,
  tenants: LiveTenants,
): TenantAudit | undefined {
  if (!config.GRAVIX_TENANTS_FILE) return undefined;
  return new TenantAudit({
    store,
    audit,
    log,
    tenants: () => tenants.all(),
    tenantsFile: config.GRAVIX_TENANTS_FILE,
    source: 'tenants-file',
  }).start(config.GRAVIX_TENANTS_AUDIT_MS);
}

/** The keys file (re-read when it changes; listed by the key API) and the live ring of it and the managed keys. */
async function startKeys(config: QueryConfig, keyStore: ObjectKeyStore, log: Logger) {
  const keysFile = new KeysFile(config.GRAVIX_API_KEYS_FILE, log);
  const keys = await LiveKeys.start({
    fileKeys: keysFile,
    store: keyStore,
    reloadMs: config.GRAVIX_KEYS_RELOAD_MS,
    usageFlushMs: config.GRAVIX_KEYS_RELOAD_MS * 10,
    instance: instanceName('query', `${hostname()}:${config.GRAVIX_QUERY_PORT}`),
    log,
  });
  return { keys, keysFile };
}

/** Wires engine, service and HTTP app; used by `gravix query` and by `gravix dev`. */
export async function startQueryServer(
  config: QueryConfig,
  store: ObjectStore,
  log: Logger,
): Promise<QueryServer> {
  const tenants = new LiveTenants(config.GRAVIX_TENANTS_FILE, log);
  const audit = new AuditLog(store, log);
  const tenantAudit = startTenantAudit(config, store, audit, log, tenants);
  const signIn = loadSignIn(config, store, log, tenants);
  const keyStore = new ObjectKeyStore(store);
  const { keys, keysFile } = await startKeys(config, keyStore, log);
  // One reader of the rollup's manifests for freshness (API and gauges) and the engine's table snapshots.
  const manifests = new RollupManifests(store, { maxAgeMs: config.GRAVIX_QUERY_COMMITS_MAX_AGE_MS });
  const engine = new EngineGuard(await openEngine(config, manifests, log), {
    timeoutMs: config.GRAVIX_QUERY_TIMEOUT_MS,
    tenantConcurrency: config.GRAVIX_QUERY_TENANT_CONCURRENCY,
    tenantQueue: config.GRAVIX_QUERY_TENANT_QUEUE,
    breakerFailures: config.GRAVIX_QUERY_BREAKER_FAILURES,
    breakerOpenMs: config.GRAVIX_QUERY_BREAKER_OPEN_MS,
    probeCacheMs: 5_000,
    probeTimeoutMs: 2_000,
  });
  const registry = buildMetricsRegistry();
  registerRollupFreshnessMetrics(registry, manifests);
  registerKeysFileMetrics(registry, keysFile);
  const app = buildQueryApp({
    // Cache hits never reach the guard: only statements the engine runs take a tenant's slot.
    service: new QueryService(
      new ResultCachingEngine(engine, manifests, { maxBytes: config.GRAVIX_QUERY_RESULT_CACHE_MB * 2 ** 20 }),
      manifests,
      traceUrlOptions(config.GRAVIX_TRACE_URL_TEMPLATE),
    ),
    keys,
    identity: {
      keyStore,
      fileKeys: () => keys.fileEntries(),
      keysChanged: () => keys.reload(),
      audit,
      settleMs: config.GRAVIX_KEYS_RELOAD_MS + 1000,
    },
    ...(signIn && { signIn }),
    alerts: new AlertStore(store),
    views: new SavedViewStore(store),
    tenantUsage: {
      settingsOf: (tenant) => tenants.get(tenant),
      loadBeats: () => loadReplicaBeats(store, log),
      staleMs: defaultQuotaStaleMs,
    },
    log,
    readiness: () => engine.readiness(),
    dashboardDir: config.GRAVIX_DASHBOARD_DIR,
    dashboardIngestPort: config.GRAVIX_DASHBOARD_INGEST_PORT,
  });
  const host = config.GRAVIX_QUERY_HOST;
  const server = await listen(app, config.GRAVIX_QUERY_PORT, host);
  const metricsServer = await listen(
    buildQueryMetricsApp(registry, log),
    config.GRAVIX_QUERY_METRICS_PORT,
    host,
  );
  const port = (server.address() as AddressInfo).port;
  const metricsPort = (metricsServer.address() as AddressInfo).port;
  log.info({ port, metricsPort, engine: config.GRAVIX_QUERY_ENGINE }, 'query listening');
  return {
    port,
    metricsPort,
    engine,
    async stop() {
      await Promise.all([close(server), close(metricsServer)]);
      await keys.stop();
      tenants.stop();
      tenantAudit?.stop();
      await engine.close();
    },
  };
}

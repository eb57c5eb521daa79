import type { Logger } from 'pino';
import type { ObjectStore } from '../adapters/object-store/object-store.js';
import type { IngestConfig } from './config.js';
import { walDir } from './config.js';
import { instanceName, ObjectKeyStore } from '../adapters/identity/key-store.js';
import { KeysFile, registerKeysFileMetrics } from '../adapters/identity/keys-file.js';
import { LiveKeys } from '../adapters/identity/live-keys.js';
import { RateLimiter } from './domain/rate-limiter.js';
import { TenantQuotaLedger } from './domain/tenant-quota-ledger.js';
import { LiveTenants } from '../adapters/tenants/live-tenants.js';
import { ReplicaBeats } from '../adapters/tenants/replica-beats.js';
import { ReplicaNamesExchange } from '../adapters/tenants/replica-names.js';
import { SharedCardinality } from './domain/shared-cardinality.js';
import { TenantTurns } from './domain/tenant-turns.js';
import { FairCpuTurns } from './domain/fair-cpu-turns.js';
import { RouteBudget } from './domain/route-budget.js';
import { buildIngestListener, buildIngestMetricsListener, type IngestAppDeps } from './http/ingest-app.js';
import { listenHttp } from './http/listen-http.js';
import type { StageTimings } from './http/stage-timings.js';
import { buildIngestMetrics } from './ingest-metrics.js';
import { SegmentUploader } from './wal/segment-uploader.js';
import { buildTestPause } from './wal/test-pause.js';
import { WriteAheadLog } from './wal/write-ahead-log.js';

export interface IngestServer {
  port: number;
  /** Serves /metrics only (GRAVIX_INGEST_METRICS_PORT). */
  metricsPort: number;
  /** Stop accepting, drain in-flight requests, seal the WAL, try to upload within the deadline. */
  stop(): Promise<{ drained: boolean }>;
}

/** The request listener with the limits, budgets and rates configuration asks for. */
function buildListener(
  config: IngestConfig,
  parts: Pick<IngestAppDeps, 'wal' | 'keys' | 'metrics' | 'log' | 'stageTimings'>,
  tenants: {
    quotas: TenantQuotaLedger;
    routes: RouteBudget;
    maxPastMsOf: (tenant: string) => number | undefined;
  },
) {
  return buildIngestListener({
    ...parts,
    rates: {
      items: new RateLimiter({ perSecond: config.GRAVIX_RATE_PER_SECOND, burst: config.GRAVIX_RATE_BURST }),
      bytes: new RateLimiter({
        perSecond: config.GRAVIX_RATE_BYTES_PER_SECOND,
        burst: config.GRAVIX_RATE_BYTES_BURST,
      }),
      quotas: tenants.quotas,
    },
    turns: new TenantTurns(config.GRAVIX_TENANT_MAX_ACTIVE_BATCHES, config.GRAVIX_TENANT_MAX_WAITING_BATCHES),
    ...(config.GRAVIX_TENANT_TURN_BYTES > 0 && {
      cpuTurns: new FairCpuTurns(config.GRAVIX_TENANT_TURN_BYTES, setImmediate),
    }),
    routes: tenants.routes,
    limits: {
      maxBodyBytes: config.GRAVIX_MAX_BODY_BYTES,
      maxItemsPerBatch: config.GRAVIX_MAX_ITEMS_PER_BATCH,
      maxJsonDepth: config.GRAVIX_MAX_JSON_DEPTH,
      diskBudgetBytes: config.GRAVIX_DISK_BUDGET_BYTES,
      tenantDiskBytes: Math.floor(
        (config.GRAVIX_DISK_BUDGET_BYTES * config.GRAVIX_TENANT_DISK_SHARE_PERCENT) / 100,
      ),
      maxPastMs: config.GRAVIX_MAX_PAST_MS,
      maxPastMsOf: tenants.maxPastMsOf,
      maxFutureMs: config.GRAVIX_MAX_FUTURE_MS,
    },
  });
}

function listenOptions(config: IngestConfig) {
  return {
    headersTimeoutMs: config.GRAVIX_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.GRAVIX_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: config.GRAVIX_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: config.GRAVIX_MAX_CONNECTIONS,
  };
}

function buildRouteBudget(config: IngestConfig, live: LiveTenants, shares?: SharedCardinality) {
  return new RouteBudget(
    config.GRAVIX_ROUTE_BUDGET,
    { servicesPerTenant: config.GRAVIX_SERVICE_BUDGET, routesPerTenant: config.GRAVIX_TENANT_ROUTE_BUDGET },
    (tenant) => live.get(tenant)?.quotas,
    shares,
  );
}

/**
 * The tenants file, this replica's beats and, when the file is set, the quotas it shares with the others through
 * the store: the rate and bytes ledger through its beats (docs/adr/0080), the services and routes-per-service quotas
 * through the names each replica announces (docs/adr/0090), on the same interval. The beats run without a tenants
 * file too: `GET /api/v1/tenant-usage` reads every tenant's accepted rate, today's bytes and the live replicas from
 * them, and without beats it answered 0 bytes and 0 replicas for a tenant that was sending.
 */
async function startTenantQuotas(config: IngestConfig, store: ObjectStore, log: Logger) {
  const live = new LiveTenants(config.GRAVIX_TENANTS_FILE, log);
  const self = config.GRAVIX_INGESTER_ID;
  const quotasOf = (tenant: string) => live.get(tenant)?.quotas;
  const quotas = new TenantQuotaLedger({
    self,
    quotasOf,
    staleMs: config.GRAVIX_QUOTA_STALE_MS,
    minBurst: config.GRAVIX_MAX_ITEMS_PER_BATCH,
  });
  const shared = config.GRAVIX_TENANTS_FILE ? await startSharedNames(config, store, log, live) : undefined;
  const ledger = {
    beat: (leaving?: boolean) => quotas.beat(leaving),
    observe: (beats: Parameters<TenantQuotaLedger['observe']>[0]) => {
      quotas.observe(beats);
      shared?.shares.observeBeats(beats);
    },
    resume: (previous: Parameters<TenantQuotaLedger['resume']>[0]) => quotas.resume(previous),
  };
  const beats = await ReplicaBeats.start({ store, ledger, self, beatMs: config.GRAVIX_QUOTA_BEAT_MS, log });
  const stop = async () => {
    await shared?.stop(); // the last names this replica admitted stay announced (and owned) after it leaves
    await beats.stop();
    live.stop();
  };
  // A tenant's raw retention bounds the facts it may send (docs/ingest-limits.md): older ones would never count.
  const maxPastMsOf = (tenant: string) => {
    const rawDays = live.get(tenant)?.retention?.rawDays;
    return rawDays === undefined ? undefined : rawDays * 86_400_000;
  };
  return { quotas, routes: shared?.routes ?? buildRouteBudget(config, live), maxPastMsOf, stop };
}

/** The services and routes-per-service quotas shared across replicas by the names each announces (ADR 0090). */
async function startSharedNames(config: IngestConfig, store: ObjectStore, log: Logger, live: LiveTenants) {
  const self = config.GRAVIX_INGESTER_ID;
  const quotasOf = (tenant: string) => live.get(tenant)?.quotas;
  const shares = new SharedCardinality({ self, quotasOf, staleMs: config.GRAVIX_QUOTA_STALE_MS });
  const routes = buildRouteBudget(config, live, shares);
  live.onChange(() => routes.refreshBudgets()); // a changed services/routesPerService quota applies at once
  const names = new ReplicaNamesExchange({
    store,
    source: routes,
    observe: (announced) => shares.observeNames(announced),
    shared: (tenant) =>
      quotasOf(tenant)?.services !== undefined || quotasOf(tenant)?.routesPerService !== undefined,
    self,
    log,
  });
  await names.start();
  const exchange = setInterval(() => void names.tick(), config.GRAVIX_QUOTA_BEAT_MS).unref();
  const stop = async () => {
    clearInterval(exchange);
    await names.tick();
  };
  return { shares, routes, stop };
}

/** The test-only pauses of the WAL and uploader (GRAVIX_TEST_*_DELAY_MS; none by default). */
function buildIngestTestPause(config: IngestConfig, log: Logger) {
  const delays = {
    seal: config.GRAVIX_TEST_SEAL_DELAY_MS,
    upload: config.GRAVIX_TEST_UPLOAD_DELAY_MS,
    delete: config.GRAVIX_TEST_DELETE_DELAY_MS,
  };
  return buildTestPause(delays, log);
}

/** Wires WAL, uploader, metrics and the HTTP app; used by `gravix ingest` and by `gravix dev`. */
export async function startIngestServer(
  config: IngestConfig,
  store: ObjectStore,
  log: Logger,
  options: { stageTimings?: StageTimings } = {},
): Promise<IngestServer> {
  const keysFile = new KeysFile(config.GRAVIX_API_KEYS_FILE, log);
  const keys = await LiveKeys.start({
    fileKeys: keysFile,
    store: new ObjectKeyStore(store),
    reloadMs: config.GRAVIX_KEYS_RELOAD_MS,
    usageFlushMs: config.GRAVIX_KEYS_RELOAD_MS * 10,
    instance: instanceName('ingest', config.GRAVIX_INGESTER_ID),
    log,
  });
  // The WAL, uploader and metrics refer to each other; this holder breaks the cycle.
  const parts: { uploader?: SegmentUploader; wal?: WriteAheadLog } = {};
  const metrics = buildIngestMetrics(
    () => parts.uploader?.backlog() ?? { segments: 0, bytes: 0 },
    () => parts.wal?.diskBytes() ?? 0,
  );
  registerKeysFileMetrics(metrics.registry, keysFile);
  const testPause = buildIngestTestPause(config, log);
  const { wal, recovered } = await WriteAheadLog.open({
    dir: walDir(config),
    maxSegmentBytes: config.GRAVIX_WAL_SEGMENT_BYTES,
    maxSegmentAgeMs: config.GRAVIX_WAL_SEGMENT_AGE_MS,
    perOwnerGroupBytes: config.GRAVIX_WAL_TENANT_GROUP_BYTES,
    smallLaneTenantBytes: config.GRAVIX_WAL_SMALL_LANE_TENANT_BYTES,
    onSealed: (segment) => parts.uploader?.enqueue(segment),
    onFsync: (seconds) => metrics.fsyncDuration.observe(seconds),
    onBackgroundError: (err) => log.error({ err }, 'sealing a write-ahead log segment failed'),
    testPause,
  });
  const uploader = new SegmentUploader({
    store,
    ingesterId: config.GRAVIX_INGESTER_ID,
    log,
    deleteSealed: (segment) => wal.deleteSealed(segment),
    onUploaded: (seconds) => metrics.uploadDuration.observe(seconds),
    onFailure: () => metrics.uploadFailures.inc(),
    onCollision: () => metrics.uploadCollisions.inc(),
    testPause,
    packOnThread: config.GRAVIX_WAL_PACK_THREADS > 0,
  });
  Object.assign(parts, { uploader, wal });
  if (recovered.length > 0) log.info({ segments: recovered.length }, 'recovered sealed segments for upload');
  for (const segment of recovered) uploader.enqueue(segment);
  const tenants = await startTenantQuotas(config, store, log);
  const host = config.GRAVIX_INGEST_HOST;
  const http = await listenHttp(
    buildListener(config, { wal, keys, metrics, log, ...options }, tenants),
    host,
    config.GRAVIX_INGEST_PORT,
    listenOptions(config),
  );
  const metricsHttp = await listenHttp(
    buildIngestMetricsListener(metrics, log),
    host,
    config.GRAVIX_INGEST_METRICS_PORT,
  );
  log.info(
    { port: http.port, metricsPort: metricsHttp.port, ingesterId: config.GRAVIX_INGESTER_ID },
    'ingest listening',
  );
  return {
    port: http.port,
    metricsPort: metricsHttp.port,
    async stop() {
      await http.close();
      await metricsHttp.close();
      await tenants.stop(); // after the last request: the leaving beat carries all of today's bytes
      await keys.stop();
      await wal.close();
      const drained = await uploader.drain(config.GRAVIX_SHUTDOWN_DEADLINE_MS);
      log.info({ drained, backlog: uploader.backlog() }, 'ingest stopped');
      return { drained };
    },
  };
}

import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { dashboardAssetsDir } from '../../dashboards/web/index.js';
import type { Logger } from 'pino';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import type { ObjectStore } from '../adapters/object-store/object-store.js';
import { loadIngestConfig } from '../ingest/config.js';
import { runLoad } from '../loadgen/main.js';
import { startIngestServer } from '../ingest/ingest-server.js';
import { loadQueryConfig } from '../query/config.js';
import { startQueryServer } from '../query/app/query-server.js';
import { startRollupLoop } from '../rollup/app/rollup-loop.js';
import { runRollupOnce } from '../rollup/app/run-rollup-once.js';
import { PartitionBackoff } from '../rollup/domain/partition-backoff.js';
import { buildLogger } from '../shared/logger.js';
import { devRetention, loadDevEnvironment } from './config.js';
import { decideDemoHistory, loadDemoHistoryMarker, saveDemoHistoryMarker } from './demo-history-marker.js';
import { parseDevArgs } from './demo-args.js';
import { sendHistory } from '../loadgen/send-history.js';
import { loadOrCreateDevApiKey } from './dev-api-key.js';
import { startAlertWorker } from '../alert/app/alert-worker.js';
import { loadAlertInputs, type AlertInputs } from '../alert/app/alert-inputs.js';
import { loadAlertConfig, type AlertConfig } from '../alert/config.js';
import { LiveTenants } from '../adapters/tenants/live-tenants.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { waitForStopRequest } from './stop-request.js';

/** `--tenants tenants.yaml`: the tenants file every embedded worker reads (GRAVIX_TENANTS_FILE). */
function tenantsFileArg(argv: string[]): Record<string, string> {
  const at = argv.indexOf('--tenants');
  if (at === -1) return {};
  const file = argv[at + 1];
  if (!file || file.startsWith('--'))
    throw new Error('--tenants needs a tenants file: gravix dev --tenants tenants.yaml');
  return { GRAVIX_TENANTS_FILE: file };
}

/** The embedded mode includes the open hour, so a newcomer sees metrics within a minute. */
function rollupOptions(
  store: ObjectStore,
  log: Logger,
  scanThreads: number,
  tenants: LiveTenants,
  maxPastMs: number,
) {
  return {
    retentionOverride: (tenant: string) => tenants.get(tenant)?.retention,
    store,
    scanThreads,
    latenessMs: 120_000,
    includeOpen: true,
    ...devRetention(maxPastMs),
    log,
  };
}

/** The demo's traffic shape: live (loadgen) and back-dated (--history) alike, so the weeks line up. */
const demoTraffic = { services: 5, paths: 8, seed: 42, 'deploy-every': 600 } as const;

/**
 * `--demo`: live modelled traffic from now on, and with `--history` the weeks before it, sent through the same
 * ingest API (WAL, segments, the rollup) back-dated, so week-over-week and deploy markers show on first start.
 */
function startDemo(
  target: { url: string; key: string; rate: number },
  historyMs: number | undefined,
  dataDir: string,
  signal: AbortSignal,
  log: Logger,
): void {
  const now = Date.now();
  const live = { ...target, ...demoTraffic, duration: 10 ** 9 };
  void runLoad(live, undefined, signal).catch((err) => log.error({ err }, 'demo traffic stopped'));
  if (historyMs === undefined) return;
  const history = { ...target, ...demoTraffic, from: now - historyMs, to: now };
  void sendHistoryOnce(history, dataDir, signal, log).catch((err) =>
    log.error({ err }, 'demo history failed'),
  );
}

/** The history goes to a data directory once (demo-history-marker.ts): sent again, its hours counted twice. */
async function sendHistoryOnce(
  history: Parameters<typeof sendHistory>[0],
  dataDir: string,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  const decision = decideDemoHistory(await loadDemoHistoryMarker(dataDir));
  if (decision.action === 'skip') {
    const { from, to } = decision.marker;
    const sent = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    if (decision.reason === 'sent')
      log.info(sent, 'demo history already in this data directory: not sent again');
    else
      log.warn(
        sent,
        'demo history was interrupted in this data directory: not sent again (it would count twice); start on an empty data directory for a whole one',
      );
    return;
  }
  await saveDemoHistoryMarker(dataDir, { from: history.from, to: history.to, complete: false });
  log.info({ from: new Date(history.from).toISOString(), rate: history.rate }, 'demo history started');
  let logged = history.from;
  let waits = 0;
  const sent = await sendHistory(history, signal, {
    onBatch: (sentUpTo, facts) => {
      // A line per back-dated day sent, so a long backfill shows it is moving.
      if (sentUpTo - logged < 86_400_000) return;
      logged = sentUpTo;
      log.info({ sentUpTo: new Date(sentUpTo).toISOString(), facts }, 'demo history progress');
    },
    // Ingest pushing back (429/503) is waited out; the first and every 100th wait say why.
    onWait: (status, answer) => {
      if (waits++ % 100 === 0) log.warn({ status, answer, waits }, 'demo history waits for ingest');
    },
  });
  if (signal.aborted) {
    log.info(sent, 'demo history stopped before its end');
    return;
  }
  await saveDemoHistoryMarker(dataDir, { from: history.from, to: history.to, complete: true });
  log.info(sent, 'demo history sent');
}

/**
 * A launcher that died leaves this process the shutdown deadline to stop (its in-flight pass and the drain), then
 * it exits: what the write-ahead log acknowledged is safe either way, and a restart waits for this process.
 */
function exitAfterDeadline(deadlineMs: number, log: Logger): void {
  log.warn({ deadlineMs }, 'gravix dev launcher gone: stopping');
  setTimeout(() => {
    log.warn({ deadlineMs }, 'gravix dev stop passed its deadline: exiting');
    process.exit(3);
  }, deadlineMs).unref();
}

/**
 * `--alerts rules.yaml`: the alert worker's configuration, rules and channels, read before any server starts so a
 * file it cannot use stops `gravix dev` with the configuration error at once (docs/alerts.md).
 */
function loadDevAlerts(
  argv: string[],
  env: Record<string, string | undefined>,
  queryConfig: ReturnType<typeof loadQueryConfig>,
  log: Logger,
): { config: AlertConfig; inputs: AlertInputs } | undefined {
  const at = argv.indexOf('--alerts');
  if (at === -1) return undefined;
  const file = argv[at + 1];
  if (!file || file.startsWith('--'))
    throw new Error('--alerts needs a rules file: gravix dev --alerts rules.yaml');
  const dashboard = `http://127.0.0.1:${queryConfig.GRAVIX_QUERY_PORT}/`;
  const config = loadAlertConfig({
    GRAVIX_ALERT_METRICS_PORT: '0',
    GRAVIX_ALERT_HOST: '127.0.0.1',
    GRAVIX_ALERT_DASHBOARD_URL: dashboard,
    // The embedded ingester seals segments every 10 s: a minute is complete ~20 s after it ends.
    GRAVIX_ALERT_SETTLE_MS: '20000',
    ...env,
    GRAVIX_ALERT_RULES_FILE: file,
  });
  return { config, inputs: loadAlertInputs(config, log) };
}

/**
 * `gravix dev [--demo [--history 8d]]`: the embedded pipeline in one process on a data directory — ingestion, a rollup every
 * minute, and the query API on embedded DuckDB serving the dashboard (built by `npm run build`). That process is
 * the launcher's child (dev-command.ts, docs/adr/0109); `launcherFd` is the pipe that tells it the launcher is gone.
 */
export async function run(argv: string[], launcherFd?: number): Promise<number> {
  const args = parseDevArgs(argv);
  const {
    env,
    dataDir,
    GRAVIX_ROLLUP_INTERVAL_MS: intervalMs,
    GRAVIX_ROLLUP_SCAN_THREADS: scanThreads,
    GRAVIX_DEMO_RATE: demoRate,
    GRAVIX_DEV_HEAP_GROWING_PERCENT: heapGrowingPercent,
  } = loadDevEnvironment({ ...process.env, ...tenantsFileArg(argv) }, args.historyMs);
  // Read by V8 at each full collection, so setting it here (before the servers allocate) takes effect.
  if (heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`);
  // Before anything touches the data directory: one pipeline per directory (its write-ahead log, its rollup).
  const lock = await acquireDataDirLock(dataDir);
  const { key, keysFile } = loadOrCreateDevApiKey(dataDir);
  const local = { GRAVIX_STORE: 'local', GRAVIX_API_KEYS_FILE: keysFile };
  // One process serves both APIs: their metrics listeners take free ports unless the user picks them.
  const config = loadIngestConfig({ GRAVIX_INGEST_METRICS_PORT: '0', ...env, ...local });
  const queryConfig = loadQueryConfig({
    GRAVIX_DASHBOARD_DIR: dashboardAssetsDir(),
    GRAVIX_QUERY_METRICS_PORT: '0',
    ...env,
    ...local,
    GRAVIX_QUERY_ENGINE: 'duckdb',
  });
  const log = buildLogger('gravix-dev', config.GRAVIX_LOG_LEVEL);
  const devAlerts = loadDevAlerts(argv, env, queryConfig, log);
  const store = new LocalObjectStore(join(config.GRAVIX_DATA_DIR, 'store'));
  const tenants = new LiveTenants(config.GRAVIX_TENANTS_FILE, log);
  const ingest = await startIngestServer(config, store, log);
  // The dashboard's first-event curl must name the port ingestion really listens on (it may be a free one).
  const query = await startQueryServer(
    { ...queryConfig, GRAVIX_DASHBOARD_INGEST_PORT: ingest.port },
    store,
    log,
  );
  const ingestUrl = `http://127.0.0.1:${ingest.port}`;
  log.info(
    {
      ingestUrl: `${ingestUrl}/api/v1/facts`,
      queryUrl: `http://127.0.0.1:${query.port}/`,
      apiKeyFile: join(config.GRAVIX_DATA_DIR, 'dev-api-key'),
    },
    'gravix dev ready',
  );
  const alerts =
    devAlerts && (await startAlertWorker(devAlerts.config, devAlerts.inputs, store, query.engine, log));
  const demo = new AbortController();
  if (args.demo)
    startDemo(
      { url: ingestUrl, key, rate: demoRate },
      args.historyMs,
      config.GRAVIX_DATA_DIR,
      demo.signal,
      log,
    );
  // Failing partitions are retried with backoff so one bad tenant-hour does not cost every pass its time.
  const backoff = new PartitionBackoff({ maxMs: 3_600_000 });
  const rollups = startRollupLoop({
    ...rollupOptions(store, log, scanThreads, tenants, config.GRAVIX_MAX_PAST_MS),
    intervalMs,
    backoff,
  });
  const reason = await waitForStopRequest(launcherFd);
  lock.markStopping();
  if (reason === 'launcher-gone') exitAfterDeadline(config.GRAVIX_SHUTDOWN_DEADLINE_MS, log);
  demo.abort();
  await alerts?.stop();
  const { drained } = await ingest.stop();
  await rollups.stop();
  // One last pass so what was just uploaded is queryable on the next start (the next start's first pass does it
  // when the launcher died: then this process stops as quickly as it can).
  if (reason === 'signal')
    await runRollupOnce(rollupOptions(store, log, scanThreads, tenants, config.GRAVIX_MAX_PAST_MS));
  await query.stop();
  await lock.release();
  return drained ? 0 : 3;
}

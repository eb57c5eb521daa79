import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import type { QueryEngine } from '../../query/app/query-engine.js';
import { buildMetricsRegistry } from '../../shared/metrics-registry.js';
import { AlertStore } from '../adapters/alert-store.js';
import { EngineAlertData } from '../adapters/engine-alert-data.js';
import { startKubeAlerting } from '../adapters/kube-alerting.js';
import type { AlertConfig } from '../config.js';
import { AlertEvaluator, startAlertLoop } from './alert-evaluator.js';
import type { AlertInputs } from './alert-inputs.js';
import { mergeRuleSources } from './merge-rule-sources.js';
import { AlertMetrics } from './alert-metrics.js';
import { Notifier } from './notifier.js';

export interface AlertWorker {
  metricsPort: number;
  stop(): Promise<void>;
}

function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.once('error', reject);
  });
}

/** /live, /ready and /metrics. A standby is ready too (it serves /metrics and waits for the Lease). */
function buildProbeApp(registry: Registry, ready: () => boolean): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/live', (_req, res) => void res.json({ status: 'ok' }));
  // On Kubernetes: once the GravixAlertRules are listed (before, an empty rule set would be a mistake).
  app.get('/ready', (_req, res) => {
    if (!ready()) return void res.status(503).json({ status: 'rules not listed yet' });
    res.json({ status: 'ok' });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  return app;
}

/** The evaluation loop, run only while this replica leads (always, without Kubernetes). */
class LoopWhileLeading {
  private loop: { stop(): Promise<void> } | undefined;
  private stopping: Promise<void> = Promise.resolve();

  constructor(private readonly start: () => { stop(): Promise<void> }) {}

  readonly lead = () => {
    this.loop ??= this.start();
  };

  /** Stops evaluating; a tick in flight finishes (its state writes are conditional puts either way). */
  readonly follow = () => {
    this.stopping = this.loop?.stop() ?? this.stopping;
    this.loop = undefined;
  };

  async stop(): Promise<void> {
    this.follow();
    await this.stopping;
  }
}

/**
 * The alert worker: the rules file's rules (read by loadAlertInputs before anything started) put into the store,
 * the channels resolved from their secrets, the evaluator loop, and /metrics. `gravix alert` runs it alone over its
 * own engine; `gravix dev` in-process over the query server's engine.
 */
export async function startAlertWorker(
  config: Omit<AlertConfig, 'query'>,
  inputs: AlertInputs,
  store: ObjectStore,
  engine: QueryEngine,
  log: Logger,
): Promise<AlertWorker> {
  const alerts = new AlertStore(store);
  for (const rule of inputs.rules) await alerts.putRule(rule.selector.tenant, rule);
  const { channels } = inputs;
  const registry = buildMetricsRegistry();
  const metrics = new AlertMetrics(registry);
  const kube = config.kubernetes ? startKubeAlerting(config.kubernetes, alerts, registry, log) : undefined;
  const notifier = new Notifier({
    channels: () => channels.current(),
    store: alerts,
    metrics,
    log,
    send: {
      dashboardUrl: config.GRAVIX_ALERT_DASHBOARD_URL,
      alertmanagerValidForMs: config.GRAVIX_ALERT_ALERTMANAGER_VALID_MS,
      timeoutMs: config.GRAVIX_ALERT_SEND_TIMEOUT_MS,
      now: Date.now,
    },
    attempts: config.GRAVIX_ALERT_SEND_ATTEMPTS,
    backoffMs: config.GRAVIX_ALERT_SEND_BACKOFF_MS,
    giveUpAfterMs: config.GRAVIX_ALERT_GIVE_UP_MS,
  });
  const evaluator = new AlertEvaluator({
    store,
    alerts,
    data: new EngineAlertData(engine),
    notifier,
    metrics,
    log,
    rules: async () => {
      const rules = mergeRuleSources(kube?.rules.valid() ?? [], await alerts.listRules());
      for (const r of rules)
        for (const c of r.channels.filter((name) => !notifier.hasChannel(name)))
          log.warn({ rule: r.name, channel: c }, 'alert rule names a channel that is not configured');
      return rules;
    },
    settleMs: config.GRAVIX_ALERT_SETTLE_MS,
    catchUpMinutes: config.GRAVIX_ALERT_CATCH_UP_MINUTES,
    staleMs: config.GRAVIX_ALERT_STALE_MS,
  });
  const app = buildProbeApp(registry, () => !kube || kube.rules.synced);
  const server = await listen(app, config.GRAVIX_ALERT_METRICS_PORT, config.GRAVIX_ALERT_HOST);
  const metricsPort = (server.address() as AddressInfo).port;
  // On Kubernetes each tick ends by writing the GravixAlertRules' status (only what changed).
  const ticker = {
    tick: async (signal?: AbortSignal) => {
      await evaluator.tick(signal);
      await kube?.statusWriter.sync();
    },
  };
  const loop = new LoopWhileLeading(() => startAlertLoop(ticker, config.GRAVIX_ALERT_INTERVAL_MS, log));
  if (kube) kube.elect(loop.lead, loop.follow);
  else loop.lead();
  log.info({ metricsPort, channels: channels.current().map((c) => c.name) }, 'alert worker started');
  return {
    metricsPort,
    async stop() {
      await loop.stop();
      // Releases the Lease, so a standby takes over at once.
      await kube?.stop();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeIdleConnections();
      });
    },
  };
}

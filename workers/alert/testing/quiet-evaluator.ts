import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { NamedAlertRule } from '../../../crds/gravix-alert-rule-spec.js';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { AlertStore } from '../adapters/alert-store.js';
import type { AlertData } from '../app/alert-data.js';
import { AlertEvaluator } from '../app/alert-evaluator.js';
import { AlertMetrics } from '../app/alert-metrics.js';
import { Notifier } from '../app/notifier.js';

/**
 * The real AlertEvaluator and Notifier with no channels and a silent log, settling at once: what a test needs when
 * it judges decisions in the store and metrics, not notifications.
 */
export function buildQuietEvaluator(options: {
  store: ObjectStore;
  data: AlertData;
  rules: () => Promise<NamedAlertRule[]>;
  catchUpMinutes: number;
  alerts?: AlertStore;
}) {
  const registry = new Registry();
  const metrics = new AlertMetrics(registry);
  const alerts = options.alerts ?? new AlertStore(options.store);
  const log = pino({ level: 'silent' });
  const notifier = new Notifier({
    channels: () => [],
    store: alerts,
    metrics,
    log,
    send: {
      dashboardUrl: 'http://gravix.test/',
      alertmanagerValidForMs: 300_000,
      timeoutMs: 1000,
      now: Date.now,
    },
    attempts: 1,
    backoffMs: 0,
    giveUpAfterMs: 3_600_000,
  });
  const evaluator = new AlertEvaluator({
    store: options.store,
    alerts,
    data: options.data,
    notifier,
    metrics,
    log,
    rules: options.rules,
    settleMs: 0,
    catchUpMinutes: options.catchUpMinutes,
    staleMs: 3_600_000,
  });
  return { evaluator, registry, alerts };
}

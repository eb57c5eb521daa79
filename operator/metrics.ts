import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The operator's Prometheus metrics, on their own registry so tests can create several operators. */
export function createOperatorMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gravix_operator_' });
  return {
    registry,
    reconciles: new Counter({
      name: 'gravix_operator_reconcile_total',
      help: 'Reconcile passes by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    reconcileSeconds: new Histogram({
      name: 'gravix_operator_reconcile_duration_seconds',
      help: 'Duration of one reconcile pass',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers: [registry],
    }),
    syntheses: new Counter({
      name: 'gravix_operator_synth_total',
      help: 'Passes by whether they synthesized the children (synthesized) or found inputs and children unchanged (skipped)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'gravix_operator_queue_depth',
      help: 'Keys waiting in the work queue',
      registers: [registry],
    }),
    watchRestarts: new Counter({
      name: 'gravix_operator_watch_restarts_total',
      help: 'Watch streams restarted after an error',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    apiRequests: new Counter({
      name: 'gravix_operator_api_requests_total',
      help: 'Requests the controller sent to the apiserver, by verb (WATCH: a watch stream opened) and resource',
      labelNames: ['verb', 'resource'] as const,
      registers: [registry],
    }),
    writesRefused: new Counter({
      name: 'gravix_operator_writes_refused_total',
      help: 'Writes refused before sending because this replica was not surely the leader (renew deadline passed)',
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'gravix_operator_leader',
      help: '1 while this replica reconciles',
      registers: [registry],
    }),
  };
}

export type OperatorMetrics = ReturnType<typeof createOperatorMetrics>;

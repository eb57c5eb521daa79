import { Registry, collectDefaultMetrics } from 'prom-client';

// prom-client names these gauges *_total, which promtool (rightly) flags; the same counts stay available as
// nodejs_active_handles, nodejs_active_requests and nodejs_active_resources.
const promtoolRejectedDefaults = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** A registry with the process/runtime default metrics, minus the ones whose names break Prometheus conventions. */
export function buildMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of promtoolRejectedDefaults) registry.removeSingleMetric(name);
  return registry;
}

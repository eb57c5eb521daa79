import type { Registry } from 'prom-client';
import { createOperatorMetrics } from '../../operator/metrics.js';
import { buildIngestMetrics } from '../../workers/ingest/ingest-metrics.js';
import { buildRollupMetrics } from '../../workers/rollup/app/rollup-metrics.js';
import { SELF_MONITORING_METRICS, type MetricFamily } from './self-monitoring-metrics.js';

async function describeRegistry(registry: Registry, names: string[]) {
  const registered = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
  return names.map((name) => {
    const metric = registry.getSingleMetric(name) as unknown as { labelNames?: string[] } | undefined;
    return { name, type: registered.get(name), labels: [...(metric?.labelNames ?? [])].sort() };
  });
}

const expected = (families: MetricFamily[]) =>
  families.map((m) => ({ name: m.name, type: m.type, labels: [...m.labels].sort() }));

describe('the self-monitoring metric catalog', () => {
  it('matches the names, types and labels the ingestion worker registers', async () => {
    const { registry } = buildIngestMetrics(
      () => ({ segments: 0, bytes: 0 }),
      () => 0,
    );
    const families = SELF_MONITORING_METRICS.filter((m) => m.exposedBy === 'ingest');
    expect(
      await describeRegistry(
        registry,
        families.map((m) => m.name),
      ),
    ).toEqual(expected(families));
  });

  it('matches the names, types and labels the operator registers', async () => {
    const { registry } = createOperatorMetrics();
    const families = SELF_MONITORING_METRICS.filter((m) => m.exposedBy === 'operator');
    expect(
      await describeRegistry(
        registry,
        families.map((m) => m.name),
      ),
    ).toEqual(expected(families));
  });

  it('matches the names, types and labels the rollup loop registers', async () => {
    const { registry } = buildRollupMetrics();
    const families = SELF_MONITORING_METRICS.filter((m) => m.exposedBy === 'rollup');
    expect(
      await describeRegistry(
        registry,
        families.map((m) => m.name),
      ),
    ).toEqual(expected(families));
  });

  it('includes the process metrics the dashboard reads, as prom-client exposes them', async () => {
    const { registry } = buildIngestMetrics(
      () => ({ segments: 0, bytes: 0 }),
      () => 0,
    );
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toContain('process_resident_memory_bytes');
  });
});

import { buildIngestMetrics } from '../../workers/ingest/ingest-metrics.js';
import { SELF_MONITORING_METRICS } from './self-monitoring-metrics.js';

describe('the self-monitoring metric catalog', () => {
  it('matches the names, types and labels the ingestion worker registers', async () => {
    const { registry } = buildIngestMetrics(
      () => ({ segments: 0, bytes: 0 }),
      () => 0,
    );
    const registered = await registry.getMetricsAsJSON();
    const byName = new Map(registered.map((m) => [m.name, { type: String(m.type) }]));
    for (const metric of SELF_MONITORING_METRICS.filter((m) => m.exposedBy === 'ingest')) {
      const found = byName.get(metric.name);
      expect({ name: metric.name, type: found?.type }).toEqual({ name: metric.name, type: metric.type });
      const labelNames = (registry.getSingleMetric(metric.name) as unknown as { labelNames: string[] })
        .labelNames;
      expect({ name: metric.name, labels: [...labelNames].sort() }).toEqual({
        name: metric.name,
        labels: [...metric.labels].sort(),
      });
    }
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

import { parsePromqlMetricNames } from '../dashboards/prometheus/promql-metric-names.js';
import { KNOWN_SERIES } from '../dashboards/prometheus/self-monitoring-metrics.js';
import { parsePipeline } from '../crds/gravix-pipeline.js';
import { buildGrafanaDashboard } from './grafana-dashboard.js';
import { synthPipeline } from './pipeline-chart.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { repoPath } from '../testbin/harness/testbin-paths.js';

const pipeline = parsePipeline(
  parse(readFileSync(repoPath('cdk8s', 'testing', 'pipeline-full.yaml'), 'utf8')),
);

describe('per-pipeline monitoring the operator deploys', () => {
  it('only queries metrics Gravix (or Prometheus) really exposes', () => {
    const rules = synthPipeline(pipeline, {
      generate: (n) => 'x'.repeat(n),
      prometheusOperator: true,
    }).filter((m) => m.kind === 'PrometheusRule');
    const exprs = [
      ...rules.flatMap((r) =>
        ((r['spec'] as { groups: { rules: { expr: string }[] }[] }).groups ?? []).flatMap((g) =>
          g.rules.map((x) => x.expr),
        ),
      ),
      ...buildGrafanaDashboard(pipeline).panels.flatMap((p) => p.targets.map((t) => t.expr)),
    ];
    expect(exprs.length).toBeGreaterThan(3);
    const unknown = exprs.flatMap(parsePromqlMetricNames).filter((name) => !KNOWN_SERIES.has(name));
    expect(unknown).toEqual([]);
  });
});

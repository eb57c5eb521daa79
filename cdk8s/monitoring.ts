import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeConfigMap } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { buildGrafanaDashboard } from './grafana-dashboard.js';
import { childMetadata, childName, COMPONENT_LABEL, PIPELINE_LABEL } from './naming.js';

/** The pipeline's own alerts; dashboards/prometheus/pipeline-rules.int.test.ts runs them through promtool. */
export function buildPipelineAlertRules(pipeline: GravixPipeline) {
  const { name, namespace } = pipeline.metadata;
  const sel = `namespace="${namespace}",service=~"${name}-(ingest|query|rollup)"`;
  // The rollup's own gauge (the query server exposes one per tenant from the manifests, which stops moving
  // when no data arrives); 0 until its first successful pass, absent when the rollup is not running at all.
  const lastSuccess = `gravix_rollup_last_success_timestamp_seconds{namespace="${namespace}",service="${name}-rollup"}`;
  return [
    {
      alert: 'GravixTargetDown',
      expr: `up{${sel}} == 0`,
      for: '5m',
      labels: { severity: 'critical' },
      annotations: { summary: 'A Gravix {{ $labels.service }} pod is not scrapeable' },
    },
    {
      alert: 'GravixIngestRejectingRequests',
      expr: `sum(rate(gravix_ingest_http_requests_total{${sel},status=~"429|503"}[5m])) > 0`,
      for: '10m',
      labels: { severity: 'warning' },
      annotations: { summary: 'Gravix ingestion is shedding load (429/503) - scale up or add disk' },
    },
    {
      alert: 'GravixRollupStale',
      expr: `time() - max by (namespace, service) (${lastSuccess}) > 600 or absent(${lastSuccess})`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'The Gravix rollup has not succeeded for 10 minutes (or never): minute metrics are stale',
      },
    },
  ];
}

type ChildMetadata = ReturnType<typeof childMetadata>;

function prometheusObjects(scope: Construct, pipeline: GravixPipeline, metadata: ChildMetadata) {
  new ApiObject(scope, 'servicemonitor', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata,
    spec: {
      selector: {
        matchLabels: { [PIPELINE_LABEL]: pipeline.metadata.name },
        matchExpressions: [{ key: COMPONENT_LABEL, operator: 'In', values: ['ingest', 'query', 'rollup'] }],
      },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
    },
  });
  new ApiObject(scope, 'prometheusrule', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata,
    spec: { groups: [{ name: 'gravix', rules: buildPipelineAlertRules(pipeline) }] },
  });
}

/** ServiceMonitor + PrometheusRule (raw ApiObjects: no offline schema import) and a Grafana dashboard ConfigMap. */
export class Monitoring extends Construct {
  constructor(
    scope: Construct,
    id: string,
    props: { pipeline: GravixPipeline; prometheusOperator: boolean },
  ) {
    super(scope, id);
    const { pipeline } = props;
    const metadata = childMetadata(pipeline, 'monitoring', childName(pipeline, 'monitoring'));
    if (props.prometheusOperator) prometheusObjects(this, pipeline, metadata);
    new KubeConfigMap(this, 'dashboard', {
      metadata: {
        ...childMetadata(pipeline, 'monitoring', childName(pipeline, 'grafana-dashboard')),
        // The Grafana sidecar imports ConfigMaps carrying this label.
        labels: { ...metadata.labels, grafana_dashboard: '1' },
      },
      data: { 'gravix.json': JSON.stringify(buildGrafanaDashboard(pipeline), null, 2) },
    });
  }
}

import type { GravixPipeline } from '../crds/gravix-pipeline.js';

function panel(id: number, title: string, expr: string, unit: string) {
  return {
    id,
    title,
    type: 'timeseries',
    gridPos: { h: 8, w: 12, x: ((id - 1) % 2) * 12, y: Math.floor((id - 1) / 2) * 8 },
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: [{ expr, refId: 'A' }],
  };
}

/** Operational dashboard for the pipeline's own health (not the service metrics it stores). */
export function buildGrafanaDashboard(pipeline: GravixPipeline) {
  const ns = pipeline.metadata.namespace;
  const sel = `namespace="${ns}",service="${pipeline.metadata.name}-ingest"`;
  return {
    title: `Gravix pipeline ${ns}/${pipeline.metadata.name}`,
    uid: `gravix-${ns}-${pipeline.metadata.name}`.slice(0, 40),
    schemaVersion: 39,
    tags: ['gravix'],
    time: { from: 'now-6h', to: 'now' },
    panels: [
      panel(1, 'Ingested facts / s', `sum(rate(gravix_ingest_facts_accepted_total{${sel}}[5m]))`, 'ops'),
      panel(
        2,
        'Rejected requests / s',
        `sum by (status) (rate(gravix_ingest_http_requests_total{${sel},status=~"4..|5.."}[5m]))`,
        'ops',
      ),
      panel(3, 'WAL bytes buffered', `sum(gravix_wal_bytes{${sel}})`, 'bytes'),
      panel(
        4,
        'Rollup lag',
        `time() - max(gravix_rollup_last_success_timestamp_seconds{namespace="${ns}"})`,
        's',
      ),
    ],
  };
}

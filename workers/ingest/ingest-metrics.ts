import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { buildMetricsRegistry } from '../shared/metrics-registry.js';

/** Gauges read at scrape time from the WAL and the uploader. */
function buildBacklogGauges(
  registry: Registry,
  backlog: () => { segments: number; bytes: number },
  walBytes: () => number,
) {
  const registers = [registry];
  return {
    walBytes: new Gauge({
      name: 'gravix_wal_bytes',
      help: 'Bytes of write-ahead log on local disk (open plus sealed, not yet uploaded).',
      registers,
      collect() {
        this.set(walBytes());
      },
    }),
    backlogSegments: new Gauge({
      name: 'gravix_upload_backlog_segments',
      help: 'Sealed segments waiting for upload.',
      registers,
      collect() {
        this.set(backlog().segments);
      },
    }),
    backlogBytes: new Gauge({
      name: 'gravix_upload_backlog_bytes',
      help: 'Bytes of sealed segments waiting for upload.',
      registers,
      collect() {
        this.set(backlog().bytes);
      },
    }),
  };
}

/** The ingestion worker's Prometheus metrics; names are shared with dashboards/ and the PrometheusRules. */
export function buildIngestMetrics(
  backlog: () => { segments: number; bytes: number },
  walBytes: () => number,
) {
  const registry = buildMetricsRegistry();
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'gravix_ingest_http_requests_total',
      help: 'HTTP requests handled by the ingestion API.',
      labelNames: ['route', 'status'],
      registers,
    }),
    requestDuration: new Histogram({
      name: 'gravix_ingest_request_duration_seconds',
      help: 'Time from request start to durable response.',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    factsAccepted: new Counter({
      name: 'gravix_ingest_facts_accepted_total',
      help: 'Request facts accepted and made durable.',
      labelNames: ['tenant'],
      registers,
    }),
    factsRejected: new Counter({
      name: 'gravix_ingest_facts_rejected_total',
      help: 'Items rejected by validation (kept in the dead-letter store).',
      labelNames: ['tenant', 'code'],
      registers,
    }),
    edgesAccepted: new Counter({
      name: 'gravix_ingest_otlp_edges_accepted_total',
      help: 'OTLP CLIENT spans accepted as service-map edges and made durable.',
      labelNames: ['tenant'],
      registers,
    }),
    spansSkipped: new Counter({
      name: 'gravix_ingest_otlp_spans_skipped_total',
      help: 'OTLP spans that are neither HTTP server or consumer spans nor CLIENT spans: counted and not stored.',
      labelNames: ['tenant'],
      registers,
    }),
    eventsAccepted: new Counter({
      name: 'gravix_ingest_events_accepted_total',
      help: 'Service events (deploys, incidents) accepted.',
      labelNames: ['tenant'],
      registers,
    }),
    fsyncDuration: new Histogram({
      name: 'gravix_wal_fsync_duration_seconds',
      help: 'Duration of each group commit (write + fdatasync).',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    ...buildBacklogGauges(registry, backlog, walBytes),
    uploadFailures: new Counter({
      name: 'gravix_upload_failures_total',
      help: 'Failed segment upload attempts (retried with backoff).',
      registers,
    }),
    uploadCollisions: new Counter({
      name: 'gravix_upload_collisions_total',
      help: 'Segment objects whose key already held different records; the segment is kept on disk, never replaced.',
      registers,
    }),
    uploadDuration: new Histogram({
      name: 'gravix_upload_duration_seconds',
      help: 'Time to upload and verify one sealed segment.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
  };
}

export type IngestMetrics = ReturnType<typeof buildIngestMetrics>;

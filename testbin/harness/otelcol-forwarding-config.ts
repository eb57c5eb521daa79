/** What an OpenTelemetry Collector forwarding OTLP/HTTP traces to Gravix is told. */
export interface OtelcolForwarding {
  /** Loopback port of the Collector's own OTLP/HTTP receiver. */
  receiverPort: number;
  /** Gravix ingest base URL the otlphttp exporter posts to. */
  gravixUrl: string;
  /** The tenant's API key, sent as exporters send it (Authorization header). */
  key: string;
  /** The batch processor's send_batch_size. */
  batchSize: number;
  /** The batch processor's send_batch_max_size, when the batch must stay under Gravix's items-per-batch limit. */
  batchMaxSize?: number;
  /** Set the exporter's compression explicitly (its default is gzip too). */
  compression?: 'gzip';
}

/**
 * The Collector config (YAML) of every test and bench that forwards through testbin's otelcol: an OTLP/HTTP
 * receiver on loopback, the batch processor, the otlphttp exporter to Gravix, the Collector's own metrics off.
 */
export function otelcolForwardingConfig(f: OtelcolForwarding): string {
  return [
    'receivers:',
    '  otlp:',
    '    protocols:',
    '      http:',
    `        endpoint: 127.0.0.1:${f.receiverPort}`,
    'processors:',
    '  batch:',
    `    send_batch_size: ${f.batchSize}`,
    ...(f.batchMaxSize === undefined ? [] : [`    send_batch_max_size: ${f.batchMaxSize}`]),
    '    timeout: 200ms',
    'exporters:',
    '  otlphttp:',
    `    endpoint: ${f.gravixUrl}`,
    ...(f.compression ? [`    compression: ${f.compression}`] : []),
    '    headers:',
    `      Authorization: "Bearer ${f.key}"`,
    'service:',
    '  telemetry:',
    '    metrics:',
    '      level: none',
    '  pipelines:',
    '    traces:',
    '      receivers: [otlp]',
    '      processors: [batch]',
    '      exporters: [otlphttp]',
  ].join('\n');
}

import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import { MetricsExporterMetricsHelper, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import {
  AggregationTemporality,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

/**
 * The OpenTelemetry JS OTLP/HTTP protobuf metrics exporter, assembled as `@opentelemetry/exporter-metrics-otlp-proto`
 * assembles its own (that package is not a dependency here): the SDK's HTTP export delegate with its protobuf
 * metrics serializer, retries and response handling, plus the temporality the exporter asks the reader for.
 */
export class OtlpProtoMetricExporter extends OTLPExporterBase<ResourceMetrics> implements PushMetricExporter {
  constructor(
    url: string,
    headers: Record<string, string>,
    private readonly temporality: AggregationTemporality,
  ) {
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions({ url, headers }, 'METRICS', 'v1/metrics', {
          'Content-Type': 'application/x-protobuf',
        }),
        ProtobufMetricsSerializer,
        'otlp_http_metric_exporter',
        MetricsExporterMetricsHelper,
        undefined,
      ),
    );
  }

  selectAggregationTemporality(): AggregationTemporality {
    return this.temporality;
  }
}

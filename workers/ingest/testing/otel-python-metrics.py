"""Records http.server.request.duration through the OpenTelemetry Python SDK's OTLP/HTTP metric exporter.

The exporter is configured only from the environment (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS,
OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE, OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION), as
docs/opentelemetry.md tells Python users to. Reads {"service", "batches": [[{method, route, status, seconds}]]} as
JSON on stdin; records each batch, then exports (so a cumulative series is exported once per batch, each time
with everything before); prints the export results; exits 1 when an export failed.
"""

import json
import sys

from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExportResult, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource


class RecordingExporter(OTLPMetricExporter):
    results = []

    def export(self, metrics_data, timeout_millis=10_000, **kwargs):
        result = super().export(metrics_data, timeout_millis=timeout_millis, **kwargs)
        self.results.append(result.name)
        return result


work = json.load(sys.stdin)
exporter = RecordingExporter()
# A long interval: only the explicit flushes below export.
reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
provider = MeterProvider(resource=Resource.create({"service.name": work["service"]}), metric_readers=[reader])
meter = provider.get_meter("gravix-otlp-test")
duration = meter.create_histogram(
    "http.server.request.duration",
    unit="s",
    # The semantic conventions' advice for this metric.
    explicit_bucket_boundaries_advisory=[0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
)
for batch in work["batches"]:
    for r in batch:
        duration.record(
            r["seconds"],
            {"http.request.method": r["method"], "http.route": r["route"], "http.response.status_code": r["status"]},
        )
    provider.force_flush()
provider.shutdown()
print(json.dumps(exporter.results))
sys.exit(0 if exporter.results and all(r == "SUCCESS" for r in exporter.results) else 1)

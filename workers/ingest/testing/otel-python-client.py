"""Sends a workload of SERVER spans through the OpenTelemetry Python SDK's OTLP/HTTP exporter.

The exporter is configured only from the environment (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS),
as docs/opentelemetry.md tells Python users to. Reads {"service", "spans": [...]} as JSON on stdin; prints the
export results; exits 1 when an export failed.
"""

import json
import sys

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import SpanKind, Status, StatusCode


class RecordingExporter(SpanExporter):
    def __init__(self, inner):
        self.inner = inner
        self.results = []

    def export(self, spans):
        result = self.inner.export(spans)
        self.results.append([len(spans), result.name])
        return result

    def shutdown(self):
        self.inner.shutdown()

    def force_flush(self, timeout_millis=30000):
        return True


work = json.load(sys.stdin)
exporter = RecordingExporter(OTLPSpanExporter())
provider = TracerProvider(resource=Resource.create({"service.name": work["service"]}))
provider.add_span_processor(BatchSpanProcessor(exporter, max_export_batch_size=64))
tracer = provider.get_tracer("gravix-otlp-test")
for s in work["spans"]:
    span = tracer.start_span(
        s["name"],
        kind=SpanKind.SERVER,
        start_time=int(s["startNs"]),
        attributes={
            "http.request.method": s["method"],
            "http.route": s["route"],
            "http.response.status_code": s["status"],
        },
    )
    if s["status"] >= 500:
        span.set_status(Status(StatusCode.ERROR))
    span.end(end_time=int(s["endNs"]))
provider.force_flush()
provider.shutdown()
print(json.dumps(exporter.results))
sys.exit(0 if all(r[1] == "SUCCESS" for r in exporter.results) else 1)

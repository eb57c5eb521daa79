import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export class ProtoSchemaError extends Error {
  readonly code = 'PROTO_SCHEMAS_UNREADABLE';
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The repository's proto/ directory from the TypeScript source (workers/ingest/otlp/) or the compiled copy
 * (dist/workers/ingest/otlp/); the workers image keeps the same layout.
 */
export function protoDirectory(): string {
  const candidates = [
    resolve(here, '..', '..', '..', 'proto'),
    resolve(here, '..', '..', '..', '..', 'proto'),
  ];
  return candidates.find((path) => existsSync(resolve(path, 'gravix'))) ?? candidates[0]!;
}

const files = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'google/rpc/status.proto',
  'gravix/v1/facts.proto',
];

/** The message types the ingest server decodes and encodes; protobufjs compiles a decoder per type on first use. */
export interface ProtoSchemas {
  exportTraceRequest: protobuf.Type;
  exportTraceResponse: protobuf.Type;
  exportMetricsRequest: protobuf.Type;
  exportMetricsResponse: protobuf.Type;
  status: protobuf.Type;
  requestFactBatch: protobuf.Type;
  serviceEventBatch: protobuf.Type;
}

let cached: ProtoSchemas | undefined;

function load(): ProtoSchemas {
  const dir = protoDirectory();
  const root = new protobuf.Root();
  // Imports name paths from the proto/ root ("opentelemetry/proto/common/v1/common.proto").
  root.resolvePath = (_origin, target) => resolve(dir, target);
  try {
    root.loadSync(files, { keepCase: false });
    root.resolveAll();
  } catch (error) {
    throw new ProtoSchemaError(
      `cannot load the protocol buffer schemas under ${dir}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const type = (name: string) => root.lookupType(name);
  return {
    exportTraceRequest: type('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    exportTraceResponse: type('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
    exportMetricsRequest: type('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
    exportMetricsResponse: type('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse'),
    status: type('google.rpc.Status'),
    requestFactBatch: type('gravix.v1.RequestFactBatch'),
    serviceEventBatch: type('gravix.v1.ServiceEventBatch'),
  };
}

/** The schemas, read once per process (proto/, vendored OTLP v1.11.0 and gravix.v1). */
export function protoSchemas(): ProtoSchemas {
  cached ??= load();
  return cached;
}

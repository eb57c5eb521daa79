import { SpanKind, SpanStatusCode, context, trace, type Attributes, type Span } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ManagedProcess } from '../../testbin/harness/managed-process.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { startQuickRollupDev } from './testing/quick-rollup-dev.js';
import type { EdgeTimeseriesResponse, ServiceMapResponse } from '../query/api-types.js';
import { buildSeededRandom } from '../domain/seeded-random.js';
import { exactQuantile } from './testing/otlp-workload.js';

/** Keeps what the exporter answered: a failed export must fail the test, not vanish in a log. */
class RecordingExporter implements SpanExporter {
  readonly failures: string[] = [];
  exported = 0;
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) this.exported += spans.length;
      else this.failures.push(result.error?.message ?? 'failed');
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

const hrTime = (ms: number): [number, number] => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

interface Call {
  startMs: number;
  /** frontend -> checkout client span duration; checkout -> payments client span duration. */
  frontendMs: number;
  checkoutMs: number;
  paymentFails: boolean;
}

/**
 * A three-service shop traced by three real SDK tracer providers, each with its own exporter (as three processes
 * would be): frontend's CLIENT span names checkout (peer.service); checkout's CLIENT span names nothing, so the
 * rollup must name payments from payments' SERVER span, whose parent it is (the context carries the parent across
 * the providers as a propagator would). Both encodings: frontend and payments export protobuf, checkout JSON.
 */
async function sendShop(ingestUrl: string, key: string, calls: readonly Call[]): Promise<void> {
  const exporterOf = (json: boolean) => {
    const options = { url: `${ingestUrl}/v1/traces`, headers: { Authorization: `Bearer ${key}` } };
    return new RecordingExporter(json ? new JsonExporter(options) : new ProtoExporter(options));
  };
  const services = { frontend: false, checkout: true, payments: false } as const;
  const providers = Object.entries(services).map(([service, json]) => {
    const exporter = exporterOf(json);
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 100 })],
    });
    return { service, exporter, provider, tracer: provider.getTracer('gravix-service-map-test') };
  });
  const [frontend, checkout, payments] = providers;
  const start = (
    t: (typeof providers)[number],
    name: string,
    kind: SpanKind,
    at: number,
    attributes: Attributes,
    parent?: Span,
  ) =>
    t.tracer.startSpan(
      name,
      { kind, startTime: hrTime(at), attributes },
      parent ? trace.setSpan(context.active(), parent) : undefined,
    );
  for (const c of calls) {
    const status = c.paymentFails ? 503 : 200;
    const http = (route: string, code: number) => ({
      'http.request.method': 'POST',
      'http.route': route,
      'http.response.status_code': code,
    });
    const root = start(frontend!, 'POST /buy', SpanKind.SERVER, c.startMs, http('/buy', status));
    const toCheckout = start(
      frontend!,
      'POST',
      SpanKind.CLIENT,
      c.startMs + 1,
      { 'peer.service': 'checkout', 'http.request.method': 'POST', 'http.response.status_code': status },
      root,
    );
    const order = start(
      checkout!,
      'POST /order',
      SpanKind.SERVER,
      c.startMs + 2,
      http('/order', status),
      toCheckout,
    );
    const toPayments = start(
      checkout!,
      'POST',
      SpanKind.CLIENT,
      c.startMs + 3,
      { 'http.request.method': 'POST', 'http.response.status_code': status },
      order,
    );
    const pay = start(
      payments!,
      'POST /pay',
      SpanKind.SERVER,
      c.startMs + 4,
      http('/pay', status),
      toPayments,
    );
    if (c.paymentFails) pay.setStatus({ code: SpanStatusCode.ERROR });
    pay.end(hrTime(c.startMs + 4 + c.checkoutMs * 0.8));
    toPayments.end(hrTime(c.startMs + 3 + c.checkoutMs));
    order.end(hrTime(c.startMs + 3 + c.checkoutMs + 0.5));
    toCheckout.end(hrTime(c.startMs + 1 + c.frontendMs));
    root.end(hrTime(c.startMs + 1 + c.frontendMs + 0.5));
  }
  for (const p of providers) {
    await p.provider.forceFlush();
    await p.provider.shutdown();
    expect([p.service, p.exporter.failures]).toEqual([p.service, []]);
    expect([p.service, p.exporter.exported]).toEqual([
      p.service,
      p.service === 'payments' ? calls.length : 2 * calls.length,
    ]);
  }
}

describe('service map from real OpenTelemetry JS SDK clients through gravix dev', () => {
  let dev: ManagedProcess;
  let ingestUrl: string;
  let queryUrl: string;
  let key: string;

  beforeAll(async () => {
    ({ dev, ingestUrl, queryUrl, key } = await startQuickRollupDev('gravix-dev-service-map'));
  }, 600_000);
  afterAll(() => dev?.stop('SIGTERM'));

  it('rolls CLIENT spans up into edges with exact counts and percentiles within 1%, callees named and matched', async () => {
    const now = Date.now();
    // Inside one hour partition: a call whose SERVER span started in the next hour would not be matched (ADR 0085).
    const hourStart = Math.floor(now / 3_600_000) * 3_600_000;
    const base = Math.max(now - 150_000, hourStart + 5_000);
    const random = buildSeededRandom(21);
    const calls: Call[] = Array.from({ length: 240 }, (_, i) => ({
      startMs: base + i * 250,
      frontendMs: [0.3, 2, 15, 15, 120][i % 5]! + random() * 40,
      checkoutMs: i % 7 === 0 ? 900 + random() * 100 : 1 + random() * 20,
      paymentFails: i % 9 === 0,
    }));
    await sendShop(ingestUrl, key, calls);
    const from = Math.floor(base / 60_000) * 60_000 - 60_000;
    const to = Math.ceil((base + 240 * 250) / 60_000) * 60_000 + 120_000;
    const get = async <T>(path: string) =>
      (await (
        await fetch(`${queryUrl}${path}`, { headers: { authorization: `Bearer ${key}` } })
      ).json()) as T;
    const map = await waitUntil(
      async () => {
        const m = await get<ServiceMapResponse>(`/api/v1/service-map?from=${from}&to=${to}`);
        return m.edges.reduce((n, e) => n + e.requests, 0) >= 2 * calls.length ? m : undefined;
      },
      { what: 'the edges rolled up', timeoutMs: 120_000, intervalMs: 1000 },
    );
    const failed = calls.filter((c) => c.paymentFails).length;
    expect(map.edges.map((e) => [e.caller, e.callee, e.requests, e.errors5xx, e.estimated])).toEqual([
      ['checkout', 'payments', calls.length, failed, false],
      ['frontend', 'checkout', calls.length, failed, false],
    ]);
    const durations = {
      'frontend checkout': calls.map((c) => c.frontendMs),
      'checkout payments': calls.map((c) => c.checkoutMs),
    };
    for (const e of map.edges) {
      const sorted = [...durations[`${e.caller} ${e.callee}` as keyof typeof durations]].sort(
        (a, b) => a - b,
      );
      for (const [q, got] of [
        [0.5, e.p50],
        [0.95, e.p95],
        [0.99, e.p99],
      ] as const) {
        const exact = exactQuantile(sorted, q);
        expect([e.caller, q, Math.abs(got! - exact) / exact <= 0.01 + 1e-6]).toEqual([e.caller, q, true]);
      }
    }
    expect(map.nodes.map((n) => [n.service, n.server?.requests])).toEqual([
      ['checkout', calls.length],
      ['frontend', calls.length],
      ['payments', calls.length],
    ]);
    const series = await get<EdgeTimeseriesResponse>(
      `/api/v1/service-map/edge?caller=checkout&callee=payments&from=${from}&to=${to}&step=1m`,
    );
    expect(series.points.reduce((n, p) => n + p.requests, 0)).toBe(calls.length);
    expect(series.points.reduce((n, p) => n + p.errors5xx, 0)).toBe(failed);
  }, 300_000);
});

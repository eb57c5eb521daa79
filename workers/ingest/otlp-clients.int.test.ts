import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode, type Attributes, type Context } from '@opentelemetry/api';
import { ExportResultCode, TraceState, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SamplingDecision,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { freePort } from '../../testbin/harness/free-port.js';
import { ManagedProcess } from '../../testbin/harness/managed-process.js';
import { otelcolForwardingConfig } from '../../testbin/harness/otelcol-forwarding-config.js';
import { repoPath, testbinPaths } from '../../testbin/harness/testbin-paths.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { startQuickRollupDev } from './testing/quick-rollup-dev.js';
import type { EndpointsResponse } from '../query/api-types.js';
import type { ExemplarsResponse } from '../query/api-types.js';
import { buildExemplarWorkload, expectedSpanExemplars, type SentSpan } from './testing/exemplar-workload.js';
import {
  buildWorkload,
  exactQuantile,
  expectedEndpoints,
  type WorkloadSpan,
} from './testing/otlp-workload.js';

/** Wraps a real exporter to keep what it answered: a failed export must fail the test, not vanish in a log. */
class RecordingExporter implements SpanExporter {
  readonly results: { spans: number; code: ExportResultCode; error?: string }[] = [];
  /** Every span exported, with the trace and span ids the SDK gave it. */
  readonly sent: ReadableSpan[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.sent.push(...spans);
    this.inner.export(spans, (result) => {
      this.results.push({ spans: spans.length, code: result.code, error: result.error?.message });
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

const hrTime = (ns: bigint): [number, number] => [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];

/** Sends the workload as SERVER spans through the JS SDK and the given exporter; returns what was exported. */
async function sendWithJsSdk(
  service: string,
  spans: WorkloadSpan[],
  exporter: SpanExporter,
  sampler?: Sampler,
) {
  const recording = new RecordingExporter(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor(recording, { maxExportBatchSize: 64 })],
    ...(sampler ? { sampler } : {}),
  });
  const tracer = provider.getTracer('gravix-otlp-test');
  for (const s of spans) {
    const span = tracer.startSpan(s.name, {
      kind: SpanKind.SERVER,
      startTime: hrTime(s.startNs),
      attributes: {
        'http.request.method': s.method,
        'http.route': s.route,
        'http.response.status_code': s.status,
      },
    });
    if (s.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(hrTime(s.endNs));
  }
  await provider.forceFlush();
  await provider.shutdown();
  expect(recording.results.filter((r) => r.code !== ExportResultCode.SUCCESS)).toEqual([]);
  return recording.results.reduce((n, r) => n + r.spans, 0);
}

/** Sends the workload like sendWithJsSdk and returns each span with the ids the SDK gave it (by span name order). */
async function sendKeepingIds(
  service: string,
  spans: WorkloadSpan[],
  exporter: SpanExporter,
): Promise<SentSpan[]> {
  const named = spans.map((s, i) => ({ ...s, name: `${s.name} #${i}` }));
  const recording = new RecordingExporter(exporter);
  expect(await sendWithJsSdk(service, named, recording)).toBe(spans.length);
  const ids = new Map(recording.sent.map((r) => [r.name, r.spanContext()]));
  return named.map((s) => ({ ...s, traceId: ids.get(s.name)!.traceId, spanId: ids.get(s.name)!.spanId }));
}

/**
 * OpenTelemetry's consistent probability sampler at 25% (threshold c): a span is kept when the trace id's 56
 * random bits reach the threshold, and says so in its tracestate, as the SDK samplers of the specification do.
 */
const quarterSampler: Sampler = {
  shouldSample: (_context: Context, traceId: string, _name, _kind, _attributes: Attributes) => {
    const randomness = Number.parseInt(traceId.slice(-14), 16);
    return randomness >= 0xc * 2 ** 52
      ? { decision: SamplingDecision.RECORD_AND_SAMPLED, traceState: new TraceState('ot=th:c') }
      : { decision: SamplingDecision.NOT_RECORD };
  },
  toString: () => 'ConsistentProbability(0.25)',
};

describe('OTLP from real OpenTelemetry clients into rolled-up minute metrics', () => {
  let dev: ManagedProcess;
  let ingestUrl: string;
  let queryUrl: string;
  let key: string;
  const startMs = Date.now() - 180_000;

  beforeAll(async () => {
    ({ dev, ingestUrl, queryUrl, key } = await startQuickRollupDev('gravix-dev-otlp', {
      GRAVIX_TRACE_URL_TEMPLATE: 'http://127.0.0.1:16686/trace/{traceId}?uiFind={spanId}',
    }));
  }, 600_000);
  afterAll(() => dev?.stop('SIGTERM'));

  const endpoints = async (service: string) => {
    const params = `service=${service}&from=${startMs - 120_000}&to=${Date.now() + 120_000}&limit=50`;
    const res = await fetch(`${queryUrl}/api/v1/endpoints?${params}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return (await res.json()) as EndpointsResponse;
  };

  /** Waits until the service's rolled-up requests reach `total`, then returns its endpoints. */
  const rolledUp = (service: string, total: number) =>
    waitUntil(
      async () => {
        const body = await endpoints(service);
        const n = body.endpoints.reduce((sum, e) => sum + e.requests, 0);
        return n >= total ? body.endpoints : undefined;
      },
      { what: `${total} requests of ${service} rolled up`, timeoutMs: 120_000, intervalMs: 1000 },
    );

  /** Counts exact; p50/p95/p99/p99.9 within 1% of the exact order statistic of the span durations. */
  async function expectExactMetrics(service: string, spans: WorkloadSpan[]) {
    const expected = expectedEndpoints(spans);
    const rows = await rolledUp(service, spans.length);
    expect(
      rows.map((r) => [r.method, r.path, r.requests, r.errors5xx, r.errors4xx, r.estimated]).sort(),
    ).toEqual(expected.map((e) => [e.method, e.path, e.requests, e.errors5xx, e.errors4xx, false]).sort());
    for (const e of expected) {
      const row = rows.find((r) => r.path === e.path)!;
      for (const [q, got] of [
        [0.5, row.p50],
        [0.95, row.p95],
        [0.99, row.p99],
        [0.999, row.p999],
      ] as const) {
        const exact = exactQuantile(e.sorted, q);
        expect(Math.abs(got! - exact) / exact).toBeLessThanOrEqual(0.01 + 1e-9);
      }
      expect(row.max).toBeCloseTo(e.sorted.at(-1)!, 9);
    }
  }

  it('JS SDK with the OTLP/HTTP protobuf exporter: exact counts, percentiles within 1%', async () => {
    const spans = buildWorkload(400, startMs);
    const exporter = new ProtoExporter({
      url: `${ingestUrl}/v1/traces`,
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(await sendWithJsSdk('js-proto', spans, exporter)).toBe(400);
    await expectExactMetrics('js-proto', spans);
  }, 300_000);

  it('JS SDK with the OTLP/HTTP JSON exporter: exact counts, percentiles within 1%', async () => {
    const spans = buildWorkload(300, startMs + 10);
    const exporter = new JsonExporter({
      url: `${ingestUrl}/v1/traces`,
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(await sendWithJsSdk('js-json', spans, exporter)).toBe(300);
    await expectExactMetrics('js-json', spans);
  }, 300_000);

  it('Python SDK OTLP/HTTP exporter configured from OTEL_EXPORTER_OTLP_* as the docs say', async () => {
    const { otelPython } = testbinPaths();
    if (!existsSync(otelPython))
      throw new Error(
        `the Python SDK is not installed at ${otelPython}: run 'bash scripts/testbin.sh otel-python'`,
      );
    const spans = buildWorkload(350, startMs + 20);
    const input = JSON.stringify({
      service: 'py-http',
      spans: spans.map((s) => ({ ...s, startNs: String(s.startNs), endNs: String(s.endNs) })),
    });
    const child = spawn(otelPython, [repoPath('workers', 'ingest', 'testing', 'otel-python-client.py')], {
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: ingestUrl,
        OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${key}`,
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.stdin.end(input);
    const code = await new Promise((r) => child.on('close', r));
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
    await expectExactMetrics('py-http', spans);
  }, 300_000);

  it('the OpenTelemetry Collector receiving OTLP and forwarding with otlphttp (gzip): exact counts', async () => {
    const { otelcol } = testbinPaths();
    if (!existsSync(otelcol))
      throw new Error(`the Collector is not built at ${otelcol}: run 'bash scripts/testbin.sh otelcol'`);
    const port = await freePort();
    const config = join(mkdtempSync(join(tmpdir(), 'gx-otelcol-')), 'config.yaml');
    writeFileSync(
      config,
      otelcolForwardingConfig({
        receiverPort: port,
        gravixUrl: ingestUrl,
        key,
        batchSize: 200,
        compression: 'gzip',
      }),
    );
    const collector = new ManagedProcess({ name: 'otelcol', command: otelcol, args: ['--config', config] });
    collector.start();
    try {
      await waitUntil(
        async () => {
          collector.assertRunning();
          const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          }).catch(() => undefined);
          return res?.ok;
        },
        { what: 'the Collector accepting OTLP/HTTP', timeoutMs: 60_000 },
      );
      const spans = buildWorkload(500, startMs + 30);
      const exporter = new ProtoExporter({ url: `http://127.0.0.1:${port}/v1/traces` });
      expect(await sendWithJsSdk('via-collector', spans, exporter)).toBe(500);
      await expectExactMetrics('via-collector', spans);
    } finally {
      await collector.stop('SIGTERM');
    }
  }, 300_000);

  it('head-sampled spans (tracestate ot=th:c, 25%) count 4 each: throughput and errors estimate the truth', async () => {
    const spans = buildWorkload(800, startMs + 40);
    const exporter = new ProtoExporter({
      url: `${ingestUrl}/v1/traces`,
      headers: { Authorization: `Bearer ${key}` },
    });
    const exported = await sendWithJsSdk('js-sampled', spans, exporter, quarterSampler);
    expect(exported).toBeGreaterThan(100);
    const rows = await rolledUp('js-sampled', exported * 4);
    const total = rows.reduce((n, r) => n + r.requests, 0);
    expect(total).toBe(exported * 4);
    // 800 spans at 25%: the estimate's standard deviation is ~49 requests (6%); 25% is four of them.
    expect(Math.abs(total - 800) / 800).toBeLessThan(0.25);
    const errors = rows.reduce((n, r) => n + r.errors5xx, 0);
    expect(errors % 4).toBe(0);
    // Every request of this service was counted from a sampled span: the API says the counts are estimates.
    expect(rows.map((r) => [r.estimated, r.estimatedRequests])).toEqual(rows.map((r) => [true, r.requests]));
  }, 300_000);

  it('JS SDK spans through ingest and rollup: the exemplars API lists their exact trace ids, latencies and links', async () => {
    const minute = Math.floor((Date.now() - 240_000) / 60_000) * 60_000;
    const exporter = new ProtoExporter({
      url: `${ingestUrl}/v1/traces`,
      headers: { Authorization: `Bearer ${key}` },
    });
    const sent = await sendKeepingIds('js-exemplars', buildExemplarWorkload(minute), exporter);
    const exemplars = (kind: 'slowest' | 'error') =>
      fetch(
        `${queryUrl}/api/v1/exemplars?service=js-exemplars&kind=${kind}&from=${minute}&to=${minute + 180_000}&limit=100`,
        { headers: { authorization: `Bearer ${key}` } },
      ).then(async (res) => (await res.json()) as ExemplarsResponse);
    await rolledUp('js-exemplars', sent.length);
    for (const kind of ['slowest', 'error'] as const) {
      const expected = expectedSpanExemplars(sent, kind);
      expect(expected.length).toBeGreaterThan(kind === 'slowest' ? 5 : 3);
      const answer = await exemplars(kind);
      expect(answer.truncated).toBe(false);
      expect(
        answer.exemplars.map(({ minute, path, traceId, spanId, latencyMs, statusCode, t }) => ({
          minute,
          path,
          traceId,
          spanId,
          latencyMs,
          statusCode,
          t,
        })),
      ).toEqual(expected);
      expect(answer.exemplars.map((e) => e.traceUrl)).toEqual(
        expected.map((e) => `http://127.0.0.1:16686/trace/${e.traceId}?uiFind=${e.spanId}`),
      );
    }
    // The one far slower span heads the slowest list.
    expect((await exemplars('slowest')).exemplars[0]).toMatchObject({
      traceId: sent[41]!.traceId,
      latencyMs: 4321.987,
    });
  }, 300_000);

  /** Two batches of known durations on two routes, 503s among them, for the metrics exporter. */
  const metricsWorkload = () =>
    [0, 1].map((batch) =>
      Array.from({ length: 150 }, (_, i) => ({
        method: i % 2 === 0 ? 'GET' : 'POST',
        route: i % 2 === 0 ? '/stock/{sku}' : '/pay',
        status: (i + batch) % 10 === 3 ? 503 : 200,
        seconds: 0.0008 * Math.pow(1.045, (i * 7 + batch * 13) % 150),
      })),
    );

  async function sendWithPythonMetrics(service: string, env: Record<string, string>) {
    const { otelPython } = testbinPaths();
    const batches = metricsWorkload();
    const child = spawn(otelPython, [repoPath('workers', 'ingest', 'testing', 'otel-python-metrics.py')], {
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: ingestUrl,
        OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${key}`,
        ...env,
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.stdin.end(JSON.stringify({ service, batches }));
    const code = await new Promise((r) => child.on('close', r));
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
    return batches.flat();
  }

  /**
   * Exact counts per endpoint; p50/p95/p99 within 1% of `percentile` of the exact order statistic (or its bucket),
   * capped at the largest latency sent when the points carried their `max` (delta temporality): no percentile is
   * ever above the stored max of the same requests.
   */
  async function expectMetricsFromHistograms(
    service: string,
    sent: { route: string; status: number; seconds: number }[],
    percentile: (exactMs: number) => number,
    capAtMax: boolean,
  ) {
    const rows = await rolledUp(service, sent.length);
    for (const route of ['/stock/{sku}', '/pay']) {
      const mine = sent.filter((r) => r.route === route);
      const row = rows.find((r) => r.path === route)!;
      expect([row.requests, row.errors5xx, row.estimated]).toEqual([
        mine.length,
        mine.filter((r) => r.status >= 500).length,
        false,
      ]);
      const sorted = mine.map((r) => r.seconds * 1000).sort((a, b) => a - b);
      for (const [q, got] of [
        [0.5, row.p50],
        [0.95, row.p95],
        [0.99, row.p99],
      ] as const) {
        const expected = Math.min(percentile(exactQuantile(sorted, q)), capAtMax ? sorted.at(-1)! : Infinity);
        expect(Math.abs(got! - expected) / expected).toBeLessThanOrEqual(0.01 + 1e-9);
      }
    }
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(sent.length);
  }

  /** The semantic conventions' buckets (seconds), as the Python client advises them: where a value is read. */
  const semconvBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
  const bucketMidpointMs = (ms: number) => {
    const i = semconvBounds.findIndex((b) => ms / 1000 <= b);
    const lower = i <= 0 ? 0 : semconvBounds[i - 1]!;
    return ((lower + semconvBounds[i]!) / 2) * 1000;
  };

  it.each([
    ['delta', 'explicit_bucket_histogram'],
    ['cumulative', 'explicit_bucket_histogram'],
    ['delta', 'base2_exponential_bucket_histogram'],
    ['cumulative', 'base2_exponential_bucket_histogram'],
  ])(
    'Python SDK OTLP/HTTP metrics, %s temporality, %s: exact counts, percentiles as the layout allows',
    async (temporality, aggregation) => {
      const service = `py-metrics-${temporality}-${aggregation.startsWith('explicit') ? 'explicit' : 'exp'}`;
      const sent = await sendWithPythonMetrics(service, {
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: temporality,
        OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: aggregation,
      });
      // Exponential at the SDK's default (160 buckets over this 1:700 spread: scale 4, 2.2%): the value itself;
      // explicit: the midpoint of the bucket the value falls in (docs/opentelemetry.md).
      if (aggregation.startsWith('explicit'))
        await expectMetricsFromHistograms(service, sent, bucketMidpointMs, temporality === 'delta');
      else {
        const rows = await rolledUp(service, sent.length);
        expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(sent.length);
        for (const route of ['/stock/{sku}', '/pay']) {
          const sorted = sent
            .filter((r) => r.route === route)
            .map((r) => r.seconds * 1000)
            .sort((a, b) => a - b);
          const row = rows.find((r) => r.path === route)!;
          const exact = exactQuantile(sorted, 0.5);
          expect(Math.abs(row.p50! - exact) / exact).toBeLessThanOrEqual(0.033);
          expect(row.errors5xx).toBe(sent.filter((r) => r.route === route && r.status >= 500).length);
        }
      }
    },
    300_000,
  );
});

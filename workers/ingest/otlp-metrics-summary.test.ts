import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import { buildDataFileKey } from '../domain/metrics-layout.js';
import { buildRawPartition } from '../domain/raw-partition.js';
import type { RawFact } from '../domain/raw-record.js';
import { decodeRequestMetrics } from '../rollup/adapters/metrics-parquet.js';
import { putRawSegment } from '../rollup/testing/raw-segments.js';
import { rollUpClosedHours } from '../rollup/testing/roll-up-closed-hours.js';
import { startIngestAppHarness } from './testing/ingest-app-harness.js';

const hour = 3_600_000;

/**
 * The real JS SDK's metrics (MeterProvider, its periodic reader and the published OTLP/HTTP protobuf exporter,
 * `@opentelemetry/exporter-metrics-otlp-proto`) into the ingest server's /v1/metrics, then the real rollup: what the
 * rows say of the latencies beside what was recorded.
 */
async function sendAndRollUp(
  batches: readonly number[][],
  temporality: AggregationTemporalityPreference,
  exponential: boolean,
) {
  const now = Date.now();
  const harness = await startIngestAppHarness({ now });
  // The exporter nests its own sdk-metrics (2.12.0 beside the provider's 2.12.1): what the reader hands it
  // (ResourceMetrics) and asks of it (export, selectAggregationTemporality) are the same shapes in both.
  const exporter = new OTLPMetricExporter({
    url: `${harness.url}/v1/metrics`,
    headers: { Authorization: 'Bearer w-key' },
    temporalityPreference: temporality,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop' }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
    views: exponential
      ? [{ instrumentName: '*', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }]
      : [],
  });
  const histogram = provider.getMeter('t').createHistogram('http.server.request.duration', { unit: 's' });
  const attributes = {
    'http.request.method': 'GET',
    'http.route': '/items/{id}',
    'http.response.status_code': 200,
  };
  for (const batch of batches) {
    batch.forEach((s) => histogram.record(s, attributes));
    await provider.forceFlush();
  }
  await provider.shutdown();
  const facts = (await harness.records()).filter((r): r is RawFact => r.kind === 'fact');
  await harness.close();
  const store = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gx-otlp-summary-')));
  const hours = [...new Set(facts.map((f) => Math.floor(f.ts / hour) * hour))];
  for (const [i, h] of hours.entries())
    await putRawSegment(
      store,
      facts.filter((f) => Math.floor(f.ts / hour) * hour === h),
      { seq: i },
    );
  await rollUpClosedHours(store, now + 3 * hour);
  const rows = [];
  for (const h of hours)
    rows.push(
      ...decodeRequestMetrics(
        (await store.get(buildDataFileKey('request_metrics_minute', buildRawPartition('acme', h))))!.body,
      ),
    );
  return { facts, rows };
}

const seconds = (n: number, from: number) => Array.from({ length: n }, (_, i) => from * Math.pow(1.031, i));
const sumMs = (xs: readonly number[]) => xs.reduce((a, b) => a + b * 1000, 0);
const near = (got: number, want: number) => Math.abs(got - want) / want < 1e-9;

describe('OTLP metrics points: sum, min and max from the real JS SDK exporter (docs/adr/0096)', () => {
  it.each([
    ['explicit', false],
    ['exponential', true],
  ])('a delta %s point gives its rows the exact latency sum, min and max', async (_name, exponential) => {
    const recorded = seconds(300, 0.0007);
    const { facts, rows } = await sendAndRollUp(
      [recorded],
      AggregationTemporalityPreference.DELTA,
      exponential,
    );
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(300);
    const exact = sumMs(recorded);
    expect(
      near(
        rows.reduce((n, r) => n + r.latencySumMs, 0),
        exact,
      ),
    ).toBe(true);
    expect(Math.min(...rows.map((r) => r.latencyMinMs))).toBeCloseTo(recorded[0]! * 1000, 9);
    expect(Math.max(...rows.map((r) => r.latencyMaxMs))).toBeCloseTo(recorded.at(-1)! * 1000, 9);
    // What the buckets alone would have said: not the sum (the test would pass without the point's sum otherwise).
    const fromBuckets = facts.reduce((n, f) => n + f.latency_ms * (f.count ?? 1), 0);
    expect(Math.abs(fromBuckets - exact) / exact).toBeGreaterThan(exponential ? 1e-6 : 0.01);
  });

  it('cumulative points give each interval its sum by difference; their min and max (of the whole series) are not used', async () => {
    const [first, second] = [seconds(100, 0.002), seconds(50, 0.004)];
    const { facts, rows } = await sendAndRollUp(
      [first, second],
      AggregationTemporalityPreference.CUMULATIVE,
      false,
    );
    expect(facts.map((f) => f.count)).toEqual([100, 50]);
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(150);
    expect(
      near(
        rows.reduce((n, r) => n + r.latencySumMs, 0),
        sumMs([...first, ...second]),
      ),
    ).toBe(true);
    // The JS SDK's default bounds are [0, 5, 10, ...] in the metric's unit (s): every duration is in (0, 5 s], so the
    // row's min is that bucket's midpoint, not the series' recorded min of 2 ms.
    expect(Math.min(...rows.map((r) => r.latencyMinMs))).toBe(2500);
  });
});

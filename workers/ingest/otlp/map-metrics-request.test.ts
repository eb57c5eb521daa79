import {
  AggregationTemporality,
  AggregationType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { RouteBudget } from '../domain/route-budget.js';
import { CumulativeSeries } from './cumulative-series.js';
import { decodeMetricsRequest } from './decode-trace-request.js';
import { describeMetricsNotes, mapMetricsRequest } from './map-metrics-request.js';

const now = Date.now();
const context = () => ({
  tenant: 'acme',
  window: { now, maxPastMs: 86_400_000, maxFutureMs: 3_600_000 },
  routes: new RouteBudget(50),
});

/** What the real JS SDK collects for the durations, delta temporality, explicit or exponential buckets. */
async function collect(seconds: readonly number[], exponential: boolean) {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop' }),
    readers: [reader],
    views: exponential
      ? [{ instrumentName: '*', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }]
      : [],
  });
  const histogram = provider.getMeter('t').createHistogram('http.server.request.duration', { unit: 's' });
  seconds.forEach((s, i) =>
    histogram.record(s, {
      'http.request.method': 'GET',
      'http.route': '/items/{id}',
      'http.response.status_code': i % 4 === 0 ? 503 : 200,
    }),
  );
  await provider.forceFlush();
  const [resourceMetrics] = exporter.getMetrics();
  await provider.shutdown();
  return resourceMetrics!;
}

const facts = (request: unknown) =>
  mapMetricsRequest(request, context(), now, new CumulativeSeries(0n)).records.map((r) => JSON.stringify(r));

describe('OTLP metrics from the real JS SDK', () => {
  it.each([false, true])(
    'map protobuf and JSON alike, with exact counts (exponential %s)',
    async (exponential) => {
      const seconds = Array.from({ length: 200 }, (_, i) => 0.001 * Math.pow(1.04, i));
      const metrics = await collect(seconds, exponential);
      const proto = decodeMetricsRequest(
        Buffer.from(ProtobufMetricsSerializer.serializeRequest(metrics)!),
        'protobuf',
        64,
      );
      const json = decodeMetricsRequest(
        Buffer.from(JsonMetricsSerializer.serializeRequest(metrics)!),
        'json',
        64,
      );
      expect(facts(proto)).toEqual(facts(json));
      const mapped = mapMetricsRequest(proto, context(), now, new CumulativeSeries(0n));
      expect(mapped.rejected).toEqual([]);
      expect(mapped.requests).toBe(200);
      const records = mapped.records as { status_code: number; count: number; latency_ms: number }[];
      expect(records.filter((r) => r.status_code === 503).reduce((n, r) => n + r.count, 0)).toBe(50);
      expect(Math.min(...records.map((r) => r.latency_ms))).toBeGreaterThan(0);
      expect([...mapped.layouts][0]).toMatch(
        exponential ? /^exponential buckets at scale \d+/ : /^explicit buckets/,
      );
    },
  );

  it('rejects a point with an unknown unit and skips other metrics, without failing the request', () => {
    const metric = (name: string, unit: string) => ({
      name,
      unit,
      histogram: {
        aggregationTemporality: 1,
        dataPoints: [
          {
            attributes: [{ key: 'http.request.method', value: { stringValue: 'GET' } }],
            timeUnixNano: String(BigInt(now) * 1_000_000n),
            bucketCounts: ['1', '0'],
            explicitBounds: [0.1],
          },
        ],
      },
    });
    const request = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
          scopeMetrics: [{ metrics: [metric('http.server.request.duration', 'h'), metric('jvm.gc', 's')] }],
        },
      ],
    };
    const mapped = mapMetricsRequest(request, context(), now, new CumulativeSeries(0n));
    expect(mapped.rejected).toEqual([
      {
        index: 0,
        code: 'INVALID_VALUE',
        field: 'unit',
        message: "unit 'h' is not a duration unit Gravix reads (s or ms)",
      },
    ]);
    expect([mapped.skipped, mapped.accepted]).toEqual([1, 0]);
  });

  describe('what a point adds to its buckets (docs/adr/0096)', () => {
    const request = (point: Record<string, unknown>) => ({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'http.server.request.duration',
                  unit: 's',
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [
                      {
                        attributes: [{ key: 'http.request.method', value: { stringValue: 'GET' } }],
                        startTimeUnixNano: String(BigInt(now - 300_000) * 1_000_000n),
                        timeUnixNano: String(BigInt(now) * 1_000_000n),
                        bucketCounts: ['3', '1'],
                        explicitBounds: [0.1],
                        ...point,
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    });

    it('keeps a delta point sum, min and max on its records and says a 5-minute interval counts in its last minute', () => {
      const mapped = mapMetricsRequest(
        request({ sum: 0.5, min: 0.01, max: 0.3 }),
        context(),
        now,
        new CumulativeSeries(0n),
      );
      const records = mapped.records as unknown as Record<string, number>[];
      expect(
        records.map((r) => [
          r['count'],
          r['latency_ms'],
          r['latency_sum_ms'],
          r['latency_min_ms'],
          r['latency_max_ms'],
        ]),
      ).toEqual([
        [3, 50, (500 * 150) / 450, 10, undefined],
        [1, 300, (500 * 300) / 450, undefined, 300],
      ]);
      expect(records.every((r) => r['ts'] === now - 1)).toBe(true);
      expect(mapped.longIntervals).toBe(1);
      expect(describeMetricsNotes(mapped)).toMatch(
        /; 1 data point covers more than a minute: all its requests count in the minute the interval ends$/,
      );
    });

    it('refuses a point whose sum is no duration, naming the field', () => {
      const mapped = mapMetricsRequest(request({ sum: -1 }), context(), now, new CumulativeSeries(0n));
      expect(mapped.rejected).toEqual([
        {
          index: 0,
          code: 'INVALID_VALUE',
          field: 'sum',
          message: 'sum must be a duration: a finite number >= 0',
        },
      ]);
      expect(mapped.accepted).toBe(0);
    });
  });
});

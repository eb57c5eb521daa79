import type { TimeseriesPoint, TimeseriesResponse } from '../../../../workers/query/api-types.js';
import { buildChartViews, summarize } from './chart-specs.js';

const point = (t: number, overrides: Partial<TimeseriesPoint> = {}): TimeseriesPoint => ({
  t,
  requests: 100,
  errors5xx: 5,
  errors4xx: 1,
  status1xx: 0,
  status2xx: 90,
  status3xx: 4,
  statusUnknown: 0,
  estimated: false,
  estimatedRequests: 0,
  errorRate: 0.05,
  throughput: 100 / 60,
  p50: 10,
  p95: 40,
  p99: 90,
  p999: 95,
  max: 120,
  ...overrides,
});

const response = (overrides: Partial<TimeseriesResponse> = {}): TimeseriesResponse => ({
  from: 0,
  to: 120_000,
  stepMs: 60_000,
  filter: {},
  points: [point(0), point(60_000, { errorRate: 0.1, p95: 80 })],
  ...overrides,
});

const size = { width: 400, height: 200 };
const input = (ts: TimeseriesResponse) => ({ ts, events: [], scope: 'all services', newestMinute: null });

describe('buildChartViews', () => {
  it('builds error rate, latency (p50/p95/p99/p99.9/max), throughput and 4xx rate charts, titled with the bucket size', () => {
    const views = buildChartViews(input(response()), size);
    expect(views.map((v) => v.kind)).toEqual(['error-rate', 'latency', 'throughput', 'client-errors']);
    expect(views[1]!.spec.series.map((s) => s.name)).toEqual(['p50', 'p95', 'p99', 'p99.9', 'max']);
    expect(views[0]!.spec.title).toBe('Error rate (5xx), all services · 1-minute buckets');
    expect(views[0]!.spec.description).toBe('error rate: latest 10%, peak 10%.');
  });

  it('adds a dashed comparison line named after its offset', () => {
    const views = buildChartViews(
      input(response({ compare: { offset: '7d', points: [point(0, { p95: 30 })] } })),
      size,
    );
    const compare = views[1]!.spec.series.find((s) => s.variant === 'compare');
    expect(compare).toEqual({
      name: 'p95, week before',
      variant: 'compare',
      points: [{ t: 0, v: 30 }],
      partial: [],
    });
  });

  it('turns service events into markers pointing at their event, leaving out hidden types', () => {
    const events = [
      { t: 60_000, type: 'deploy', service: 'checkout', version: 'v42', description: null },
      { t: 90_000, type: 'incident', service: 'checkout', version: null, description: 'down' },
    ];
    const views = buildChartViews({ ...input(response()), events, hiddenMarkers: ['deploy'] }, size);
    expect(views[2]!.spec.markers).toEqual([{ t: 90_000, kind: 'incident', index: 1 }]);
    expect(views[2]!.spec.description).toContain('1 deploy or incident marker');
  });

  it('draws the bucket holding the newest minute as partial (throughput over its covered seconds) and later ones blank', () => {
    const ts = response({
      to: 900_000,
      stepMs: 300_000,
      points: [
        point(0, { requests: 600 }),
        point(300_000, { requests: 60 }),
        point(600_000, { requests: 0 }),
      ],
    });
    // The newest rolled-up minute starts at 6 min: the second bucket has data for 2 of its 5 minutes.
    const views = buildChartViews({ ...input(ts), newestMinute: 360_000 }, size);
    const throughput = views[2]!.spec.series[0]!;
    expect(throughput.points).toEqual([
      { t: 0, v: 2 },
      { t: 300_000, v: null },
      { t: 600_000, v: null },
    ]);
    expect(throughput.partial).toEqual([{ t: 300_000, v: 0.5 }]);
    expect(views[2]!.summary[0]!.latest).toBe('2 req/s');
  });

  it('adds the worst minute of each bucket when the response has it', () => {
    const ts = response({
      stepMs: 900_000,
      to: 1_800_000,
      points: [
        point(0, { worstMinute: { errorRate: 0.5, p99: 900 } }),
        point(900_000, { worstMinute: { errorRate: null, p99: null } }),
      ],
    });
    const views = buildChartViews(input(ts), size);
    expect(views[0]!.spec.series.map((s) => s.name)).toEqual(['error rate', 'worst minute']);
    expect(views[0]!.summary[1]!.peak).toBe('50%');
    expect(views[1]!.spec.series.at(-1)!.name).toBe('worst minute p99');
  });
});

describe('summarize', () => {
  it('reports latest, peak and average, ignoring steps without data', () => {
    const s = summarize(
      {
        name: 'p95',
        variant: 'p95',
        points: [
          { t: 0, v: 10 },
          { t: 1, v: null },
          { t: 2, v: 30 },
        ],
      },
      String,
    );
    expect(s).toEqual({ name: 'p95', latest: '30', peak: '30', average: '20' });
  });

  it('says no data when every step is empty', () => {
    expect(summarize({ name: 'x', variant: 'errors', points: [{ t: 0, v: null }] }, String).latest).toBe(
      'no data',
    );
  });
});

describe('the 4xx trend chart', () => {
  it('draws the 4xx share of requests per bucket, and no point for a bucket without requests', () => {
    const ts: TimeseriesResponse = {
      from: 0,
      to: 180_000,
      stepMs: 60_000,
      filter: {},
      points: [
        point(0, { requests: 200, errors4xx: 30 }),
        point(60_000, { requests: 0, errors4xx: 0 }),
        point(120_000),
      ],
    };
    const [, , , clientErrors] = buildChartViews(input(ts), size);
    expect(clientErrors!.spec.title).toBe('Client errors (4xx), all services · 1-minute buckets');
    expect(clientErrors!.spec.series[0]!.points).toEqual([
      { t: 0, v: 0.15 },
      { t: 60_000, v: null },
      { t: 120_000, v: 0.01 },
    ]);
  });
});

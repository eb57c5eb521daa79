import type { TimeseriesPoint, TimeseriesResponse } from '../../../../workers/query/api-types.js';
import { buildChartViews, summarize } from './chart-specs.js';

const point = (t: number, overrides: Partial<TimeseriesPoint> = {}): TimeseriesPoint => ({
  t,
  requests: 100,
  errors5xx: 5,
  errors4xx: 1,
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
const input = (ts: TimeseriesResponse) => ({ ts, events: [], scope: 'all services', dataEnd: null });

describe('buildChartViews', () => {
  it('builds error rate, latency (p50/p95/p99) and throughput charts', () => {
    const views = buildChartViews(input(response()), size);
    expect(views.map((v) => v.kind)).toEqual(['error-rate', 'latency', 'throughput']);
    expect(views[1]!.spec.series.map((s) => s.name)).toEqual(['p50', 'p95', 'p99']);
    expect(views[0]!.spec.title).toBe('Error rate (5xx), all services');
    expect(views[0]!.spec.description).toBe('error rate: latest 10%, peak 10%.');
  });

  it('adds a dashed comparison line named after its offset', () => {
    const views = buildChartViews(
      input(response({ compare: { offset: '7d', points: [point(0, { p95: 30 })] } })),
      size,
    );
    const compare = views[1]!.spec.series.find((s) => s.variant === 'compare');
    expect(compare).toEqual({ name: 'p95, week before', variant: 'compare', points: [{ t: 0, v: 30 }] });
  });

  it('turns service events into labelled markers and mentions them in the description', () => {
    const events = [{ t: 60_000, type: 'deploy', service: 'checkout', version: 'v42', description: null }];
    const views = buildChartViews({ ...input(response()), events }, size);
    expect(views[2]!.spec.markers).toEqual([{ t: 60_000, label: 'deploy checkout v42', kind: 'deploy' }]);
    expect(views[2]!.spec.description).toContain('1 deploy or incident marker');
  });

  it('leaves steps after the newest rolled-up minute blank instead of drawing them as zero', () => {
    const views = buildChartViews({ ...input(response()), dataEnd: 60_000 }, size);
    expect(views[2]!.spec.series[0]!.points).toEqual([
      { t: 0, v: 100 / 60 },
      { t: 60_000, v: null },
    ]);
  });
});

describe('summarize', () => {
  it('reports latest, peak and average, ignoring steps without data', () => {
    const s = summarize(
      {
        name: 'p95',
        variant: 'secondary',
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
    expect(summarize({ name: 'x', variant: 'primary', points: [{ t: 0, v: null }] }, String).latest).toBe(
      'no data',
    );
  });
});

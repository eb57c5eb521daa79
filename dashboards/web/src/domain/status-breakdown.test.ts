import type { TimeseriesPoint, TimeseriesResponse } from '../../../../workers/query/api-types.js';
import {
  bucketLabel,
  buildStatusBarsSvg,
  buildStatusBreakdown,
  describeStatusTotals,
  statusBarsFrame,
} from './status-breakdown.js';
import { buildAlertBandsSvg } from './alert-bands-svg.js';

const point = (t: number, overrides: Partial<TimeseriesPoint> = {}): TimeseriesPoint => ({
  t,
  requests: 100,
  errors5xx: 5,
  errors4xx: 10,
  status1xx: 0,
  status2xx: 80,
  status3xx: 5,
  statusUnknown: 0,
  estimated: false,
  estimatedRequests: 0,
  errorRate: 0.05,
  throughput: 100 / 60,
  p50: 10,
  p95: 40,
  p99: 80,
  p999: 90,
  max: 100,
  ...overrides,
});

const response = (points: TimeseriesPoint[]): TimeseriesResponse => ({
  from: 0,
  to: points.length * 60_000,
  stepMs: 60_000,
  filter: {},
  points,
});

describe('buildStatusBreakdown', () => {
  it('keeps each bucket’s class counts, marks the newest bucket partial and leaves later ones out', () => {
    const breakdown = buildStatusBreakdown(response([point(0), point(60_000), point(120_000)]), 60_000);
    expect(breakdown.buckets.map((b) => [b.t, b.partial])).toEqual([
      [0, false],
      [60_000, true],
    ]);
    expect(breakdown.buckets[0]!.counts).toEqual({
      '2xx': 80,
      '3xx': 5,
      '1xx': 0,
      unknown: 0,
      '4xx': 10,
      '5xx': 5,
    });
    expect(breakdown.present).toEqual(['2xx', '3xx', '4xx', '5xx']);
  });

  it('names requests rolled up before the split as unknown, not as 2xx', () => {
    const old = point(0, { status2xx: 0, status3xx: 0, statusUnknown: 85 });
    const breakdown = buildStatusBreakdown(response([old, point(60_000)]), null);
    expect(breakdown.present).toEqual(['2xx', '3xx', 'unknown', '4xx', '5xx']);
    expect(describeStatusTotals(breakdown)).toBe(
      '2xx 40% (80) · 3xx 2.5% (5) · unknown 43% (85) · 4xx 10% (20) · 5xx 5.0% (10)',
    );
  });

  it('says so when the range has no requests', () => {
    const empty = point(0, { requests: 0, errors5xx: 0, errors4xx: 0, status2xx: 0, status3xx: 0 });
    expect(describeStatusTotals(buildStatusBreakdown(response([empty]), null))).toBe(
      'No requests in this time range.',
    );
  });
});

describe('buildStatusBarsSvg', () => {
  it('stacks one rectangle per present class, bottom up, heights proportional to the counts', () => {
    const breakdown = buildStatusBreakdown(
      response([point(0), point(60_000, { requests: 50, status2xx: 30 })]),
      null,
    );
    const svg = buildStatusBarsSvg(breakdown, { id: 's', title: 'Status', width: 400, height: 200 });
    const first = /<g class="status-bucket" data-t="0"[^>]*>(.*?)<\/g>/.exec(svg)![1]!;
    const rects = [
      ...first.matchAll(/class="bar bar-(\w+)" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g),
    ];
    expect(rects.map((r) => r[1])).toEqual(['2xx', '3xx', '4xx', '5xx']);
    const heights = rects.map((r) => Number(r[3]));
    // 80 : 5 : 10 : 5 of a 100-request bar (rounded to 0.1 px).
    expect(heights[0]! / heights[2]!).toBeCloseTo(8, 0);
    expect(Number(rects[1]![2]) + heights[1]!).toBeCloseTo(Number(rects[0]![2]), 0);
    expect(svg).toContain('data-c2xx="80"');
    expect(svg).toContain('<desc id="s-desc">2xx');
  });

  it('escapes the title and labels each bucket with its exact counts', () => {
    const breakdown = buildStatusBreakdown(response([point(0)]), 0);
    const svg = buildStatusBarsSvg(breakdown, {
      id: 'x',
      title: '<b>',
      width: 300,
      height: 150,
      timeZone: 'UTC',
    });
    expect(svg).toContain('<title id="x-title">&lt;b&gt;</title>');
    expect(bucketLabel(breakdown.buckets[0]!, 60_000, 'UTC')).toBe(
      '1 Jan 1970, 00:00 (1-minute bucket) · 100 requests: 2xx 80, 3xx 5, 4xx 10, 5xx 5 (partial, still filling)',
    );
  });
});

describe('alert bands over the status bars', () => {
  it('start at the left edge of the bar of the span’s first bucket and end at the next bucket’s', () => {
    const breakdown = buildStatusBreakdown(response([point(0), point(60_000), point(120_000)]), 120_000);
    const spec = { id: 's', title: 'Status codes', width: 400, height: 200, timeZone: 'UTC' };
    const bars = buildStatusBarsSvg(breakdown, spec);
    const barX = (t: number) =>
      Number(
        new RegExp(`data-t="${t}"[^>]*><title>[^<]*</title><rect class="bar[^"]*" x="([^"]+)"`).exec(
          bars,
        )![1],
      );
    const span = {
      rule: 'r',
      service: 's',
      method: null,
      path: null,
      severity: 'page',
      from: 60_000,
      to: 120_000,
    };
    const bands = buildAlertBandsSvg(
      statusBarsFrame(breakdown, spec),
      [{ span, label: 'r' }],
      180_000,
      'UTC',
    );
    const rect = /<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)"/.exec(bands)!;
    expect(Number(rect[1])).toBeCloseTo(barX(60_000), 0);
    expect(Number(rect[1]) + Number(rect[3])).toBeCloseTo(barX(120_000), 0);
    // The whole height of the plot the bars stand in.
    expect(Number(rect[2])).toBe(14);
    expect(Number(rect[4])).toBe(200 - 24 - 14);
  });
});

import type { ExemplarItem } from '../../../../workers/query/api-types.js';
import { buildExemplarPointsSvg } from './exemplar-points-svg.js';
import { chartScales, type LineChartSpec } from './line-chart-svg.js';

const spec = (overrides: Partial<LineChartSpec> = {}): LineChartSpec => ({
  id: 'c1',
  title: 'Latency',
  description: 'p50 to max',
  width: 400,
  height: 200,
  from: 0,
  to: 600_000,
  series: [
    {
      name: 'max',
      variant: 'errors',
      points: [
        { t: 0, v: 0.5 },
        { t: 300_000, v: 0.25 },
      ],
    },
  ],
  markers: [],
  formatValue: String,
  timeZone: 'UTC',
  ...overrides,
});

const exemplar = (overrides: Partial<ExemplarItem> = {}): ExemplarItem => ({
  t: 60_000,
  minute: 60_000,
  service: 'shop',
  method: 'GET',
  path: '/checkout',
  traceId: 'aa',
  spanId: null,
  latencyMs: 0.25,
  statusCode: 200,
  traceUrl: null,
  ...overrides,
});

const attr = (svg: string, name: string) =>
  [...svg.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1]);

describe('buildExemplarPointsSvg', () => {
  it('draws nothing for exemplars outside the chart range', () => {
    expect(buildExemplarPointsSvg(spec(), 'latency', [exemplar({ t: 600_000 })], 'UTC')).toBe('');
  });

  it('puts a latency point at its latency, clamped into the plot, and an error point on the step rate', () => {
    const svg = buildExemplarPointsSvg(
      spec(),
      'latency',
      [exemplar({ latencyMs: 0.25 }), exemplar({ traceId: 'bb', latencyMs: 50 })],
      'UTC',
    );
    const [half, clamped] = attr(svg, 'cy').map(Number);
    // The lines' own scale (axis 0..0.6 over 176..14): 0.25 ms lands where a line at 0.25 would; 50 ms is far
    // above the top and stays on it.
    const { y, plot } = chartScales(spec());
    expect(half).toBe(Math.round(y(0.25) * 10) / 10);
    expect(half).toBeGreaterThan(plot.top);
    expect(clamped).toBe(plot.top);
    const onLine = buildExemplarPointsSvg(
      spec(),
      'error-rate',
      [exemplar({ t: 400_000, statusCode: 503 })],
      'UTC',
    );
    expect(attr(onLine, 'cy').map(Number)).toEqual([Math.round(y(0.25) * 10) / 10]);
  });

  it('links a point to its trace only through the server-built URL, every value escaped', () => {
    const hostile = exemplar({
      traceId: '"><script>',
      path: '/<b>',
      traceUrl: 'http://t/trace/%22%3E?a=1&b=2',
    });
    const svg = buildExemplarPointsSvg(spec(), 'latency', [hostile], 'UTC');
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(attr(svg, 'href')).toEqual(['http://t/trace/%22%3E?a=1&amp;b=2']);
    expect(svg).toContain('rel="noopener noreferrer"');
    const plain = buildExemplarPointsSvg(spec(), 'latency', [exemplar()], 'UTC');
    expect(plain).not.toContain('href');
    expect(plain).toContain('tabindex="0"');
  });
});

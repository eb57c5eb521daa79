import { buildLineChartSvg, buildPathData, lonePoints, type LineChartSpec } from './line-chart-svg.js';
import { linearScale } from './scale.js';

const spec = (overrides: Partial<LineChartSpec> = {}): LineChartSpec => ({
  id: 'c1',
  title: 'Error rate',
  description: 'Share of 5xx responses',
  width: 400,
  height: 200,
  from: 0,
  to: 600_000,
  series: [
    {
      name: 'error rate',
      variant: 'primary',
      points: [
        { t: 0, v: 0.1 },
        { t: 60_000, v: 0.2 },
      ],
    },
  ],
  markers: [],
  formatValue: String,
  timeZone: 'UTC',
  ...overrides,
});

describe('buildPathData', () => {
  it('breaks the line at steps without data instead of drawing zero', () => {
    const x = linearScale([0, 3], [0, 30]);
    const y = linearScale([0, 10], [100, 0]);
    const d = buildPathData(
      [
        { t: 0, v: 5 },
        { t: 1, v: 10 },
        { t: 2, v: null },
        { t: 3, v: 0 },
      ],
      x,
      y,
    );
    expect(d).toBe('M0,50L10,0M30,100h0');
  });

  it('draws a lone point between gaps as a dot', () => {
    const x = linearScale([0, 2], [0, 20]);
    const y = linearScale([0, 10], [100, 0]);
    const d = buildPathData(
      [
        { t: 0, v: null },
        { t: 1, v: 5 },
        { t: 2, v: null },
      ],
      x,
      y,
    );
    expect(d).toBe('M10,50h0');
  });
});

describe('lonePoints', () => {
  it('finds points with data between gaps or at the edges next to a gap', () => {
    const points = [
      { t: 0, v: 1 },
      { t: 1, v: null },
      { t: 2, v: 2 },
      { t: 3, v: 3 },
      { t: 4, v: null },
      { t: 5, v: 4 },
    ];
    expect(lonePoints(points)).toEqual([
      { t: 0, v: 1 },
      { t: 5, v: 4 },
    ]);
  });
});

describe('buildLineChartSvg', () => {
  it('labels the chart for assistive technology', () => {
    const svg = buildLineChartSvg(spec());
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-labelledby="c1-title c1-desc"');
    expect(svg).toContain('<title id="c1-title">Error rate</title>');
    expect(svg).toContain('<desc id="c1-desc">Share of 5xx responses</desc>');
  });

  it('escapes names that come from ingested data', () => {
    const svg = buildLineChartSvg(
      spec({ series: [{ name: '<script>', variant: 'compare', points: [{ t: 0, v: 1 }] }] }),
    );
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('data-series="&lt;script&gt;"');
    expect(svg).toContain('class="series series-compare"');
  });

  it('draws markers inside the range only, with their label as a tooltip', () => {
    const svg = buildLineChartSvg(
      spec({
        markers: [
          { t: 300_000, label: 'deploy checkout v2', kind: 'deploy' },
          { t: 900_000, label: 'outside', kind: 'incident' },
        ],
      }),
    );
    expect(svg.match(/class="marker marker-deploy"/g)).toHaveLength(1);
    expect(svg).toContain('<title>deploy checkout v2 at 1 Jan 1970, 00:05</title>');
  });
});

import {
  buildLineChartSvg,
  buildPathData,
  lonePoints,
  tickAnchor,
  type LineChartSpec,
} from './line-chart-svg.js';
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
      variant: 'errors',
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

  it('draws markers inside the range only, focusable and pointing at their events, without a title tooltip', () => {
    const svg = buildLineChartSvg(
      spec({
        markers: [
          { t: 300_000, kind: 'deploy', index: 0 },
          { t: 900_000, kind: 'incident', index: 1 },
        ],
      }),
    );
    expect(svg.match(/class="marker marker-deploy" tabindex="0"/g)).toHaveLength(1);
    expect(svg).toContain('data-events="0"');
    expect(svg).not.toContain('<title>deploy');
  });

  it('groups markers closer than 10 px into one, counted, incident-coloured when it holds an incident', () => {
    const svg = buildLineChartSvg(
      spec({
        markers: [
          { t: 300_000, kind: 'deploy', index: 0 },
          { t: 301_000, kind: 'incident', index: 1 },
          { t: 302_000, kind: 'deploy', index: 2 },
        ],
      }),
    );
    expect(svg.match(/class="marker /g)).toHaveLength(1);
    expect(svg).toContain('class="marker marker-incident"');
    expect(svg).toContain('data-count="3" data-events="0,1,2"');
  });

  it('draws a partial bucket as a dashed segment from the last complete point, labelled', () => {
    const svg = buildLineChartSvg(
      spec({
        series: [
          {
            name: 'throughput',
            variant: 'throughput',
            points: [
              { t: 0, v: 1 },
              { t: 60_000, v: null },
            ],
            partial: [{ t: 60_000, v: 0.5 }],
          },
        ],
      }),
    );
    expect(svg).toContain(
      'class="series series-throughput series-partial" data-series="throughput (partial)"',
    );
    expect(svg).toContain('>partial</text>');
  });

  it('anchors x labels near the right edge inwards so they are not cut', () => {
    expect(tickAnchor(396, { left: 64, right: 384, top: 0, bottom: 0 })).toBe('end');
    expect(tickAnchor(200, { left: 64, right: 384, top: 0, bottom: 0 })).toBe('middle');
  });
});

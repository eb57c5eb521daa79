import { buildAlertBandsSvg } from './alert-bands-svg.js';
import type { AlertSpan } from './alert-spans.js';
import { chartScales, lineChartFrame, type LineChartSpec } from './line-chart-svg.js';

const t = Date.UTC(2026, 10, 20, 14, 0);
const M = 60_000;
const spec: LineChartSpec = {
  id: 'c',
  title: 'Error rate',
  description: '',
  width: 640,
  height: 200,
  from: t,
  to: t + 60 * M,
  series: [{ name: 'error rate', variant: 'errors', points: [{ t, v: 0.5 }] }],
  markers: [],
  formatValue: String,
  timeZone: 'UTC',
};
const span = (from: number, to: number | null, rule = 'payments-errors'): AlertSpan => ({
  rule,
  service: 'payments',
  method: 'POST',
  path: '/charge',
  severity: 'page',
  from,
  to,
});
const attrs = (markup: string, tag: string, name: string) =>
  [...markup.matchAll(new RegExp(`<${tag}[^>]*? ${name}="([^"]*)"`, 'g'))].map((m) => m[1]);

describe('alert bands on a chart', () => {
  const { x, plot } = chartScales(spec);
  const frame = lineChartFrame(spec);

  it('shades the span on the chart’s own x scale with both edges and the rule as label', () => {
    const svg = buildAlertBandsSvg(
      frame,
      [{ span: span(t + 10 * M, t + 20 * M), label: 'payments-errors' }],
      t + 60 * M,
    );
    expect(attrs(svg, 'rect', 'x').map(Number)).toEqual([Math.round(x(t + 10 * M) * 10) / 10]);
    expect(attrs(svg, 'rect', 'width').map(Number)[0]).toBeCloseTo(x(t + 20 * M) - x(t + 10 * M), 0);
    expect(attrs(svg, 'rect', 'height').map(Number)).toEqual([plot.bottom - plot.top]);
    expect(attrs(svg, 'line', 'class')).toEqual(['alert-band-start', 'alert-band-end']);
    expect(svg).toContain(
      '<title>payments-errors: fired 20 Nov 2026, 14:10 – 20 Nov 2026, 14:20 (10 min)</title>',
    );
    expect(svg).toContain('>payments-errors</text>');
    expect(attrs(svg, 'g', 'data-starts-at')).toEqual([String(t + 10 * M)]);
  });

  it('runs a firing span to now without an end edge, and clips spans at the chart’s edges', () => {
    const svg = buildAlertBandsSvg(
      frame,
      [
        { span: span(t - 30 * M, t + 5 * M, 'early'), label: 'early' },
        { span: span(t + 50 * M, null, 'now'), label: 'now' },
      ],
      t + 55 * M,
    );
    expect(attrs(svg, 'rect', 'x').map(Number)).toEqual([plot.left, Math.round(x(t + 50 * M) * 10) / 10]);
    // The early span starts before the chart: no start edge; the firing one has no end edge.
    expect(attrs(svg, 'line', 'class')).toEqual(['alert-band-end', 'alert-band-start']);
    expect(svg).toContain('class="alert-band alert-band-ongoing"');
    expect(svg).toContain('<title>now: firing since 20 Nov 2026, 14:50 (5 min)</title>');
  });

  it('ends a label at the right edge when it would run past it', () => {
    const svg = buildAlertBandsSvg(
      frame,
      [{ span: span(t + 58 * M, null), label: 'payments-errors' }],
      t + 60 * M,
    );
    expect(svg).toContain(
      `<text x="${spec.width - 2}" y="${plot.bottom - 4}" text-anchor="end">payments-errors</text>`,
    );
  });

  it('draws nothing for spans outside the chart, and keeps markup in labels as text', () => {
    expect(buildAlertBandsSvg(frame, [{ span: span(t - 20 * M, t - 10 * M), label: 'x' }], t + 60 * M)).toBe(
      '',
    );
    const svg = buildAlertBandsSvg(frame, [{ span: span(t, t + M, '<b>'), label: '<b>&' }], t + 60 * M);
    expect(svg).toContain('>&lt;b&gt;&amp;</text>');
    expect(svg).not.toContain('<b>');
  });
});

import type { LatencyHeatmapResponse } from '../../../../workers/query/api-types.js';
import {
  bandLabel,
  buildHeatmapSvg,
  heatCellLabel,
  heatIntensity,
  heatLegend,
  heatmapFrame,
} from './latency-heatmap-svg.js';
import { buildAlertBandsSvg } from './alert-bands-svg.js';

const t0 = Date.parse('2026-11-20T14:00:00Z');
const step = 5 * 60_000;
const heatmap: LatencyHeatmapResponse = {
  from: t0,
  to: t0 + 3 * step,
  stepMs: step,
  filter: { service: 'checkout' },
  bands: [
    { lowMs: 0, highMs: 0.1 },
    { lowMs: 200, highMs: 500 },
    { lowMs: 100_000, highMs: null },
  ],
  maxCount: 90,
  points: [
    { t: t0, total: 100, counts: [90, 10, 0] },
    { t: t0 + step, total: 1, counts: [0, 0, 1] },
    { t: t0 + 2 * step, total: 5, counts: [5, 0, 0] },
  ],
};
const spec = { id: 'h', title: 'Latency distribution', width: 600, height: 240, timeZone: 'UTC' };

describe('latency heatmap SVG', () => {
  it('names bands as ranges, the first from zero and the last open', () => {
    expect(heatmap.bands.map(bandLabel)).toEqual(['≤ 100 µs', '200 ms – 500 ms', '> 100 s']);
  });

  it('draws one cell per non-empty count with the API numbers, and nothing after the newest minute', () => {
    const svg = buildHeatmapSvg(heatmap, { ...spec, newestMinute: t0 + step + 60_000 });
    const cells = [...svg.matchAll(/data-t="(\d+)" data-band="(\d)" data-count="(\d+)" data-total="(\d+)"/g)];
    expect(cells.map((m) => m.slice(1).map(Number))).toEqual([
      [t0, 0, 90, 100],
      [t0, 1, 10, 100],
      [t0 + step, 2, 1, 1],
    ]);
    expect(svg).toContain('class="heat-cell partial"');
    expect(svg).toContain(
      '<title>20 Nov 2026, 14:05 (5-minute bucket) · &gt; 100 s: 1 of 1 requests (100%) (partial, still filling)</title>',
    );
  });

  it('shades by log count so one request stays visible beside 90, and the legend spans 1 to the maximum', () => {
    expect(heatIntensity(0, 90)).toBe(0);
    expect(heatIntensity(1, 90)).toBeGreaterThanOrEqual(0.15);
    expect(heatIntensity(90, 90)).toBe(1);
    expect(heatIntensity(10, 90)).toBeLessThan(heatIntensity(11, 90));
    const legend = heatLegend(90);
    expect(legend[0]).toEqual({ count: 1, intensity: heatIntensity(1, 90) });
    expect(legend.at(-1)).toEqual({ count: 90, intensity: 1 });
    expect(heatLegend(0)).toEqual([]);
  });

  it('escapes the scope in the title and reads a cell label with its share of the bucket', () => {
    const svg = buildHeatmapSvg(heatmap, { ...spec, title: '<script>', newestMinute: null });
    expect(svg).not.toContain('<script>');
    expect(
      heatCellLabel(
        { t: t0, band: heatmap.bands[1]!, count: 10, total: 100, stepMs: step, partial: false },
        'UTC',
      ),
    ).toBe('20 Nov 2026, 14:00 (5-minute bucket) · 200 ms – 500 ms: 10 of 100 requests (10%)');
  });
});

describe('alert bands over the heatmap', () => {
  it('cover the columns of the span’s buckets, on the cells’ own x scale', () => {
    const svg = buildHeatmapSvg(heatmap, { ...spec, newestMinute: null });
    const cellX = (t: number) =>
      Number(new RegExp(`<rect class="heat-cell" x="([^"]+)"[^>]* data-t="${t}"`).exec(svg)![1]);
    const span = {
      rule: 'r',
      service: 'checkout',
      method: null,
      path: null,
      severity: 'page',
      from: t0 + step,
      to: null,
    };
    const bands = buildAlertBandsSvg(
      heatmapFrame(heatmap, spec),
      [{ span, label: 'r' }],
      t0 + 3 * step,
      'UTC',
    );
    const rect = /<rect x="([^"]+)" y="[^"]+" width="([^"]+)"/.exec(bands)!;
    expect(Number(rect[1])).toBeCloseTo(cellX(t0 + step), 0);
    // Firing still: to the plot's right edge, without an end edge.
    expect(Number(rect[1]) + Number(rect[2])).toBeCloseTo(spec.width - 16, 0);
    expect(bands).not.toContain('alert-band-end');
  });
});

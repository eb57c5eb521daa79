import { buildZoomRange, timeToX } from './chart-zoom.js';
import { plotArea } from './line-chart-svg.js';

const t0 = Date.parse('2026-11-20T14:00:00Z');
const spec = { width: 664, height: 200, from: t0, to: t0 + 60 * 60_000 };
const plot = plotArea(spec);
const px = (minutes: number) => plot.left + ((plot.right - plot.left) * minutes) / 60;

describe('buildZoomRange', () => {
  it('turns a drag into the whole minutes it covers, in either direction', () => {
    const zoom = { from: t0 + 5 * 60_000, to: t0 + 10 * 60_000 };
    expect(buildZoomRange(spec, px(5.2), px(9.5))).toEqual(zoom);
    expect(buildZoomRange(spec, px(9.5), px(5.2))).toEqual(zoom);
  });

  it('treats a short drag as a click and clamps a drag past the plot to the range', () => {
    expect(buildZoomRange(spec, px(5), px(5) + 3)).toBeNull();
    expect(buildZoomRange(spec, 0, spec.width)).toEqual({ from: spec.from, to: spec.to });
  });

  it('maps a time back to the x the crosshair is drawn at', () => {
    expect(timeToX(spec, t0 + 30 * 60_000)).toBeCloseTo(px(30));
  });
});

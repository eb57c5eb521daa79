import { buildReadout } from './chart-readout.js';
import type { LineChartSpec } from './line-chart-svg.js';

const spec: LineChartSpec = {
  id: 'c',
  title: 'Latency',
  description: '',
  width: 164,
  height: 100,
  from: 0,
  to: 300_000,
  series: [
    {
      name: 'p95',
      variant: 'p95',
      points: [0, 1, 2, 3, 4].map((i) => ({ t: i * 60_000, v: i === 2 ? null : i * 10 })),
    },
    { name: 'p95, day before', variant: 'compare', points: [{ t: 60_000, v: 7 }] },
  ],
  markers: [],
  formatValue: (v) => `${v} ms`,
  timeZone: 'UTC',
};

describe('buildReadout', () => {
  it('gives every series value at the step under the pointer', () => {
    // Plot spans x 64..152 for 0..300 s; x = 90 is at 88.6 s, inside the step starting at 60 s.
    expect(buildReadout(spec, 90)).toEqual({
      x: 80.8,
      t: 60_000,
      heading: '1 Jan 1970, 00:01',
      rows: [
        { name: 'p95', variant: 'p95', value: '10 ms' },
        { name: 'p95, day before', variant: 'compare', value: '7 ms' },
      ],
    });
  });

  it('says no data for a step without requests', () => {
    expect(buildReadout(spec, 64 + 84 * (130 / 300))?.rows[0]?.value).toBe('no data');
  });

  it('is null outside the plot', () => {
    expect(buildReadout(spec, 10)).toBeNull();
  });
});

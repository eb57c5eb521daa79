import { applyPointSummary, readPointSummary } from './point-summary.js';

const buckets = [
  { latencyMs: 2.5, count: 4, index: 0 },
  { latencyMs: 7.5, count: 2, index: 1 },
  { latencyMs: 50, count: 1, index: 3 },
];

describe('an OTLP point summary (docs/adr/0096)', () => {
  it('shares the exact sum by count x latency, puts min on the lowest bucket and max on the highest', () => {
    const out = applyPointSummary(buckets, { sumMs: 90, minMs: 0.5, maxMs: 61 });
    expect(out.map((b) => [b.index, b.sumMs, b.minMs, b.maxMs])).toEqual([
      [0, 12, 0.5, undefined],
      [1, 18, undefined, undefined],
      [3, 60, undefined, 61],
    ]);
    expect(out.reduce((n, b) => n + b.sumMs!, 0)).toBe(90);
  });

  it('shares a sum by count when every representative latency is 0, and leaves buckets alone without one', () => {
    const zeros = [
      { latencyMs: 0, count: 3, index: -1 },
      { latencyMs: 0, count: 1, index: 0 },
    ];
    expect(applyPointSummary(zeros, { sumMs: 4 }).map((b) => b.sumMs)).toEqual([3, 1]);
    expect(applyPointSummary(buckets, {})).toEqual(buckets);
    expect(applyPointSummary([], { sumMs: 1 })).toEqual([]);
  });

  it('reads sum, min and max in the unit of the metric and refuses one that is no duration', () => {
    expect(readPointSummary({ sum: 1.5, min: 0.01, max: 1 }, 1000)).toEqual({
      summary: { sumMs: 1500, minMs: 10, maxMs: 1000 },
    });
    expect(readPointSummary({ count: '3' }, 1)).toEqual({ summary: {} });
    expect(readPointSummary({ sum: -2 }, 1)).toEqual({
      summary: {},
      problem: { field: 'sum', message: 'sum must be a duration: a finite number >= 0' },
    });
    expect(readPointSummary({ max: 'NaN' }, 1).problem?.field).toBe('max');
  });
});

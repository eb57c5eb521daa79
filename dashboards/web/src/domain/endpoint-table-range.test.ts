import { endpointTableRange } from './endpoint-table.js';

const t0 = Date.parse('2026-11-20T14:00:00Z');
const range = { from: t0, to: t0 + 3_600_000, stepMs: 5 * 60_000 };

describe('endpointTableRange', () => {
  it('covers the picked bucket only, so "which endpoint broke at 14:05" is one click', () => {
    expect(endpointTableRange(range, t0 + 5 * 60_000)).toEqual({
      from: t0 + 5 * 60_000,
      to: t0 + 10 * 60_000,
      bucket: true,
    });
  });

  it('covers the whole range without a bucket or with one outside the range (a stale link)', () => {
    expect(endpointTableRange(range, null)).toEqual({ ...range, bucket: false });
    expect(endpointTableRange(range, t0 - 5 * 60_000)).toEqual({ ...range, bucket: false });
    expect(endpointTableRange(range, range.to)).toEqual({ ...range, bucket: false });
  });

  it('cuts the last bucket at the end of the range', () => {
    expect(endpointTableRange({ ...range, to: t0 + 57 * 60_000 }, t0 + 55 * 60_000).to).toBe(
      t0 + 57 * 60_000,
    );
  });
});

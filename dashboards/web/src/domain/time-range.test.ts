import { chooseStepMs, resolveRange } from './time-range.js';

const MINUTE = 60_000;

describe('chooseStepMs', () => {
  it('keeps a range at or under 180 points and never goes below a minute', () => {
    expect(chooseStepMs(15 * MINUTE)).toBe(MINUTE);
    expect(chooseStepMs(60 * MINUTE)).toBe(MINUTE);
    expect(chooseStepMs(6 * 60 * MINUTE)).toBe(5 * MINUTE);
    expect(chooseStepMs(24 * 60 * MINUTE)).toBe(15 * MINUTE);
    expect(chooseStepMs(7 * 24 * 60 * MINUTE)).toBe(60 * MINUTE);
    expect(chooseStepMs(30 * 24 * 60 * MINUTE)).toBe(6 * 60 * MINUTE);
  });
});

describe('resolveRange', () => {
  const now = Date.UTC(2026, 10, 23, 12, 30, 20);

  it('ends a preset at the end of the current minute and aligns the start to the step', () => {
    const r = resolveRange({ kind: 'preset', preset: '6h' }, now);
    expect(r.to).toBe(Date.UTC(2026, 10, 23, 12, 31));
    expect(r.stepMs).toBe(5 * MINUTE);
    expect(r.from).toBe(Date.UTC(2026, 10, 23, 6, 30));
  });

  it('offers a 30-day preset in 6-hour buckets (120 points)', () => {
    const r = resolveRange({ kind: 'preset', preset: '30d' }, now);
    expect(r.stepMs).toBe(360 * MINUTE);
    expect((r.to - r.from) / r.stepMs).toBeGreaterThanOrEqual(120);
    expect((r.to - r.from) / r.stepMs).toBeLessThanOrEqual(121);
  });

  it('keeps a custom range exactly as given', () => {
    const r = resolveRange({ kind: 'custom', from: 1000 * MINUTE, to: 1120 * MINUTE }, now);
    expect(r).toEqual({ from: 1000 * MINUTE, to: 1120 * MINUTE, stepMs: MINUTE });
  });
});

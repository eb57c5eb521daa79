import { rollupReadiness, rollupStallMs } from './rollup-readiness.js';

describe('the rollup readiness', () => {
  const stallMs = rollupStallMs(10_000);
  const t0 = Date.UTC(2026, 11, 2, 12);

  it('stalls after four intervals, never under two minutes', () => {
    expect(rollupStallMs(10_000)).toBe(120_000);
    expect(rollupStallMs(60_000)).toBe(240_000);
  });

  it('is not ready before the first pass, ready after a pass that ran to the end', () => {
    expect(rollupReadiness({}, t0, stallMs)?.code).toBe('ROLLUP_NO_PASS_YET');
    expect(rollupReadiness({ last: { finishedAtMs: t0 } }, t0 + 1, stallMs)).toBeUndefined();
  });

  it('says when the last pass failed, and why', () => {
    const notReady = rollupReadiness(
      { last: { finishedAtMs: t0, passError: 'connect ETIMEDOUT' } },
      t0,
      stallMs,
    );
    expect(notReady).toEqual({
      code: 'ROLLUP_PASS_FAILED',
      message: 'the rollup pass at 2026-12-02T12:00:00.000Z failed: connect ETIMEDOUT',
    });
  });

  it('turns not ready when a pass runs past the stall limit, even after a good pass, and back when it ends', () => {
    const progress = { last: { finishedAtMs: t0 }, runningSinceMs: t0 + 1000 };
    expect(rollupReadiness(progress, t0 + 1000 + stallMs, stallMs)).toBeUndefined();
    expect(rollupReadiness(progress, t0 + 1001 + stallMs, stallMs)).toEqual({
      code: 'ROLLUP_PASS_STALLED',
      message: 'the rollup pass started at 2026-12-02T12:00:01.000Z has run for more than 120 s',
    });
    expect(
      rollupReadiness({ last: { finishedAtMs: t0 + 2 * stallMs } }, t0 + 3 * stallMs, stallMs),
    ).toBeUndefined();
  });

  it('calls a pass stalled before the first pass ever finished too', () => {
    expect(rollupReadiness({ runningSinceMs: t0 }, t0 + stallMs + 1, stallMs)?.code).toBe(
      'ROLLUP_PASS_STALLED',
    );
  });
});

import fc from 'fast-check';
import { failureBucket, recentFailures, retryAfterSeconds, withFailure } from './sign-in-throttle.js';

const windowMs = 60_000;

describe('retryAfterSeconds', () => {
  it('refuses after the limit of failures until the oldest that counts leaves the window', () => {
    const times = [0, 10_000, 20_000];
    expect(retryAfterSeconds(times.slice(0, 2), 25_000, windowMs, 3)).toBeUndefined();
    expect(retryAfterSeconds(times, 30_000, windowMs, 3)).toBe(30);
    expect(retryAfterSeconds(times, 60_001, windowMs, 3)).toBeUndefined();
  });

  it('waits for the limit-th newest failure, not the oldest, when more than the limit are stored', () => {
    expect(retryAfterSeconds([0, 1000, 50_000, 55_000], 56_000, windowMs, 2)).toBe(54);
  });

  it('counts a failure stamped after now (a replica whose clock is ahead), never dropping it', () => {
    expect(withFailure([5000], 1000, windowMs, 5)).toEqual([1000, 5000]);
    expect(retryAfterSeconds([5000, 6000], 1000, windowMs, 2)).toBe(64);
  });

  it('waits at least one second', () => {
    expect(retryAfterSeconds([0, 1], 59_999, windowMs, 2)).toBe(1);
  });

  it('refuses exactly when the window holds the limit, for any failure times', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(200_000), { maxLength: 30 }), fc.nat(250_000), (times, now) => {
        const inWindow = times.filter((t) => t > now - windowMs).length;
        expect(retryAfterSeconds(times, now, windowMs, 3) !== undefined).toBe(inWindow >= 3);
      }),
    );
  });
});

describe('withFailure', () => {
  it('keeps only the newest `limit` failures of the window: a document never grows past the limit', () => {
    let times: number[] = [];
    for (let at = 0; at < 100_000; at += 1000) times = withFailure(times, at, windowMs, 5);
    expect(times).toEqual([95_000, 96_000, 97_000, 98_000, 99_000]);
  });

  it('gives the same verdict as keeping every failure, for any order of failures', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(120_000), { maxLength: 40 }), fc.nat(150_000), (raw, now) => {
        const times = [...raw].sort((a, b) => a - b).filter((t) => t <= now);
        const kept = times.reduce<number[]>((acc, t) => withFailure(acc, t, windowMs, 4), []);
        expect(retryAfterSeconds(kept, now, windowMs, 4)).toBe(retryAfterSeconds(times, now, windowMs, 4));
      }),
    );
  });
});

describe('buckets', () => {
  it('puts every failure of the window before now in now’s bucket or the one before', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(windowMs - 1), (now, age) => {
        const bucket = failureBucket(now - age, windowMs);
        expect(bucket === failureBucket(now, windowMs) || bucket === failureBucket(now, windowMs) - 1).toBe(
          true,
        );
      }),
    );
    expect(recentFailures([1, 2, 3], 3, windowMs, 2)).toEqual([2, 3]);
  });
});

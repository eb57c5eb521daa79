import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst, refuses past it with a Retry-After, and refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 100, burst: 200 }, () => now);
    expect(limiter.take('k', 150)).toEqual({ allowed: true });
    expect(limiter.take('k', 100)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1000;
    expect(limiter.take('k', 100)).toEqual({ allowed: true });
    expect(limiter.take('other', 200)).toEqual({ allowed: true });
  });

  it('never asks a batch larger than the burst to wait longer than a full refill', () => {
    const limiter = new RateLimiter({ perSecond: 10, burst: 20 }, () => 0);
    expect(limiter.take('k', 20)).toEqual({ allowed: true });
    expect(limiter.take('k', 1000)).toEqual({ allowed: false, retryAfterSeconds: 2 });
  });

  it('checks what a take would answer without taking anything', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 100, burst: 200 }, () => now);
    expect(limiter.check('k', 200)).toEqual({ allowed: true });
    expect(limiter.check('k', 200)).toEqual({ allowed: true });
    expect(limiter.take('k', 150)).toEqual({ allowed: true });
    expect(limiter.check('k', 51)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.check('k', 50)).toEqual({ allowed: true });
    now += 500;
    expect(limiter.check('k', 100)).toEqual({ allowed: true });
    expect(limiter.take('k', 100)).toEqual({ allowed: true });
    expect(limiter.check('k', 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('says a key is over its rate from a refused take until a take is admitted, and never for a check', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 100, burst: 100 }, () => now);
    expect(limiter.overRate('k')).toBe(false);
    expect(limiter.take('k', 100)).toEqual({ allowed: true });
    expect(limiter.check('k', 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.overRate('k')).toBe(false);
    expect(limiter.take('k', 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.overRate('k')).toBe(true);
    now += 1000;
    expect(limiter.take('k', 100)).toEqual({ allowed: true });
    expect(limiter.overRate('k')).toBe(false);
  });
});

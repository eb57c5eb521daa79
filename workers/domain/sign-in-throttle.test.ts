import fc from 'fast-check';
import { SignInThrottle } from './sign-in-throttle.js';

const limits = { perSource: 3, perAccount: 2, windowMs: 60_000 };

describe('SignInThrottle', () => {
  it('refuses a source after its limit of failures until the oldest leaves the window', () => {
    const t = new SignInThrottle(limits);
    for (const at of [0, 10_000, 20_000]) {
      expect(t.retryAfterSeconds({ source: '10.0.0.1' }, at)).toBeUndefined();
      t.recordFailure([{ source: '10.0.0.1' }], at);
    }
    expect(t.retryAfterSeconds({ source: '10.0.0.1' }, 30_000)).toBe(30);
    expect(t.retryAfterSeconds({ source: '10.0.0.2' }, 30_000)).toBeUndefined();
    expect(t.retryAfterSeconds({ source: '10.0.0.1' }, 60_001)).toBeUndefined();
  });

  it('counts an account on its own, whatever source its failures came from', () => {
    const t = new SignInThrottle(limits);
    t.recordFailure([{ source: 'a' }, { account: 'user:nora' }], 0);
    t.recordFailure([{ source: 'b' }, { account: 'user:nora' }], 1000);
    expect(t.retryAfterSeconds({ account: 'user:nora' }, 2000)).toBe(58);
    expect(t.retryAfterSeconds({ account: 'user:ada' }, 2000)).toBeUndefined();
    expect(t.retryAfterSeconds({ source: 'a' }, 2000)).toBeUndefined();
  });

  it('never tracks more keys than its bound, dropping the stalest', () => {
    const t = new SignInThrottle({ ...limits, maxKeys: 2 });
    t.recordFailure([{ source: 'x' }, { source: 'x' }, { source: 'x' }], 0);
    t.recordFailure([{ source: 'y' }], 1);
    t.recordFailure([{ source: 'z' }], 2);
    expect(t.retryAfterSeconds({ source: 'x' }, 3)).toBeUndefined();
  });

  it('refuses exactly when the window holds the limit, for any failure times', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(200_000), { maxLength: 30 }), fc.nat(250_000), (times, now) => {
        const t = new SignInThrottle(limits);
        const sorted = [...times].sort((a, b) => a - b).filter((x) => x <= now);
        for (const at of sorted) t.recordFailure([{ source: 's' }], at);
        const inWindow = sorted.filter((x) => x > now - limits.windowMs).length;
        expect(t.retryAfterSeconds({ source: 's' }, now) !== undefined).toBe(inWindow >= limits.perSource);
      }),
    );
  });
});

import { mayAcquire, observe, withinRenewDeadline } from './lease-observation.js';

const held = (renewTime: string, holderIdentity = 'a') => ({
  holderIdentity,
  renewTime,
  leaseDurationSeconds: 15,
  leaseTransitions: 0,
});

describe('lease observation (observed-time semantics)', () => {
  it('counts a lease duration from when this process saw the record change, not from its renewTime', () => {
    // The holder's clock is an hour behind: its renewTime looks expired, but it keeps renewing.
    let seen = observe(undefined, held('2026-01-01T00:00:00.000000Z'), 0);
    expect(mayAcquire(held('2026-01-01T00:00:00.000000Z'), seen, 'b', 14_000, 15)).toBe(false);
    seen = observe(seen, held('2026-01-01T00:00:02.000000Z'), 14_000);
    expect(seen.atMs).toBe(14_000);
    expect(mayAcquire(held('2026-01-01T00:00:02.000000Z'), seen, 'b', 28_000, 15)).toBe(false);
    expect(mayAcquire(held('2026-01-01T00:00:02.000000Z'), seen, 'b', 29_001, 15)).toBe(true);
  });

  it('keeps the first observation while the record stays the same', () => {
    const first = observe(undefined, held('t1'), 100);
    expect(observe(first, held('t1'), 9_000)).toBe(first);
  });

  it('takes a free lease or its own at once', () => {
    const seen = observe(undefined, held('t1', ''), 0);
    expect(mayAcquire(held('t1', ''), seen, 'b', 1, 15)).toBe(true);
    expect(mayAcquire(held('t1', 'b'), seen, 'b', 1, 15)).toBe(true);
  });

  it('lets a leader act only while its last renewal started less than the renew deadline ago', () => {
    expect(withinRenewDeadline(undefined, 0, 10_000)).toBe(false);
    expect(withinRenewDeadline(1_000, 10_999, 10_000)).toBe(true);
    expect(withinRenewDeadline(1_000, 11_000, 10_000)).toBe(false);
  });
});

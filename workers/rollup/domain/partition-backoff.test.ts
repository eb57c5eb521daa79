import { PartitionBackoff } from './partition-backoff.js';

const p = 'tenant=a/date=2026-11-20/hour=10';

describe('PartitionBackoff', () => {
  it('defers a failing partition for 1, 2, 4 minutes after consecutive failures, capped at the maximum', () => {
    const backoff = new PartitionBackoff({ maxMs: 180_000 });
    backoff.recordFailure(p, 0);
    expect([backoff.isDeferred(p, 59_999), backoff.isDeferred(p, 60_000)]).toEqual([true, false]);
    backoff.recordFailure(p, 60_000);
    expect([backoff.isDeferred(p, 179_999), backoff.isDeferred(p, 180_000)]).toEqual([true, false]);
    backoff.recordFailure(p, 180_000);
    expect([backoff.isDeferred(p, 359_999), backoff.isDeferred(p, 360_000)]).toEqual([true, false]);
    expect(backoff.size).toBe(1);
  });

  it('forgets a partition once it succeeds, and never defers one that did not fail', () => {
    const backoff = new PartitionBackoff({ maxMs: 3_600_000 });
    backoff.recordFailure(p, 0);
    backoff.recordSuccess(p);
    expect(backoff.isDeferred(p, 1)).toBe(false);
    expect(backoff.isDeferred('tenant=b/date=2026-11-20/hour=10', 0)).toBe(false);
    expect(backoff.size).toBe(0);
  });
});

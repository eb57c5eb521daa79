import fc from 'fast-check';
import { demandShare, type ReplicaBeat } from '../../domain/quota-replicas.js';
import { TenantQuotaLedger } from './tenant-quota-ledger.js';

const quotas = { shop: { eventsPerSecond: 1000, bytesPerDay: 10_000 } } as Record<
  string,
  { eventsPerSecond?: number; bytesPerDay?: number }
>;

function ledger(self: string, clock: { now: number }, minBurst = 100) {
  return new TenantQuotaLedger({
    self,
    quotasOf: (t) => quotas[t],
    staleMs: 6000,
    minBurst,
    now: () => clock.now,
  });
}

const beatOf = (replica: string, at: number, over: Partial<ReplicaBeat> = {}): ReplicaBeat => ({
  replica,
  at,
  leaving: false,
  day: new Date(at).toISOString().slice(0, 10),
  tenants: {},
  ...over,
});

describe('TenantQuotaLedger', () => {
  const start = Date.parse('2026-12-02T12:00:00Z');

  it('gives a lone replica the whole quota and halves it when a second replica beats', () => {
    const clock = { now: start };
    const a = ledger('a', clock);
    expect(a.admitEvents('shop', 1000)).toEqual({ allowed: true });
    clock.now += 1000;
    expect(a.admitEvents('shop', 1000)).toEqual({ allowed: true });
    a.observe([beatOf('b', clock.now)]);
    expect(a.liveCount()).toBe(2);
    clock.now += 1000;
    // The bucket holds one share: 500 of the second's refill.
    expect(a.admitEvents('shop', 600)).toEqual({
      allowed: false,
      quota: 'eventsPerSecond',
      limit: 1000,
      retryAfterSeconds: 1,
    });
    expect(a.admitEvents('shop', 500)).toEqual({ allowed: true });
  });

  it('takes the share back when the other replica leaves or its beat goes stale', () => {
    const clock = { now: start };
    const a = ledger('a', clock);
    a.observe([beatOf('b', clock.now)]);
    expect(a.liveCount()).toBe(2);
    a.observe([beatOf('b', clock.now, { leaving: true })]);
    expect(a.liveCount()).toBe(1);
    a.observe([beatOf('b', clock.now)]);
    clock.now += 6001;
    expect(a.liveCount()).toBe(1);
  });

  it('leaves tenants without a quota alone and lets another tenant send while one is refused', () => {
    const clock = { now: start };
    const a = ledger('a', clock);
    expect(a.admitEvents('shop', 1000).allowed).toBe(true);
    expect(a.admitEvents('shop', 1).allowed).toBe(false);
    expect(a.admitEvents('billing', 1_000_000)).toEqual({ allowed: true });
  });

  it("adds every replica's bytes of the day, stale and leaving ones included, and refuses until the next day", () => {
    const clock = { now: start };
    const a = ledger('a', clock);
    a.recordAccepted('shop', 10, 4000);
    a.observe([
      beatOf('b', clock.now - 60_000, { leaving: true, tenants: { shop: { rate: 0, bytesToday: 5000 } } }),
      beatOf('c', clock.now - 86_400_000, { tenants: { shop: { rate: 0, bytesToday: 9999 } } }),
    ]);
    expect(a.bytesToday('shop')).toBe(9000);
    expect(a.admitBytes('shop', 1000)).toEqual({ allowed: true });
    expect(a.admitBytes('shop', 1001)).toEqual({
      allowed: false,
      quota: 'bytesPerDay',
      limit: 10_000,
      retryAfterSeconds: 12 * 3600,
    });
    clock.now += 12 * 3600_000;
    expect(a.bytesToday('shop')).toBe(0);
  });

  it('resumes its own bytes of today after a restart, not those of an earlier day', () => {
    const clock = { now: start };
    const a = ledger('a', clock);
    a.resume(beatOf('a', clock.now - 1000, { tenants: { shop: { rate: 5, bytesToday: 700 } } }));
    a.resume(beatOf('a', clock.now - 86_400_000, { tenants: { shop: { rate: 5, bytesToday: 99 } } }));
    expect(a.bytesToday('shop')).toBe(700);
  });

  it('announces the rate it accepted and was offered since its last beat and its bytes of the day', () => {
    const clock = { now: start };
    const a = ledger('a', clock);
    expect(a.admitEvents('shop', 300).allowed).toBe(true);
    expect(a.admitEvents('shop', 5000).allowed).toBe(false);
    a.recordAccepted('shop', 300, 2000);
    clock.now += 2000;
    expect(a.beat()).toEqual({
      replica: 'a',
      at: clock.now,
      leaving: false,
      sees: ['a'],
      day: '2026-12-02',
      tenants: { shop: { rate: 150, demand: 2650, bytesToday: 2000 } },
    });
    expect(a.beat(true).tenants['shop']).toEqual({ rate: 0, demand: 0, bytesToday: 2000 });
  });

  it('keeps replicas sharing a quota within it plus one bucket each, for any traffic split and timing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.record({ replica: fc.nat(3), gapMs: fc.nat(400), items: fc.integer({ min: 1, max: 300 }) }),
          {
            maxLength: 300,
          },
        ),
        (replicas, sends) => {
          const clock = { now: start };
          const ids = Array.from({ length: replicas }, (_, i) => `r${i}`);
          const ledgers = ids.map((id) => ledger(id, clock));
          const beats = ids.map((id) => beatOf(id, clock.now));
          for (const l of ledgers) l.observe(beats);
          let accepted = 0;
          for (const send of sends) {
            clock.now += send.gapMs;
            for (const l of ledgers) l.observe(ids.map((id) => beatOf(id, clock.now)));
            const l = ledgers[send.replica % replicas]!;
            if (l.admitEvents('shop', send.items).allowed) accepted += send.items;
          }
          const seconds = (clock.now - start) / 1000;
          const burst = Math.max(1000 / replicas, 100);
          expect(accepted).toBeLessThanOrEqual(1000 * seconds + burst * replicas + 1e-6);
        },
      ),
    );
  });
});

describe('TenantQuotaLedger: shares follow each replica demand (docs/adr/0121)', () => {
  const start = Date.parse('2026-12-02T12:00:00Z');

  /** Offers each ledger its rate for one second in batches of 10 (refusals included), then each beats. */
  function offer(clock: { now: number }, ...offered: [TenantQuotaLedger, number][]): ReplicaBeat[] {
    for (const [l, perSecond] of offered) for (let i = 0; i < perSecond / 10; i++) l.admitEvents('shop', 10);
    clock.now += 1000;
    return offered.map(([l]) => l.beat());
  }

  it('gives a replica that sees 90% of the traffic 90% of the room above the floor, the other the rest', () => {
    const clock = { now: start };
    const [a, b] = [ledger('a', clock, 10), ledger('b', clock, 10)];
    a.observe([beatOf('b', clock.now)]);
    b.observe([beatOf('a', clock.now)]);
    // Offered 1800/s and 200/s against a quota of 1000/s: before any demand is known the shares are equal.
    expect([a.rateShare('shop', 1000), b.rateShare('shop', 1000)]).toEqual([500, 500]);
    const [beatA, beatB] = offer(clock, [a, 1800], [b, 200]) as [ReplicaBeat, ReplicaBeat];
    expect([beatA.tenants['shop']?.demand, beatB.tenants['shop']?.demand]).toEqual([1800, 200]);
    a.observe([beatB]);
    b.observe([beatA]);
    // Floor 100 split in two, 900 in proportion 9:1.
    expect(a.rateShare('shop', 1000)).toBeCloseTo(50 + 810);
    expect(b.rateShare('shop', 1000)).toBeCloseTo(50 + 90);
  });

  it('covers every replica demand and splits the room left when the tenant is under its quota', () => {
    const clock = { now: start };
    const [a, b] = [ledger('a', clock, 10), ledger('b', clock, 10)];
    const [beatA, beatB] = offer(clock, [a, 600], [b, 100]) as [ReplicaBeat, ReplicaBeat];
    a.observe([beatB]);
    b.observe([beatA]);
    expect([a.rateShare('shop', 1000), b.rateShare('shop', 1000)]).toEqual([750, 250]);
  });

  it('reads an older replica beat without demand as its rate', () => {
    const clock = { now: start };
    const a = ledger('a', clock, 10);
    a.observe([beatOf('b', clock.now, { tenants: { shop: { rate: 400, bytesToday: 0 } } })]);
    // Own demand 0, b's 400: b is covered (400 + 300), a gets the other half of the room.
    expect(a.rateShare('shop', 1000)).toBe(300);
  });

  it('keeps the shares of any live set and any demands adding up to the quota', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 5000 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 100_000 }),
        (demands, quota) => {
          const live = demands.map((_, i) => `r${i}`);
          const byReplica = new Map(live.map((r, i) => [r, demands[i]!]));
          const shares = live.map((r) => demandShare(quota, live, r, byReplica));
          expect(shares.reduce((s, x) => s + x, 0)).toBeCloseTo(quota, 6);
          for (const share of shares)
            expect(share).toBeGreaterThanOrEqual((0.1 * quota) / live.length - 1e-9);
        },
      ),
    );
  });
});

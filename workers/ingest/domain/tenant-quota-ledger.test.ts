import fc from 'fast-check';
import type { ReplicaBeat } from '../../domain/quota-replicas.js';
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

  it('announces the rate it accepted since its last beat and its bytes of the day', () => {
    const clock = { now: start };
    const a = ledger('a', clock);
    a.recordAccepted('shop', 300, 2000);
    clock.now += 2000;
    expect(a.beat()).toEqual({
      replica: 'a',
      at: clock.now,
      leaving: false,
      day: '2026-12-02',
      tenants: { shop: { rate: 150, bytesToday: 2000 } },
    });
    expect(a.beat(true).tenants['shop']).toEqual({ rate: 0, bytesToday: 2000 });
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

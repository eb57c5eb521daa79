import fc from 'fast-check';
import { TenantTurns, type ReleaseTurn } from './tenant-turns.js';

const settled = async <T>(promise: Promise<T> | undefined) => {
  let value: T | 'pending' = 'pending';
  void promise?.then((v) => (value = v));
  // Two turns of the microtask queue: a resolved turn has run its then by now.
  await Promise.resolve();
  await Promise.resolve();
  return value;
};

describe('TenantTurns', () => {
  it('admits a neighbour at once while the abuser has every turn out and requests waiting', async () => {
    const turns = new TenantTurns(2, 3);
    const abuser = [turns.take('abuser'), turns.take('abuser')];
    const waiting = [turns.take('abuser'), turns.take('abuser'), turns.take('abuser')];
    for (const t of abuser) expect(typeof (await settled(t))).toBe('function');
    for (const w of waiting) expect(await settled(w)).toBe('pending');
    // The abuser's queue is full: its next request is refused (429), not queued.
    expect(turns.take('abuser')).toBeUndefined();
    // The neighbour never waits in the abuser's queue.
    const neighbour = await settled(turns.take('normal'));
    expect(typeof neighbour).toBe('function');
    expect(turns.snapshot('abuser')).toEqual({ active: 2, waiting: 3 });
    expect(turns.snapshot('normal')).toEqual({ active: 1, waiting: 0 });
  });

  it("passes a released turn to the tenant's next waiter, in order", async () => {
    const turns = new TenantTurns(1, 2);
    const first = (await turns.take('t'))!;
    const order: string[] = [];
    const second = turns.take('t')!.then((r) => (order.push('second'), r));
    const third = turns.take('t')!.then((r) => (order.push('third'), r));
    first();
    first(); // a second call changes nothing
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(turns.snapshot('t')).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses bad limits with the value', () => {
    expect(() => new TenantTurns(0, 1)).toThrow('maxActive must be an integer of at least 1, got 0');
    expect(() => new TenantTurns(1, -1)).toThrow('maxWaiting must be a non-negative integer, got -1');
  });

  it('never has more than maxActive turns out per tenant, and every waiter gets one (any interleaving)', async () => {
    const op = fc.oneof(
      fc.record({ take: fc.constantFrom('a', 'b', 'c') }),
      fc.record({ release: fc.nat(20) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(op, { maxLength: 60 }),
        async (maxActive, maxWaiting, ops) => {
          const turns = new TenantTurns(maxActive, maxWaiting);
          const held: { tenant: string; release: ReleaseTurn }[] = [];
          const pending: Promise<void>[] = [];
          const holding = (tenant: string) => held.filter((h) => h.tenant === tenant).length;
          for (const o of ops) {
            if ('take' in o) {
              const turn = turns.take(o.take);
              if (turn === undefined) {
                expect(turns.snapshot(o.take).waiting).toBe(maxWaiting);
                continue;
              }
              pending.push(turn.then((release) => void held.push({ tenant: o.take, release })));
            } else if (held.length > 0) {
              held.splice(o.release % held.length, 1)[0]!.release();
            }
            await Promise.resolve();
            await Promise.resolve();
            for (const t of ['a', 'b', 'c']) expect(holding(t)).toBeLessThanOrEqual(maxActive);
          }
          // Releasing everything lets every waiter through.
          while (
            held.length > 0 ||
            turns.snapshot('a').waiting + turns.snapshot('b').waiting + turns.snapshot('c').waiting > 0
          ) {
            held.shift()?.release();
            await Promise.resolve();
            await Promise.resolve();
          }
          await Promise.all(pending);
          for (const t of ['a', 'b', 'c']) expect(turns.snapshot(t)).toEqual({ active: 0, waiting: 0 });
        },
      ),
      { numRuns: 100 },
    );
  });
});

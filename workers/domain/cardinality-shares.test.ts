import fc from 'fast-check';
import { fairShare, ownLimit } from './cardinality-shares.js';

describe('fairShare', () => {
  it('splits a quota among the live replicas, the remainder to the first by id, adding up to the quota', () => {
    const live = ['ingest-0', 'ingest-1', 'ingest-2'];
    expect(live.map((r) => fairShare(10, live, r))).toEqual([4, 3, 3]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 12 }), (quota, n) => {
        const replicas = Array.from({ length: n }, (_, i) => `r${i}`);
        expect(replicas.reduce((sum, r) => sum + fairShare(quota, replicas, r), 0)).toBe(quota);
      }),
    );
  });
});

describe('ownLimit', () => {
  it('gives each of two live replicas half while the other owns no more than its half', () => {
    const live = ['a', 'b'];
    expect(ownLimit(10, 'a', live, new Map())).toBe(5);
    expect(ownLimit(10, 'a', live, new Map([['b', 3]]))).toBe(5);
  });

  it('gives a replica gone the names it owns, and the rest of the quota to those alive', () => {
    expect(ownLimit(10, 'a', ['a'], new Map([['b', 3]]))).toBe(7);
  });

  it('lets a replica that joins late take only what the others do not already own', () => {
    // 'a' was alone and owns 8 of 10; 'b' joins: b may own 2, a no more than it has.
    expect(ownLimit(10, 'b', ['a', 'b'], new Map([['a', 8]]))).toBe(2);
    expect(ownLimit(10, 'a', ['a', 'b'], new Map([['b', 0]]))).toBe(5);
  });

  it('keeps the names owned by all replicas within the quota, however late each sees the others (steady replicas)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(fc.boolean(), fc.nat(3), fc.nat(3)), { maxLength: 300 }),
        (quota, n, steps) => {
          const live = Array.from({ length: n }, (_, i) => `r${i}`);
          const owned = new Map(live.map((r) => [r, 0]));
          // What each replica last read of the others (announcements lag; never ahead of the truth).
          const seen = new Map(live.map((r) => [r, new Map<string, number>()]));
          for (const [admit, i, j] of steps) {
            const self = live[i % n]!;
            if (admit) {
              if (owned.get(self)! < ownLimit(quota, self, live, seen.get(self)!))
                owned.set(self, owned.get(self)! + 1);
            } else {
              const other = live[j % n]!;
              if (other !== self) seen.get(self)!.set(other, owned.get(other)!);
            }
            expect([...owned.values()].reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(quota);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts a replica that has not seen self join yet at its share of its own, smaller, live set (docs/adr/0121)', () => {
    // 'a' was alone; 'b' joined and sees both, but a's last beat still lists only 'a': a may take all 10.
    expect(ownLimit(10, 'b', ['a', 'b'], new Map([['a', 2]]), new Map([['a', ['a']]]))).toBe(0);
    // Once a's beat lists b, each holds its half again.
    expect(ownLimit(10, 'b', ['a', 'b'], new Map([['a', 2]]), new Map([['a', ['a', 'b']]]))).toBe(5);
    // A view naming a replica self counts gone only makes the other's share smaller: ours is kept.
    expect(ownLimit(10, 'b', ['a', 'b'], new Map(), new Map([['a', ['a', 'b', 'c']]]))).toBe(5);
  });

  it('keeps the names owned within the quota while replicas join, each seeing the others late (docs/adr/0121)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.tuple(fc.nat(2), fc.nat(3), fc.nat(3)), { maxLength: 300 }),
        (quota, n, steps) => {
          const model = joiningReplicas(quota, n);
          for (const [kind, i, j] of steps) {
            if (kind === 0) model.join();
            else if (kind === 1) model.admit(i);
            else model.read(i, j);
            expect(model.total()).toBeLessThanOrEqual(quota);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

/**
 * Replicas r0..r(n-1) sharing a quota: r0 runs from the start, the others join in order. Each knows what it last
 * read of the others (their owned count and announced live set, read together) and nothing more.
 */
function joiningReplicas(quota: number, n: number) {
  const ids = Array.from({ length: n }, (_, i) => `r${i}`);
  const joined = new Set(['r0']);
  const owned = new Map(ids.map((r) => [r, 0]));
  const view = new Map(ids.map((r) => [r, new Set([r])]));
  const seenOwned = new Map(ids.map((r) => [r, new Map<string, number>()]));
  const seenViews = new Map(ids.map((r) => [r, new Map<string, readonly string[]>()]));
  const readOf = (self: string, other: string) => {
    view.get(self)!.add(other);
    seenOwned.get(self)!.set(other, owned.get(other)!);
    seenViews.get(self)!.set(other, [...view.get(other)!].sort());
  };
  return {
    /** The next replica starts and reads every running one's beat and names. */
    join() {
      if (joined.size === n) return;
      const joiner = ids[joined.size]!;
      joined.add(joiner);
      for (const other of joined) if (other !== joiner) readOf(joiner, other);
    },
    admit(i: number) {
      const self = ids[i % n]!;
      if (!joined.has(self)) return;
      const live = [...view.get(self)!].sort();
      if (owned.get(self)! < ownLimit(quota, self, live, seenOwned.get(self)!, seenViews.get(self)!))
        owned.set(self, owned.get(self)! + 1);
    },
    read(i: number, j: number) {
      const [self, other] = [ids[i % n]!, ids[j % n]!];
      if (self !== other && joined.has(self) && joined.has(other)) readOf(self, other);
    },
    total: () => [...owned.values()].reduce((a, b) => a + b, 0),
  };
}

import fc from 'fast-check';
import { takeFairGroup } from './fair-group.js';

const append = (owner: string, bytes: number, id = `${owner}${bytes}`) => ({
  owner,
  frame: { length: bytes },
  id,
});
const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

describe('takeFairGroup', () => {
  it("takes a neighbour's small append with at most the cap of an abuser's, the abuser's rest for later", () => {
    const pending = [
      append('abuser', 170_000, 'a1'),
      append('abuser', 170_000, 'a2'),
      append('abuser', 170_000, 'a3'),
      append('normal', 200, 'n1'),
      append('abuser', 170_000, 'a4'),
    ];
    const { group, rest } = takeFairGroup(pending, 400_000);
    expect(ids(group)).toEqual(['a1', 'a2', 'n1']);
    expect(ids(rest)).toEqual(['a3', 'a4']);
  });

  it('lets a lone owner take everything (no neighbour to protect)', () => {
    const pending = [append('a', 1_000_000), append('a', 2_000_000)];
    expect(takeFairGroup(pending, 1000).group).toHaveLength(2);
  });

  it('always takes an owner’s first frame, however large', () => {
    const { group } = takeFairGroup([append('a', 5_000_000, 'big'), append('b', 10, 'small')], 1000);
    expect(ids(group)).toEqual(['big', 'small']);
  });

  it('keeps each owner’s frames in order, loses none, and takes at least one frame', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 500_000 })), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (raw, cap) => {
          const pending = raw.map(([owner, bytes], i) => append(owner, bytes, String(i)));
          const { group, rest } = takeFairGroup(pending, cap);
          expect(group.length).toBeGreaterThan(0);
          expect([...ids(group), ...ids(rest)].sort()).toEqual(ids(pending).sort());
          for (const owner of ['a', 'b', 'c']) {
            const order = [...group, ...rest].filter((p) => p.owner === owner).map((p) => Number(p.id));
            expect(order).toEqual([...order].sort((x, y) => x - y));
            const taken = group.filter((p) => p.owner === owner);
            const bytes = taken.reduce((n, p) => n + p.frame.length, 0);
            if (taken.length > 1 && new Set(pending.map((p) => p.owner)).size > 1 && cap > 0)
              expect(bytes).toBeLessThanOrEqual(cap);
          }
        },
      ),
    );
  });
});

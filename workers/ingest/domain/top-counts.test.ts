import fc from 'fast-check';
import { TopCounts } from './top-counts.js';

describe('TopCounts', () => {
  it('keeps exact counts while it holds fewer names than its capacity', () => {
    const top = new TopCounts(3);
    for (const name of ['a', 'b', 'a', 'c', 'a', 'b']) top.add(name);
    expect(top.top(10)).toEqual([
      { name: 'a', count: 3 },
      { name: 'b', count: 2 },
      { name: 'c', count: 1 },
    ]);
  });

  it('gives a new name the smallest slot, which it inherits plus one', () => {
    const top = new TopCounts(2);
    for (const name of ['a', 'a', 'b', 'c']) top.add(name);
    expect(top.top(10)).toEqual([
      { name: 'a', count: 2 },
      { name: 'c', count: 2 },
    ]);
  });

  it('keeps every name counted more than total/capacity times, never under-counting a kept name (Space-Saving)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 400 }),
        (capacity, stream) => {
          const top = new TopCounts(capacity);
          const exact = new Map<string, number>();
          for (const n of stream) {
            const name = `n${n}`;
            top.add(name);
            exact.set(name, (exact.get(name) ?? 0) + 1);
          }
          const kept = new Map(top.top(capacity).map((c) => [c.name, c.count]));
          expect(kept.size).toBe(Math.min(capacity, exact.size));
          // Each add raises exactly one slot by one: the slots add up to the stream's length.
          expect([...kept.values()].reduce((a, b) => a + b, 0)).toBe(stream.length);
          for (const [name, count] of exact) {
            if (count > stream.length / capacity) expect(kept.has(name)).toBe(true);
            if (kept.has(name)) expect(kept.get(name)).toBeGreaterThanOrEqual(count);
          }
        },
      ),
    );
  });

  it('refuses a capacity under one', () => {
    expect(() => new TopCounts(0)).toThrow('capacity must be an integer of at least 1, got 0');
  });
});

import fc from 'fast-check';
import { CumulativeSeries, type CumulativePoint } from './cumulative-series.js';

const point = (
  timeNs: bigint,
  counts: [number, number][],
  startNs = 100n,
  scale?: number,
): CumulativePoint => ({
  startNs,
  timeNs,
  counts: new Map(counts),
  ...(scale === undefined ? {} : { scale }),
});
const taken = (s: CumulativeSeries, p: CumulativePoint, key = 'k') => {
  const d = s.observe(key, p);
  d.commit();
  return [...d.counts];
};

describe('cumulative series to deltas', () => {
  it('counts a series that started after the ingester whole, then each point minus the one before', () => {
    const s = new CumulativeSeries(50n);
    expect(taken(s, point(200n, [[1, 3]]))).toEqual([[1, 3]]);
    expect(
      taken(
        s,
        point(300n, [
          [1, 5],
          [2, 1],
        ]),
      ),
    ).toEqual([
      [1, 2],
      [2, 1],
    ]);
  });

  it('takes the first point of a series older than the ingester as a baseline only (a restart)', () => {
    const s = new CumulativeSeries(150n);
    expect(taken(s, point(200n, [[1, 3]]))).toEqual([]);
    expect(taken(s, point(300n, [[1, 4]]))).toEqual([[1, 1]]);
  });

  it('counts nothing for a retried point, and again the same delta until it is committed', () => {
    const s = new CumulativeSeries(0n);
    taken(s, point(200n, [[1, 3]]));
    const first = s.observe('k', point(300n, [[1, 7]]));
    expect([...first.counts]).toEqual([[1, 4]]);
    // Not committed (the WAL refused it): the retry is measured against the same previous point.
    expect(taken(s, point(300n, [[1, 7]]))).toEqual([[1, 4]]);
    expect(taken(s, point(300n, [[1, 7]]))).toEqual([]);
  });

  it('counts a reset (new start, or a count going down) whole', () => {
    const s = new CumulativeSeries(0n);
    taken(s, point(200n, [[1, 9]]));
    expect(taken(s, point(300n, [[1, 2]]))).toEqual([[1, 2]]);
    expect(taken(s, point(400n, [[1, 5]], 350n))).toEqual([[1, 5]]);
  });

  it('compares an exponential series across a downscale', () => {
    const s = new CumulativeSeries(0n);
    taken(
      s,
      point(
        200n,
        [
          [4, 1],
          [5, 2],
          [-1, 1],
        ],
        100n,
        3,
      ),
    );
    expect(
      taken(
        s,
        point(
          300n,
          [
            [2, 4],
            [-1, 1],
          ],
          100n,
          2,
        ),
      ),
    ).toEqual([[2, 1]]);
  });

  it('sums its deltas to the last cumulative point, for any growth and commit order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat(5), { minLength: 3, maxLength: 3 }), { maxLength: 12 }),
        (steps) => {
          const s = new CumulativeSeries(0n);
          const total = [0, 0, 0];
          const counted = [0, 0, 0];
          steps.forEach((inc, t) => {
            inc.forEach((n, i) => (total[i]! += n));
            for (const [i, n] of taken(
              s,
              point(
                BigInt(200 + t),
                total.map((n, i) => [i, n]),
              ),
            ))
              counted[i]! += n;
          });
          expect(counted).toEqual(total);
        },
      ),
    );
  });
});

describe('a cumulative series sum (docs/adr/0096)', () => {
  const point = (timeNs: bigint, count: number, sum?: number) => ({
    startNs: 10n,
    timeNs,
    counts: new Map([[0, count]]),
    ...(sum !== undefined && { sum }),
  });

  it('gives the sum since the previous point, the whole sum after a reset, and none when either point lacks it', () => {
    const series = new CumulativeSeries(0n);
    const first = series.observe('k', point(20n, 2, 30));
    expect(first.sum).toBe(30);
    first.commit();
    const second = series.observe('k', point(30n, 5, 75));
    expect(second.sum).toBe(45);
    second.commit();
    expect(series.observe('k', point(40n, 6)).sum).toBeUndefined();
    // A count going down is a reset: the point counts whole, its sum too.
    expect(series.observe('k', point(40n, 1, 7)).sum).toBe(7);
  });
});

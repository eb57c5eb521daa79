import { drawNormal, drawPoisson, drawPoissonExact } from './random-draws.js';
import { buildSeededRandom } from './seeded-random.js';

/** A uniform source that counts its draws. */
function counting(seed: number) {
  const random = buildSeededRandom(seed);
  const source = { draws: 0, random: () => (source.draws++, random()) };
  return source;
}

const meanOf = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;

describe('random draws', () => {
  it('draws a standard normal from two uniforms: mean near 0, variance near 1 over 20,000 draws', () => {
    const source = counting(1);
    const values = Array.from({ length: 20_000 }, () => drawNormal(source.random));
    expect(source.draws).toBe(40_000);
    const mean = meanOf(values);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(meanOf(values.map((v) => (v - mean) ** 2)) - 1)).toBeLessThan(0.05);
  });

  it.each([0.5, 3, 12, 30, 60, 150])('keeps the mean %d on average, exact or approximated', (mean) => {
    const random = buildSeededRandom(2);
    const counts = Array.from({ length: 20_000 }, () => drawPoisson(random, mean));
    expect(Math.abs(meanOf(counts) - mean)).toBeLessThan(0.05 * Math.max(1, Math.sqrt(mean)));
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(0);
  });

  it('draws exactly (Knuth) up to its threshold and takes two draws above it', () => {
    const [a, b] = [counting(3), counting(3)];
    for (const mean of [0.5, 7, 30])
      expect(drawPoisson(a.random, mean)).toBe(drawPoissonExact(b.random, mean));
    expect(a.draws).toBe(b.draws);
    const before = a.draws;
    drawPoisson(a.random, 30.5);
    expect(a.draws - before).toBe(2);
    drawPoisson(a.random, 45, 60);
    expect(a.draws - before).toBeGreaterThan(3);
  });

  it('takes no draw for a mean of 0 and returns 0, where the exact sampler still takes one', () => {
    const source = counting(4);
    expect(drawPoisson(source.random, 0)).toBe(0);
    expect(drawPoisson(source.random, -1)).toBe(0);
    expect(source.draws).toBe(0);
    expect(drawPoissonExact(source.random, 0)).toBe(0);
    expect(source.draws).toBe(1);
  });
});

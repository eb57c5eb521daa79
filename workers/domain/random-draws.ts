/**
 * Draws from the usual distributions over a uniform source in [0, 1) (buildSeededRandom for repeatable streams).
 * The one owner of these samplers for the load generator, the benches and the tests: a seeded stream gives the
 * same draws wherever it is used, so the figures of a bench and of the tests that mirror it agree.
 */

/** A standard normal draw (Box-Muller; `1 - random()` keeps the logarithm's argument in (0, 1]). Two draws. */
export function drawNormal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * An exact Poisson draw at any mean (Knuth: multiply uniforms until the product falls to e^-mean), mean + 1 draws
 * on average; a mean of 0 still takes one draw. Fine for request counts up to a few hundred (e^-mean underflows
 * past ~745).
 */
export function drawPoissonExact(random: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let [k, product] = [0, random()];
  while (product > limit) {
    k += 1;
    product *= random();
  }
  return k;
}

/**
 * A Poisson draw, exact up to `exactUpTo` and the normal approximation (rounded, never negative) above it, which
 * takes two draws whatever the mean; none for a mean of 0 or less.
 */
export function drawPoisson(random: () => number, mean: number, exactUpTo = 30): number {
  if (mean <= 0) return 0;
  if (mean > exactUpTo) return Math.max(0, Math.round(mean + Math.sqrt(mean) * drawNormal(random)));
  return drawPoissonExact(random, mean);
}

// Special functions the models' gradients need beside simple-statistics' gammaln.

/**
 * The digamma function ψ(x) = d/dx ln Γ(x) for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up
 * to x ≥ 6, then the asymptotic series (Abramowitz & Stegun 6.3.18), good to ~1e-15 from there.
 */
export function digamma(x: number): number {
  let shift = 0;
  while (x < 10) {
    shift -= 1 / x;
    x += 1;
  }
  const inv2 = 1 / (x * x);
  const series =
    inv2 *
    (1 / 12 -
      inv2 *
        (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760))))));
  return shift + Math.log(x) - 0.5 / x - series;
}

// The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999):
// a customer's order values are Gamma(p, ν) around their own mean, and ν is Gamma(q, γ) across
// customers. Fitted by maximum likelihood on customers with repeat purchases: x repeat orders
// of mean value m̄ each. Independent of the purchase process, so it pairs with BG/NBD for CLV.
import { gammaln } from 'simple-statistics';

import { bfgs } from './bfgs.ts';
import { minimize } from './nelder-mead.ts';
import { digamma } from './special.ts';

export interface GammaGammaParameters {
  p: number;
  q: number;
  /** γ in the paper; `v` in the lifetimes library. */
  v: number;
}

/** A customer with `x` > 0 repeat orders whose mean value is `meanValue`. */
export interface SpendSummary {
  x: number;
  meanValue: number;
}

export interface GammaGammaFit {
  parameters: GammaGammaParameters;
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  customers: number;
}

export function gammaGammaLogLikelihood(
  { p, q, v }: GammaGammaParameters,
  data: readonly SpendSummary[],
): number {
  const shared = -gammaln(q) + q * Math.log(v);
  let total = 0;
  for (const { x, meanValue } of data) {
    const px = p * x;
    total +=
      shared +
      gammaln(px + q) -
      gammaln(px) +
      (px - 1) * Math.log(meanValue) +
      px * Math.log(x) -
      (px + q) * Math.log(x * meanValue + v);
  }
  return total;
}

/**
 * The log-likelihood and its gradient with respect to (ln p, ln q, ln v). Everything but
 * ln(x·m̄ + v) is summed once per distinct x (or once for the data), so an evaluation costs one
 * logarithm per customer:
 *   ∂/∂p = Σ x·[ψ(px + q) − ψ(px) + ln x + ln m̄ − ln(x·m̄ + v)]
 *   ∂/∂q = Σ [ψ(px + q) − ψ(q) + ln v − ln(x·m̄ + v)]
 *   ∂/∂v = Σ [q/v − (px + q)/(x·m̄ + v)]
 */
export function gammaGammaLogLikelihoodGradient(
  { p, q, v }: GammaGammaParameters,
  data: PreparedSpend,
): { value: number; gradient: [number, number, number] } {
  const { xs, countByX, x, xMean, sumLnMean, sumXLnMean, customers } = data;
  let value = customers * (q * Math.log(v) - gammaln(q)) + p * sumXLnMean - sumLnMean;
  let dp = sumXLnMean;
  let dq = customers * (Math.log(v) - digamma(q));
  let dv = (customers * q) / v;
  for (let i = 0; i < xs.length; i++) {
    const xi = xs[i] as number;
    const n = countByX[i] as number;
    const px = p * xi;
    value += n * (gammaln(px + q) - gammaln(px) + px * Math.log(xi));
    dp += n * xi * (digamma(px + q) - digamma(px) + Math.log(xi));
    dq += n * digamma(px + q);
  }
  let sumLn = 0;
  let sumXLn = 0;
  let sumInv = 0;
  let sumXInv = 0;
  for (let row = 0; row < x.length; row++) {
    const xi = x[row] as number;
    const ln = Math.log((xMean[row] as number) + v);
    const inv = 1 / ((xMean[row] as number) + v);
    sumLn += ln;
    sumXLn += xi * ln;
    sumInv += inv;
    sumXInv += xi * inv;
  }
  value -= p * sumXLn + q * sumLn;
  dp -= sumXLn;
  dq -= sumLn;
  dv -= p * sumXInv + q * sumInv;
  return { value, gradient: [dp * p, dq * q, dv * v] };
}

/** The customers in columns with the sums that do not depend on the parameters. */
export interface PreparedSpend {
  xs: Float64Array;
  countByX: Float64Array;
  x: Float64Array;
  /** x·m̄ per customer. */
  xMean: Float64Array;
  sumLnMean: number;
  sumXLnMean: number;
  customers: number;
}

export function prepareSpend(data: readonly SpendSummary[]): PreparedSpend {
  const usable = data.filter((row) => row.x > 0 && row.meanValue > 0);
  const countOf = new Map<number, number>();
  let sumLnMean = 0;
  let sumXLnMean = 0;
  for (const { x, meanValue } of usable) {
    countOf.set(x, (countOf.get(x) ?? 0) + 1);
    const ln = Math.log(meanValue);
    sumLnMean += ln;
    sumXLnMean += x * ln;
  }
  return {
    xs: Float64Array.from(countOf.keys()),
    countByX: Float64Array.from(countOf.values()),
    x: Float64Array.from(usable, (row) => row.x),
    xMean: Float64Array.from(usable, (row) => row.x * row.meanValue),
    sumLnMean,
    sumXLnMean,
    customers: usable.length,
  };
}

/** Maximum-likelihood parameters by BFGS on their logarithms with the analytic gradient. */
export function fitGammaGamma(data: readonly SpendSummary[]): GammaGammaFit {
  const prepared = prepareSpend(data);
  const { customers } = prepared;
  if (customers === 0) throw new Error('Gamma-Gamma needs customers with repeat purchases');
  const negative = (logs: readonly number[]) => {
    const [p, q, v] = logs.map(Math.exp) as [number, number, number];
    const { value, gradient } = gammaGammaLogLikelihoodGradient({ p, q, v }, prepared);
    return { value: -value, gradient: gradient.map((g) => -g) };
  };
  const result = bfgs(negative, [0, 0, 0], { gradientTolerance: 1e-8 * customers });
  const [p, q, v] = result.x.map(Math.exp) as [number, number, number];
  return {
    parameters: { p, q, v },
    logLikelihood: -result.value,
    iterations: result.iterations,
    converged: result.converged,
    customers,
  };
}

/** The same fit by Nelder–Mead on the likelihood alone: the reference for the BFGS fit. */
export function fitGammaGammaNelderMead(data: readonly SpendSummary[]): GammaGammaFit {
  const usable = data.filter((row) => row.x > 0 && row.meanValue > 0);
  if (usable.length === 0) throw new Error('Gamma-Gamma needs customers with repeat purchases');
  const negative = (logs: number[]) => {
    const [p, q, v] = logs.map(Math.exp) as [number, number, number];
    const value = -gammaGammaLogLikelihood({ p, q, v }, usable);
    return Number.isFinite(value) ? value : Number.MAX_VALUE;
  };
  const result = minimize(negative, [0, 0, 0], { fTolerance: 1e-9, xTolerance: 1e-9 });
  const [p, q, v] = result.x.map(Math.exp) as [number, number, number];
  return {
    parameters: { p, q, v },
    logLikelihood: -result.value,
    iterations: result.iterations,
    converged: result.converged,
    customers: usable.length,
  };
}

/** The expected value of the customer's future orders: their mean shrunk towards the population's. */
export function expectedOrderValue(
  { p, q, v }: GammaGammaParameters,
  x: number,
  meanValue: number,
): number {
  if (x === 0) return (p * v) / (q - 1); // the population mean
  return (p * (v + x * meanValue)) / (p * x + q - 1);
}

// The BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): while
// alive a customer buys as a Poisson process whose rate is Gamma(r, α) across customers, and
// after each purchase drops out with a probability that is Beta(a, b) across customers. Fitted
// by maximum likelihood (their equation 6) on the customers' (x, t_x, T): repeat purchases, time
// of the last one and age, all in the same time unit. The likelihood depends only on that
// triple, so customers sharing one are one weighted term.
import { gammaln } from 'simple-statistics';

import { bfgs } from './bfgs.ts';
import { minimize } from './nelder-mead.ts';
import { digamma } from './special.ts';

export interface BgNbdParameters {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** Customers sharing one (x, t_x, T), `count` of them. */
export interface PurchaseSummary {
  x: number;
  tx: number;
  T: number;
  count: number;
}

export interface BgNbdFit {
  parameters: BgNbdParameters;
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  customers: number;
}

/** ln(e^p + e^q) without overflow. */
function logSumExp(p: number, q: number): number {
  const high = Math.max(p, q);
  return high + Math.log(Math.exp(p - high) + Math.exp(q - high));
}

/** Σ count · ln L(r, α, a, b | x, t_x, T) (equation 6 of the paper, in logs). */
export function bgNbdLogLikelihood(
  { r, alpha, a, b }: BgNbdParameters,
  data: readonly PurchaseSummary[],
): number {
  // Terms that depend on x alone are worked out once per distinct x.
  const byX = new Map<number, number>();
  const lnAlpha = Math.log(alpha);
  const lnA = Math.log(a);
  const shared = gammaln(a + b) - gammaln(b) - gammaln(r) + r * lnAlpha;
  let total = 0;
  for (const { x, tx, T, count } of data) {
    let ofX = byX.get(x);
    if (ofX === undefined) {
      ofX = shared + gammaln(r + x) + gammaln(b + x) - gammaln(a + b + x);
      byX.set(x, ofX);
    }
    const lnA3 = -(r + x) * Math.log(alpha + T);
    const tail =
      x > 0 ? logSumExp(lnA3, lnA - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx)) : lnA3;
    total += count * (ofX + tail);
  }
  return total;
}

/**
 * The triples in columns, with each distinct x, t_x and T listed once: the likelihood's terms
 * in ln(α + T), ln(α + t_x) and the gamma functions of x are then worked out once per distinct
 * value per evaluation rather than once per triple (a year of daily data has a few hundred
 * distinct values of each and ~180,000 triples at a million customers).
 */
export interface PreparedTriples {
  xs: Float64Array;
  txs: Float64Array;
  Ts: Float64Array;
  /** Customers with each distinct x. */
  countByX: Float64Array;
  xIndex: Int32Array;
  txIndex: Int32Array;
  TIndex: Int32Array;
  counts: Float64Array;
  customers: number;
}

function distinctIndex(values: readonly number[]): { distinct: Float64Array; index: Int32Array } {
  const positions = new Map<number, number>();
  const index = new Int32Array(values.length);
  const distinct: number[] = [];
  values.forEach((value, row) => {
    let position = positions.get(value);
    if (position === undefined) {
      position = distinct.length;
      positions.set(value, position);
      distinct.push(value);
    }
    index[row] = position;
  });
  return { distinct: Float64Array.from(distinct), index };
}

export function prepareTriples(data: readonly PurchaseSummary[]): PreparedTriples {
  const x = distinctIndex(data.map((row) => row.x));
  const tx = distinctIndex(data.map((row) => row.tx));
  const T = distinctIndex(data.map((row) => row.T));
  const counts = Float64Array.from(data, (row) => row.count);
  const countByX = new Float64Array(x.distinct.length);
  let customers = 0;
  for (let row = 0; row < data.length; row++) {
    const count = counts[row] as number;
    const i = x.index[row] as number;
    countByX[i] = (countByX[i] as number) + count;
    customers += count;
  }
  return {
    xs: x.distinct,
    txs: tx.distinct,
    Ts: T.distinct,
    countByX,
    xIndex: x.index,
    txIndex: tx.index,
    TIndex: T.index,
    counts,
    customers,
  };
}

/**
 * The log-likelihood and its gradient with respect to (ln r, ln α, ln a, ln b). With
 * A₃ = (α + T)^−(r+x), A₄ = a/(b + x − 1)·(α + t_x)^−(r+x) and w = A₄/(A₃ + A₄) (the share of
 * the "dropped out after the last purchase" branch), each customer contributes
 *   ∂/∂r = ψ(r + x) − ψ(r) + ln α − (1 − w) ln(α + T) − w ln(α + t_x)
 *   ∂/∂α = r/α − (r + x)·[(1 − w)/(α + T) + w/(α + t_x)]
 *   ∂/∂a = ψ(a + b) − ψ(a + b + x) + w/a
 *   ∂/∂b = ψ(a + b) − ψ(b) + ψ(b + x) − ψ(a + b + x) − w/(b + x − 1)
 * and the chain rule multiplies each by its parameter.
 */
export function bgNbdLogLikelihoodGradient(
  { r, alpha, a, b }: BgNbdParameters,
  data: PreparedTriples,
): { value: number; gradient: [number, number, number, number] } {
  const { xs, txs, Ts, countByX, xIndex, txIndex, TIndex, counts, customers } = data;
  const lnA = Math.log(a);
  // Per distinct T and t_x: ln(α + ·) and 1/(α + ·).
  const lnT = Ts.map((T) => Math.log(alpha + T));
  const invT = Ts.map((T) => 1 / (alpha + T));
  const lnTx = txs.map((tx) => Math.log(alpha + tx));
  const invTx = txs.map((tx) => 1 / (alpha + tx));
  // Per distinct x: ln(b + x − 1) and 1/(b + x − 1) (unused at x = 0), and the sums over
  // customers of the terms that depend on x alone.
  const lnB1 = xs.map((x) => (x > 0 ? Math.log(b + x - 1) : 0));
  const invB1 = xs.map((x) => (x > 0 ? 1 / (b + x - 1) : 0));
  let value = customers * (gammaln(a + b) - gammaln(b) - gammaln(r) + r * Math.log(alpha));
  let dr = customers * (Math.log(alpha) - digamma(r));
  let dAlpha = (customers * r) / alpha;
  let da = customers * digamma(a + b);
  let db = customers * (digamma(a + b) - digamma(b));
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    const n = countByX[i] as number;
    value += n * (gammaln(r + x) + gammaln(b + x) - gammaln(a + b + x));
    dr += n * digamma(r + x);
    da -= n * digamma(a + b + x);
    db += n * (digamma(b + x) - digamma(a + b + x));
  }
  let sumW = 0;
  let sumWInvB1 = 0;
  for (let row = 0; row < counts.length; row++) {
    const count = counts[row] as number;
    const i = xIndex[row] as number;
    const x = xs[i] as number;
    const j = TIndex[row] as number;
    const rx = r + x;
    const lt = lnT[j] as number;
    if (x === 0) {
      value -= count * rx * lt;
      dr -= count * lt;
      dAlpha -= count * rx * (invT[j] as number);
      continue;
    }
    const k = txIndex[row] as number;
    const ltx = lnTx[k] as number;
    // ln(A₄/A₃), then ln(A₃ + A₄) = ln A₃ + softplus and w = sigmoid, both without overflow.
    const lnRatio = lnA - (lnB1[i] as number) + rx * (lt - ltx);
    const e = Math.exp(-Math.abs(lnRatio));
    const w = lnRatio > 0 ? 1 / (1 + e) : e / (1 + e);
    value += count * (-rx * lt + Math.max(lnRatio, 0) + Math.log1p(e));
    dr -= count * ((1 - w) * lt + w * ltx);
    dAlpha -= count * rx * ((1 - w) * (invT[j] as number) + w * (invTx[k] as number));
    sumW += count * w;
    sumWInvB1 += count * w * (invB1[i] as number);
  }
  da += sumW / a;
  db -= sumWInvB1;
  return { value, gradient: [dr * r, dAlpha * alpha, da * a, db * b] };
}

/**
 * Maximum-likelihood parameters by BFGS on their logarithms (so every point tried is valid)
 * with the analytic gradient above. Starts at r = a = b = 1 with α set so the starting purchase
 * rate r/α is the observed one, whatever the time unit.
 */
export function fitBgNbd(data: readonly PurchaseSummary[]): BgNbdFit {
  return fitPreparedBgNbd(prepareTriples(data));
}

export function fitPreparedBgNbd(prepared: PreparedTriples): BgNbdFit {
  const { customers } = prepared;
  if (customers === 0) throw new Error('BG/NBD needs at least one customer');
  let purchases = 0;
  let time = 0;
  for (let row = 0; row < prepared.counts.length; row++) {
    const count = prepared.counts[row] as number;
    purchases += count * (prepared.xs[prepared.xIndex[row] as number] as number);
    time += count * (prepared.Ts[prepared.TIndex[row] as number] as number);
  }
  const alpha0 = purchases > 0 && time > 0 ? time / purchases : 1;
  const negative = (logs: readonly number[]) => {
    const [r, alpha, a, b] = logs.map(Math.exp) as [number, number, number, number];
    const { value, gradient } = bgNbdLogLikelihoodGradient({ r, alpha, a, b }, prepared);
    return { value: -value, gradient: gradient.map((g) => -g) };
  };
  // The gradient grows with the number of customers; 1e-8 per customer puts the parameters
  // within ~1e-7 of the optimum (the Hessian grows the same way).
  const result = bfgs(negative, [0, Math.log(alpha0), 0, 0], {
    gradientTolerance: 1e-8 * customers,
  });
  const [r, alpha, a, b] = result.x.map(Math.exp) as [number, number, number, number];
  return {
    parameters: { r, alpha, a, b },
    logLikelihood: -result.value,
    iterations: result.iterations,
    converged: result.converged,
    customers,
  };
}

/** The same fit by Nelder–Mead on the likelihood alone: the reference the BFGS fit is checked against. */
export function fitBgNbdNelderMead(data: readonly PurchaseSummary[]): BgNbdFit {
  const customers = data.reduce((sum, row) => sum + row.count, 0);
  if (customers === 0) throw new Error('BG/NBD needs at least one customer');
  const negative = (logs: number[]) => {
    const [r, alpha, a, b] = logs.map(Math.exp) as [number, number, number, number];
    const value = -bgNbdLogLikelihood({ r, alpha, a, b }, data);
    return Number.isFinite(value) ? value : Number.MAX_VALUE;
  };
  const result = minimize(negative, [0, 0, 0, 0], { fTolerance: 1e-9, xTolerance: 1e-9 });
  const [r, alpha, a, b] = result.x.map(Math.exp) as [number, number, number, number];
  return {
    parameters: { r, alpha, a, b },
    logLikelihood: -result.value,
    iterations: result.iterations,
    converged: result.converged,
    customers,
  };
}

/** The chance the customer has not dropped out (the paper's equation 13 read as P(alive)). */
export function probabilityAlive(
  { r, alpha, a, b }: BgNbdParameters,
  x: number,
  tx: number,
  T: number,
): number {
  if (x === 0) return 1;
  const ratio = Math.exp(
    Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx)),
  );
  return 1 / (1 + ratio);
}

/** Gauss's hypergeometric ₂F₁(a, b; c; z) by its series, for 0 ≤ z < 1 (where it converges). */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (z < 0 || z >= 1) throw new RangeError(`hyp2f1 series needs 0 <= z < 1, got ${z}`);
  let term = 1;
  let sum = 1;
  for (let k = 0; k < 100_000; k++) {
    term *= ((a + k) * (b + k) * z) / ((c + k) * (k + 1));
    sum += term;
    if (Math.abs(term) <= 1e-15 * Math.abs(sum)) return sum;
  }
  return sum;
}

/**
 * ₂F₁ of the conditional expectation after Euler's transformation, times (1 − z)^(a − 1):
 * G(t) = ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; z)
 *      = (1 − z)^(a−1) · ₂F₁(a+b−1−r, a−1; a+b+x−1; z),  z = t/(α+T+t).
 * The untransformed series needs thousands of terms for a frequent buyer (its terms grow until
 * k ≈ x·z/(1 − z)) and multiplies a huge sum by a tiny power; the transformed one has its
 * upper parameters independent of x, so it converges faster the larger x is, and needs no power
 * of (r + x). G(0) = 1.
 */
export function expectationKernel(
  { r, alpha, a, b }: BgNbdParameters,
  t: number,
  x: number,
  T: number,
): number {
  if (t <= 0) return 1;
  const z = t / (alpha + T + t);
  return Math.pow(1 - z, a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z);
}

/**
 * Expected purchases in the next `t` time units of a customer with (x, t_x, T): the
 * conditional expectation, the paper's equation 10, which reads
 * (a + b + x − 1)/(a − 1) · (1 − G(t)) · P(alive).
 */
export function expectedPurchases(
  parameters: BgNbdParameters,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  if (t <= 0) return 0;
  const { a, b } = parameters;
  const head = (a + b + x - 1) / (a - 1);
  return (
    head * (1 - expectationKernel(parameters, t, x, T)) * probabilityAlive(parameters, x, tx, T)
  );
}

/**
 * Customers grouped by their (x, t_x, T) in days, each group once: `triples` (times converted
 * to the model's unit: divided by `daysPerUnit`, 7 for weeks) for the fit and the scorer, and `tripleOf[i]`, the
 * group of customer i, to read the scores back per customer.
 */
export function groupTriples(
  x: ArrayLike<number>,
  txDays: ArrayLike<number>,
  tDays: ArrayLike<number>,
  daysPerUnit: number,
): { triples: PurchaseSummary[]; tripleOf: Int32Array } {
  // One map per x, keyed by t_x·2^15 + T: below 2^30, a small integer V8 hashes fast.
  const groupsByX: Map<number, number>[] = [];
  const triples: PurchaseSummary[] = [];
  const tripleOf = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i] as number;
    const tx = txDays[i] as number;
    const T = tDays[i] as number;
    if (
      !(tx >= 0 && tx < 32_768 && T >= 0 && T < 32_768 && xi >= 0 && xi < 2 ** 20) ||
      (tx | 0) !== tx ||
      (T | 0) !== T ||
      (xi | 0) !== xi
    )
      throw new RangeError(`purchase summary out of range: x ${xi}, t_x ${tx}, T ${T} days`);
    let groups = groupsByX[xi];
    if (!groups) {
      groups = new Map();
      groupsByX[xi] = groups;
    }
    const key = tx * 32_768 + T;
    let group = groups.get(key);
    if (group === undefined) {
      group = triples.length;
      groups.set(key, group);
      triples.push({ x: xi, tx: tx / daysPerUnit, T: T / daysPerUnit, count: 0 });
    }
    (triples[group] as PurchaseSummary).count += 1;
    tripleOf[i] = group;
  }
  return { triples, tripleOf };
}

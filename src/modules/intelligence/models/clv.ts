// Customer lifetime value over a horizon: BG/NBD's expected purchases month by month times
// Gamma-Gamma's expected order value, each month discounted at the annual rate compounded
// monthly ((1 + annual)^(1/12) − 1), as in Fader, Hardie & Lee's "RFM and CLV" and the
// lifetimes library's `customer_lifetime_value`.
import {
  type BgNbdParameters,
  expectationKernel,
  expectedPurchases,
  probabilityAlive,
  type PurchaseSummary,
} from './bgnbd.ts';
import { expectedOrderValue, type GammaGammaParameters } from './gamma-gamma.ts';

export interface ClvInput {
  x: number;
  tx: number;
  T: number;
  /** Mean value of the repeat orders (0 when there were none). */
  meanValue: number;
}

export interface ClvOptions {
  /** The horizon, in days. */
  horizonDays: number;
  annualDiscountRate: number;
  /** How many of the models' time units make a day (1 when fitted in days, 1/7 in weeks). */
  unitsPerDay: number;
}

const DAYS_PER_MONTH = 365.25 / 12;

export function customerLifetimeValue(
  bgNbd: BgNbdParameters,
  gammaGamma: GammaGammaParameters,
  customer: ClvInput,
  options: ClvOptions,
): number {
  const { x, tx, T, meanValue } = customer;
  const orderValue = expectedOrderValue(gammaGamma, x, meanValue);
  const monthlyRate = Math.pow(1 + options.annualDiscountRate, 1 / 12) - 1;
  const months = Math.ceil(options.horizonDays / DAYS_PER_MONTH);
  let value = 0;
  let before = 0;
  for (let month = 1; month <= months; month++) {
    const days = Math.min(month * DAYS_PER_MONTH, options.horizonDays);
    const through = expectedPurchases(bgNbd, days * options.unitsPerDay, x, tx, T);
    value += ((through - before) * orderValue) / Math.pow(1 + monthlyRate, month);
    before = through;
  }
  return value;
}

/** Each month's end (in the model's time units) and its discount factor, as customerLifetimeValue uses them. */
function discountSchedule(options: ClvOptions): { end: number; factor: number }[] {
  const monthlyRate = Math.pow(1 + options.annualDiscountRate, 1 / 12) - 1;
  const months = Math.ceil(options.horizonDays / DAYS_PER_MONTH);
  return Array.from({ length: months }, (_, index) => ({
    end: Math.min((index + 1) * DAYS_PER_MONTH, options.horizonDays) * options.unitsPerDay,
    factor: 1 / Math.pow(1 + monthlyRate, index + 1),
  }));
}

export interface TripleScores {
  pAlive: Float64Array;
  /** Expected purchases over the horizon. */
  expectedPurchases: Float64Array;
  /**
   * Expected purchases month by month over the horizon, each discounted as in
   * customerLifetimeValue: a customer's CLV is this times their expected order value.
   */
  discountedPurchases: Float64Array;
}

/**
 * The BG/NBD scores of each distinct (x, t_x, T), for a whole customer base at once: CLV is
 * linear in the expected order value, so a customer's is their triple's discounted purchases
 * times their own Gamma-Gamma expectation. The expectation's hypergeometric kernel depends on
 * (x, T) alone, so it is worked out once per distinct pair and month; what is left per triple is
 * P(alive), one exponential.
 */
export function scoreTriples(
  bgNbd: BgNbdParameters,
  triples: readonly PurchaseSummary[],
  options: ClvOptions,
): TripleScores {
  const schedule = discountSchedule(options);
  const horizon = options.horizonDays * options.unitsPerDay;
  const { a, b } = bgNbd;
  // Per distinct (x, T): 1 − G(horizon) and Σ_month factor·(G(month start) − G(month end)).
  const kernels = new Map<number, Map<number, { undiscounted: number; discounted: number }>>();
  const kernelOf = (x: number, T: number) => {
    let byT = kernels.get(x);
    if (!byT) {
      byT = new Map();
      kernels.set(x, byT);
    }
    let kernel = byT.get(T);
    if (!kernel) {
      let before = 1;
      let discounted = 0;
      for (const { end, factor } of schedule) {
        const after = expectationKernel(bgNbd, end, x, T);
        discounted += factor * (before - after);
        before = after;
      }
      const last = schedule.at(-1);
      const undiscounted =
        horizon <= 0
          ? 0
          : 1 - (last?.end === horizon ? before : expectationKernel(bgNbd, horizon, x, T));
      kernel = { undiscounted, discounted };
      byT.set(T, kernel);
    }
    return kernel;
  };
  const n = triples.length;
  const scores: TripleScores = {
    pAlive: new Float64Array(n),
    expectedPurchases: new Float64Array(n),
    discountedPurchases: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const { x, tx, T } = triples[i] as PurchaseSummary;
    const alive = probabilityAlive(bgNbd, x, tx, T);
    const head = ((a + b + x - 1) / (a - 1)) * alive;
    const kernel = kernelOf(x, T);
    scores.pAlive[i] = alive;
    scores.expectedPurchases[i] = head * kernel.undiscounted;
    scores.discountedPurchases[i] = head * kernel.discounted;
  }
  return scores;
}

/** The p-th percentile (0–100) of `values`, linear between the closest ranks. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const position = ((sorted.length - 1) * p) / 100;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = sorted[low] as number;
  return lowValue + ((sorted[high] as number) - lowValue) * (position - low);
}

/**
 * Each value's percentile rank, 0–100: ⌊100·(values at most it)/n⌋. The count reaches
 * q_k = ⌈k·n/100⌉ once the sorted value at q_k − 1 is at most it, so after one typed-array sort
 * each rank is a binary search among 100 cut points (in cache) rather than among n values.
 */
export function percentileRanks(values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  const cuts = new Float64Array(100);
  for (let k = 1; k <= 100; k++) cuts[k - 1] = sorted[Math.ceil((k * n) / 100) - 1] as number;
  const ranks = new Uint8Array(n);
  for (let index = 0; index < n; index++) {
    const value = values[index] as number;
    let low = 0;
    let high = 100;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cuts[middle] as number) <= value) low = middle + 1;
      else high = middle;
    }
    ranks[index] = low;
  }
  return ranks;
}

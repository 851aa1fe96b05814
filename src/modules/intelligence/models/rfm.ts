// RFM: recency, frequency and monetary value each scored 1–5 by quintile across the customer
// base, and a named segment read from the R and F scores on the usual RFM grid (the map below;
// M is reported beside it). Ties share a score — the lowest of the positions they occupy — so
// a base where most customers ordered once gives them all F = 1 rather than splitting equals.

import type { RfmSegment } from '../../../shared/scores.ts';

export type { RfmSegment };

export interface RfmInput {
  /** Days from the last order to the run's as-of date (lower is better). */
  recencyDays: number;
  /** Orders (calendar days with an order). */
  frequency: number;
  /** Money spent, in minor units. */
  monetary: number;
}

export interface RfmScore {
  r: number;
  f: number;
  m: number;
  segment: RfmSegment;
}

/**
 * 1–5 by quintile of rank: the value at sorted position i (0-based, ties at their first
 * position) of n scores 1 + ⌊5i / n⌋. With `higherIsBetter` false (recency) the lowest values
 * score 5.
 */
export function quintileScores(values: ArrayLike<number>, higherIsBetter = true): number[] {
  const n = values.length;
  const keyed = new Float64Array(n);
  for (let index = 0; index < n; index++)
    keyed[index] = higherIsBetter ? (values[index] as number) : -(values[index] as number);
  // A value's first position among the sorted values is the number of values below it, and
  // its score reaches k + 1 once that count reaches p_k = ⌈k·n/5⌉, that is once the value at
  // p_k − 1 is below it: four comparisons against four order statistics per customer, after a
  // native typed-array sort (a million customers in well under a second).
  const sorted = keyed.slice().sort();
  const cuts = [1, 2, 3, 4].map((k) => sorted[Math.ceil((k * n) / 5) - 1] as number);
  const [c1, c2, c3, c4] = cuts as [number, number, number, number];
  const scores = new Array<number>(n);
  for (let index = 0; index < n; index++) {
    const value = keyed[index] as number;
    scores[index] = 1 + +(c1 < value) + +(c2 < value) + +(c3 < value) + +(c4 < value);
  }
  return scores;
}

/** The segment grid: R down the side, F across (1 = lowest). */
export function rfmSegment(r: number, f: number): RfmSegment {
  if (r === 5 && f >= 4) return 'champions';
  if (r >= 3 && f >= 4) return 'loyal';
  if (r >= 4 && f >= 2) return 'potential_loyalists';
  if (r === 5) return 'new';
  if (r === 4) return 'promising';
  if (r === 3 && f === 3) return 'need_attention';
  if (r === 3) return 'about_to_sleep';
  if (f === 5) return 'cannot_lose';
  if (f >= 3) return 'at_risk';
  if (r === 1 && f === 1) return 'lost';
  return 'hibernating';
}

export function scoreRfm(customers: readonly RfmInput[]): RfmScore[] {
  const scores = scoreRfmColumns(
    customers.map((customer) => customer.recencyDays),
    customers.map((customer) => customer.frequency),
    customers.map((customer) => customer.monetary),
  );
  return customers.map((_, index) => ({
    r: scores.rfmR[index] as number,
    f: scores.rfmF[index] as number,
    m: scores.rfmM[index] as number,
    segment: scores.rfmSegment[index] as RfmSegment,
  }));
}

/** `scoreRfm` over columns (customer i at position i of each), answering columns. */
export function scoreRfmColumns(
  recencyDays: ArrayLike<number>,
  frequency: ArrayLike<number>,
  monetary: ArrayLike<number>,
): { rfmR: Uint8Array; rfmF: Uint8Array; rfmM: Uint8Array; rfmSegment: RfmSegment[] } {
  const rfmR = Uint8Array.from(quintileScores(recencyDays, false));
  const rfmF = Uint8Array.from(quintileScores(frequency));
  const rfmM = Uint8Array.from(quintileScores(monetary));
  const segments = Array.from(rfmR, (r, index) => rfmSegment(r, rfmF[index] as number));
  return { rfmR, rfmF, rfmM, rfmSegment: segments };
}

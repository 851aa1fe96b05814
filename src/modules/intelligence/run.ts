// One intelligence run's arithmetic, from the per-customer purchase summaries to the scores, the
// model card and the figures; no database here. BG/NBD is fitted in weeks, as the papers report
// it, on the distinct (x, t_x, T) triples; everything a triple decides (P(alive), expected
// purchases, the discounted purchases CLV multiplies by the order value) is worked out once per
// triple, so a million customers cost what their distinct histories cost.
import { RFM_SEGMENTS } from '../../shared/scores.ts';
import { fitBgNbd, fitBgNbdNelderMead, groupTriples } from './models/bgnbd.ts';
import { percentile, percentileRanks, scoreTriples } from './models/clv.ts';
import {
  expectedOrderValue,
  fitGammaGamma,
  fitGammaGammaNelderMead,
  type GammaGammaParameters,
} from './models/gamma-gamma.ts';
import { type RfmSegment, scoreRfmColumns } from './models/rfm.ts';
import type { PurchaseSummaries } from './repository.ts';
import type { ModelCard, RunFigures } from './schemas.ts';

/**
 * Below these the predictive fields are "not enough data" rather than numbers. The thresholds
 * follow the literature's practice: BG/NBD is fitted on cohorts of hundreds to thousands of
 * customers (CDNOW: 2,357) over a calibration period of months (39 weeks), and Gamma-Gamma needs
 * customers with repeat purchases to learn the spread of order values.
 */
export const SUFFICIENCY = { minCustomers: 500, minHistoryDays: 90, minRepeatCustomers: 100 };

const DAYS_PER_WEEK = 7;
const HISTOGRAM_BUCKETS = 20;

export interface RunSettings {
  asOf: string;
  timeZone: string;
  horizonDays: number;
  annualDiscountRate: number;
  currency: string;
}

/** The predictive scores of every customer, by position; absent without a fit. */
export interface PredictiveScores {
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  expectedOrderValueCents: Float64Array;
  clvCents: Float64Array;
  /** 0–100: the share of the run's customers whose CLV is at most this one's. */
  clvPercentile: Uint8Array;
}

/**
 * Every customer's scores as stored (customer_scores), one column per field and customer i at
 * position i of each (a million customers are a few arrays, not a million objects). Frequency,
 * recency, age and the money figures are the purchase summary's own columns.
 */
export interface RunScores {
  summaries: PurchaseSummaries;
  rfmR: Uint8Array;
  rfmF: Uint8Array;
  rfmM: Uint8Array;
  /** Each customer's segment as its position in RFM_SEGMENTS. */
  rfmSegment: Uint8Array;
  predictive: PredictiveScores | null;
}

export interface RunResult {
  scores: RunScores;
  model: Omit<ModelCard, 'fittedAt' | 'durationMs'>;
  /** Figures without `changes` (those need the previous run's scores). */
  figures: Omit<RunFigures, 'changes'>;
  durationMs: { fit: number; score: number };
}

export function churnTierOf(churnRisk: number): 'low' | 'medium' | 'high' {
  if (churnRisk < 0.3) return 'low';
  if (churnRisk < 0.7) return 'medium';
  return 'high';
}

/** Plain-words reasons the predictive models were not fitted (none: fit them). */
export function insufficiencyReasons(counts: ModelCard['counts']): string[] {
  const reasons: string[] = [];
  if (counts.customers < SUFFICIENCY.minCustomers) {
    reasons.push(
      `Only ${counts.customers} customers have ordered; predictions need at least ${SUFFICIENCY.minCustomers}.`,
    );
  }
  if (counts.historyDays < SUFFICIENCY.minHistoryDays) {
    reasons.push(
      `The order history covers ${counts.historyDays} days; predictions need at least ${SUFFICIENCY.minHistoryDays}.`,
    );
  }
  if (counts.repeatCustomers < SUFFICIENCY.minRepeatCustomers) {
    reasons.push(
      `Only ${counts.repeatCustomers} customers have ordered again on a later day; predictions need at least ${SUFFICIENCY.minRepeatCustomers}.`,
    );
  }
  return reasons;
}

/** The fit, when every parameter and the log-likelihood are finite numbers. */
function usable<Fit extends { parameters: object; logLikelihood: number }>(
  fit: Fit,
): Fit | undefined {
  const parameters = Object.values(fit.parameters as Record<string, number>);
  // A Beta(a, b) dropout with a and b in the millions is the likelihood's edge (everyone drops
  // out at one rate), where the expectation's series no longer computes: not a usable fit. The
  // log-likelihood only has to be finite: it grows with the base (about −3 million for a
  // million customers).
  return Number.isFinite(fit.logLikelihood) &&
    parameters.every((value) => Number.isFinite(value) && value > 0 && value < 1e5)
    ? fit
    : undefined;
}

function countBy<K extends string>(keys: readonly K[], values: Iterable<K>): Record<K, number> {
  const counts = Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  for (const value of values) counts[value] += 1;
  return counts;
}

export function computeRun(summaries: PurchaseSummaries, settings: RunSettings): RunResult {
  const started = performance.now();
  const { x, txDays, tDays, recencyDays, repeatMeanCents, totalCents } = summaries;
  const n = summaries.customers;
  let repeatCustomers = 0;
  let purchaseDays = 0;
  let historyDays = 0;
  const frequency = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const repeats = x[i] as number;
    if (repeats > 0) repeatCustomers += 1;
    purchaseDays += repeats + 1;
    historyDays = Math.max(historyDays, tDays[i] as number);
    frequency[i] = repeats + 1;
  }
  const counts = { customers: n, repeatCustomers, purchaseDays, historyDays, distinctHistories: 0 };
  const reasons = insufficiencyReasons(counts);
  const rfm = scoreRfmColumns(recencyDays, frequency, totalCents);
  const codeOf = new Map<RfmSegment, number>(RFM_SEGMENTS.map((name, code) => [name, code]));
  const scores: RunScores = {
    summaries,
    rfmR: rfm.rfmR,
    rfmF: rfm.rfmF,
    rfmM: rfm.rfmM,
    rfmSegment: Uint8Array.from(rfm.rfmSegment, (name) => codeOf.get(name) as number),
    predictive: null,
  };
  const base = {
    asOf: settings.asOf,
    timeZone: settings.timeZone,
    horizonDays: settings.horizonDays,
    annualDiscountRate: settings.annualDiscountRate,
    counts,
    sufficiency: { predictive: reasons.length === 0, reasons, thresholds: SUFFICIENCY },
  };
  const rfmSegments = countBy(RFM_SEGMENTS, rfm.rfmSegment);
  const rfmMs = performance.now() - started;
  if (reasons.length > 0) {
    return {
      scores,
      model: { ...base, bgnbd: null, gammaGamma: null },
      figures: { rfmSegments, churnTiers: null, clv: null, atRisk: null },
      durationMs: { fit: 0, score: rfmMs },
    };
  }

  const fitStarted = performance.now();
  const { triples, tripleOf } = groupTriples(x, txDays, tDays, DAYS_PER_WEEK);
  counts.distinctHistories = triples.length;
  // BFGS first (fast); where it ends on non-finite parameters, the slower Nelder-Mead search.
  const bgnbd = usable(fitBgNbd(triples)) ?? usable(fitBgNbdNelderMead(triples));
  // Gamma-Gamma on the repeat customers' mean values, in major units (the papers' dollars).
  const spends: { x: number; meanValue: number }[] = [];
  for (let i = 0; i < n; i++) {
    const mean = repeatMeanCents[i] as number;
    if ((x[i] as number) > 0 && mean > 0) spends.push({ x: x[i] as number, meanValue: mean / 100 });
  }
  const gammaGamma = usable(fitGammaGamma(spends)) ?? usable(fitGammaGammaNelderMead(spends));
  if (!bgnbd || !gammaGamma) {
    // Said, not hidden: no number is better than one from a model that did not fit.
    base.sufficiency.predictive = false;
    base.sufficiency.reasons.push(
      `The ${bgnbd ? 'spend' : 'purchase'} model could not be fitted to these orders (its parameters did not settle on finite values).`,
    );
    return {
      scores,
      model: { ...base, bgnbd: null, gammaGamma: null },
      figures: { rfmSegments, churnTiers: null, clv: null, atRisk: null },
      durationMs: { fit: performance.now() - fitStarted, score: rfmMs },
    };
  }
  const fitMs = performance.now() - fitStarted;

  const scoreStarted = performance.now();
  const byTriple = scoreTriples(bgnbd.parameters, triples, {
    horizonDays: settings.horizonDays,
    annualDiscountRate: settings.annualDiscountRate,
    unitsPerDay: 1 / DAYS_PER_WEEK,
  });
  const spend: GammaGammaParameters = gammaGamma.parameters;
  // With q ≤ 1 the population's mean order value is unbounded: a first-time buyer is then
  // valued at the repeat buyers' mean instead.
  let repeatSum = 0;
  for (let i = 0; i < n; i++) if ((x[i] as number) > 0) repeatSum += repeatMeanCents[i] as number;
  const repeatMean = repeatSum / Math.max(1, counts.repeatCustomers);
  const predictive: PredictiveScores = {
    pAlive: new Float64Array(n),
    expectedPurchases: new Float64Array(n),
    expectedOrderValueCents: new Float64Array(n),
    clvCents: new Float64Array(n),
    clvPercentile: new Uint8Array(n),
  };
  const tiers = { low: 0, medium: 0, high: 0 };
  const atRisk = { customers: 0, historicalRevenueCents: 0, clvCents: 0 };
  for (let i = 0; i < n; i++) {
    const triple = tripleOf[i] as number;
    const pAlive = byTriple.pAlive[triple] as number;
    const repeats = x[i] as number;
    const orderValueCents =
      repeats === 0 && spend.q <= 1
        ? repeatMean
        : expectedOrderValue(spend, repeats, (repeatMeanCents[i] as number) / 100) * 100;
    const clvCents = (byTriple.discountedPurchases[triple] as number) * orderValueCents;
    predictive.pAlive[i] = pAlive;
    predictive.expectedPurchases[i] = byTriple.expectedPurchases[triple] as number;
    predictive.expectedOrderValueCents[i] = orderValueCents;
    predictive.clvCents[i] = clvCents;
    const tier = churnTierOf(1 - pAlive);
    tiers[tier] += 1;
    if (tier === 'high') {
      atRisk.customers += 1;
      atRisk.historicalRevenueCents += totalCents[i] as number;
      atRisk.clvCents += clvCents;
    }
  }
  predictive.clvPercentile = percentileRanks(predictive.clvCents);
  scores.predictive = predictive;
  const clvSorted = predictive.clvCents.slice().sort();
  const scoreMs = rfmMs + (performance.now() - scoreStarted);

  return {
    scores,
    model: {
      ...base,
      bgnbd: {
        ...bgnbd.parameters,
        timeUnit: 'weeks',
        logLikelihood: bgnbd.logLikelihood,
        converged: bgnbd.converged,
        iterations: bgnbd.iterations,
        customers: bgnbd.customers,
      },
      gammaGamma: {
        ...gammaGamma.parameters,
        currency: settings.currency,
        logLikelihood: gammaGamma.logLikelihood,
        converged: gammaGamma.converged,
        iterations: gammaGamma.iterations,
        customers: gammaGamma.customers,
      },
    },
    figures: {
      rfmSegments,
      churnTiers: tiers,
      clv: clvFigures(clvSorted),
      atRisk,
    },
    durationMs: { fit: fitMs, score: scoreMs },
  };
}

function clvFigures(sorted: Float64Array): NonNullable<RunFigures['clv']> {
  const p99 = percentile(sorted, 99);
  const width = p99 > 0 ? p99 / HISTOGRAM_BUCKETS : 1;
  const histogram = Array.from({ length: HISTOGRAM_BUCKETS }, (_, bucket) => ({
    fromCents: bucket * width,
    toCents: (bucket + 1) * width,
    customers: 0,
  }));
  for (const value of sorted) {
    if (!Number.isFinite(value)) continue;
    const bucket = Math.min(HISTOGRAM_BUCKETS - 1, Math.max(0, Math.floor(value / width)));
    (histogram[bucket] as (typeof histogram)[number]).customers += 1;
  }
  return {
    totalCents: sorted.reduce((sum, value) => sum + value, 0),
    percentiles: {
      p10: percentile(sorted, 10),
      p25: percentile(sorted, 25),
      p50: percentile(sorted, 50),
      p75: percentile(sorted, 75),
      p90: percentile(sorted, 90),
      p99,
    },
    histogram,
  };
}

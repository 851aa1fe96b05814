// One intelligence run's arithmetic, from the per-customer purchase summaries to the scores, the
// model card and the figures; no database here. BG/NBD is fitted in weeks, as the papers report
// it, on the distinct (x, t_x, T) triples; everything a triple decides (P(alive), expected
// purchases, the discounted purchases CLV multiplies by the order value) is worked out once per
// triple, so a million customers cost what their distinct histories cost.
import { fitBgNbd, fitBgNbdNelderMead, groupTriples } from './models/bgnbd.ts';
import { percentile, percentileRanks, scoreTriples } from './models/clv.ts';
import {
  expectedOrderValue,
  fitGammaGamma,
  fitGammaGammaNelderMead,
  type GammaGammaParameters,
} from './models/gamma-gamma.ts';
import { type RfmSegment, scoreRfm } from './models/rfm.ts';
import type { CustomerPurchaseSummary } from './repository.ts';
import { CHURN_TIERS, type ModelCard, RFM_SEGMENTS, type RunFigures } from './schemas.ts';

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

/** A customer's scores as stored (customer_scores); the predictive ones null without a fit. */
export interface ScoreRow {
  customerId: string;
  frequency: number;
  recencyDays: number;
  ageDays: number;
  monetaryCents: number;
  totalCents: number;
  rfmR: number;
  rfmF: number;
  rfmM: number;
  rfmSegment: RfmSegment;
  pAlive: number | null;
  churnRisk: number | null;
  churnTier: 'low' | 'medium' | 'high' | null;
  expectedPurchases: number | null;
  expectedOrderValueCents: number | null;
  clvCents: number | null;
  clvPercentile: number | null;
}

export interface RunResult {
  scores: ScoreRow[];
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

export function computeRun(
  summaries: readonly CustomerPurchaseSummary[],
  settings: RunSettings,
): RunResult {
  const counts = {
    customers: summaries.length,
    repeatCustomers: summaries.filter((summary) => summary.x > 0).length,
    purchaseDays: summaries.reduce((sum, summary) => sum + summary.x + 1, 0),
    historyDays: summaries.reduce((longest, summary) => Math.max(longest, summary.tDays), 0),
    distinctHistories: 0,
  };
  const reasons = insufficiencyReasons(counts);
  const rfm = scoreRfm(
    summaries.map((summary) => ({
      recencyDays: summary.recencyDays,
      frequency: summary.x + 1,
      monetary: summary.totalCents,
    })),
  );
  const scores: ScoreRow[] = summaries.map((summary, index) => {
    const score = rfm[index] as (typeof rfm)[number];
    return {
      customerId: summary.customerId,
      frequency: summary.x,
      recencyDays: summary.txDays,
      ageDays: summary.tDays,
      monetaryCents: summary.repeatMeanCents,
      totalCents: summary.totalCents,
      rfmR: score.r,
      rfmF: score.f,
      rfmM: score.m,
      rfmSegment: score.segment,
      pAlive: null,
      churnRisk: null,
      churnTier: null,
      expectedPurchases: null,
      expectedOrderValueCents: null,
      clvCents: null,
      clvPercentile: null,
    };
  });
  const base = {
    asOf: settings.asOf,
    timeZone: settings.timeZone,
    horizonDays: settings.horizonDays,
    annualDiscountRate: settings.annualDiscountRate,
    counts,
    sufficiency: { predictive: reasons.length === 0, reasons, thresholds: SUFFICIENCY },
  };
  const rfmSegments = countBy(
    RFM_SEGMENTS,
    scores.map((row) => row.rfmSegment),
  );
  if (reasons.length > 0) {
    return {
      scores,
      model: { ...base, bgnbd: null, gammaGamma: null },
      figures: { rfmSegments, churnTiers: null, clv: null, atRisk: null },
      durationMs: { fit: 0, score: 0 },
    };
  }

  const fitStarted = performance.now();
  const { triples, tripleOf } = groupTriples(
    summaries.map((summary) => summary.x),
    summaries.map((summary) => summary.txDays),
    summaries.map((summary) => summary.tDays),
    DAYS_PER_WEEK,
  );
  counts.distinctHistories = triples.length;
  // BFGS first (fast); where it ends on non-finite parameters, the slower Nelder-Mead search.
  const bgnbd = usable(fitBgNbd(triples)) ?? usable(fitBgNbdNelderMead(triples));
  // Gamma-Gamma on the repeat customers' mean values, in major units (the papers' dollars).
  const spends = summaries
    .filter((summary) => summary.x > 0 && summary.repeatMeanCents > 0)
    .map((summary) => ({ x: summary.x, meanValue: summary.repeatMeanCents / 100 }));
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
      durationMs: { fit: performance.now() - fitStarted, score: 0 },
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
  const repeatMean =
    summaries.reduce((sum, s) => sum + (s.x > 0 ? s.repeatMeanCents : 0), 0) /
    Math.max(1, counts.repeatCustomers);
  const clv = new Float64Array(summaries.length);
  for (const [index, summary] of summaries.entries()) {
    const triple = tripleOf[index] as number;
    const pAlive = byTriple.pAlive[triple] as number;
    const orderValueCents =
      summary.x === 0 && spend.q <= 1
        ? repeatMean
        : expectedOrderValue(spend, summary.x, summary.repeatMeanCents / 100) * 100;
    const row = scores[index] as ScoreRow;
    row.pAlive = pAlive;
    row.churnRisk = 1 - pAlive;
    row.churnTier = churnTierOf(row.churnRisk);
    row.expectedPurchases = byTriple.expectedPurchases[triple] as number;
    row.expectedOrderValueCents = orderValueCents;
    row.clvCents = (byTriple.discountedPurchases[triple] as number) * orderValueCents;
    clv[index] = row.clvCents;
  }
  const ranks = percentileRanks(clv);
  for (const [index, row] of scores.entries()) row.clvPercentile = ranks[index] as number;
  const clvSorted = Array.from(clv.sort());
  const scoreMs = performance.now() - scoreStarted;

  const highRisk = scores.filter((row) => row.churnTier === 'high');
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
      churnTiers: countBy(
        CHURN_TIERS,
        scores.map((row) => row.churnTier as 'low' | 'medium' | 'high'),
      ),
      clv: clvFigures(clvSorted),
      atRisk: {
        customers: highRisk.length,
        historicalRevenueCents: highRisk.reduce((sum, row) => sum + row.totalCents, 0),
        clvCents: highRisk.reduce((sum, row) => sum + (row.clvCents as number), 0),
      },
    },
    durationMs: { fit: fitMs, score: scoreMs },
  };
}

function clvFigures(sorted: readonly number[]): NonNullable<RunFigures['clv']> {
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

// Intelligence runs for tests that need one without fitting models: a model card and figures
// shaped like a real run's (RunFigures, ModelCard), and a succeeded (or other) run row inserted
// straight into intelligence_runs.
import type { ModelCard, RunFigures } from '../../src/modules/intelligence/schemas.ts';
import type { Executor } from '../../src/platform/db/client.ts';
import { intelligenceRuns } from '../../src/platform/db/schema/index.ts';

const fit = { converged: true, iterations: 180, customers: 1234 };

/** A run with enough data: 1,234 customers, 234 of them at high churn risk. */
export function predictiveCard(asOf = '2026-11-30'): ModelCard {
  return {
    fittedAt: `${asOf}T02:00:00.000Z`,
    asOf,
    timeZone: 'UTC',
    horizonDays: 365,
    annualDiscountRate: 0.1,
    counts: {
      customers: 1234,
      repeatCustomers: 512,
      purchaseDays: 3456,
      historyDays: 540,
      distinctHistories: 901,
    },
    sufficiency: {
      predictive: true,
      reasons: [],
      thresholds: { minCustomers: 500, minHistoryDays: 90, minRepeatCustomers: 100 },
    },
    bgnbd: {
      r: 0.2426,
      alpha: 4.4135,
      a: 0.7929,
      b: 2.4258,
      timeUnit: 'weeks',
      logLikelihood: -9582.4,
      ...fit,
    },
    gammaGamma: { p: 6.25, q: 3.74, v: 15.45, currency: 'USD', logLikelihood: -4000.1, ...fit },
    durationMs: { summary: 12, fit: 40, score: 9, store: 20, total: 81 },
  };
}

/** A run below the thresholds: RFM only. */
export function rfmOnlyCard(asOf = '2026-11-30'): ModelCard {
  return {
    ...predictiveCard(asOf),
    counts: {
      customers: 312,
      repeatCustomers: 41,
      purchaseDays: 380,
      historyDays: 60,
      distinctHistories: 0,
    },
    sufficiency: {
      predictive: false,
      reasons: [
        'Fewer than 500 customers with an order (312)',
        'Less than 90 days of order history (60)',
      ],
      thresholds: { minCustomers: 500, minHistoryDays: 90, minRepeatCustomers: 100 },
    },
    bgnbd: null,
    gammaGamma: null,
  };
}

const SEGMENTS = {
  champions: 210,
  loyal: 180,
  potential_loyalists: 150,
  new: 90,
  promising: 60,
  need_attention: 110,
  about_to_sleep: 95,
  at_risk: 130,
  cannot_lose: 24,
  hibernating: 85,
  lost: 100,
};

/** The figures of `predictiveCard`: a previous run a month earlier when `previous` is given. */
export function predictiveFigures(previous?: { runId: string; asOf: string }): RunFigures {
  return {
    rfmSegments: SEGMENTS,
    churnTiers: { low: 700, medium: 300, high: 234 },
    clv: {
      totalCents: 45_678_912,
      percentiles: { p10: 1250, p25: 4800, p50: 12_345, p75: 30_210, p90: 61_000, p99: 250_000 },
      histogram: [
        { fromCents: 0, toCents: 125_000, customers: 1100 },
        { fromCents: 125_000, toCents: 250_000, customers: 122 },
        { fromCents: 250_000, toCents: 250_000, customers: 12 },
      ],
    },
    atRisk: { customers: 234, historicalRevenueCents: 3_456_789, clvCents: 2_345_600 },
    changes: previous
      ? {
          previousRunId: previous.runId,
          previousAsOf: previous.asOf,
          rfmSegments: {
            champions: 12,
            loyal: -6,
            potential_loyalists: 4,
            new: 30,
            promising: 0,
            need_attention: 3,
            about_to_sleep: 2,
            at_risk: 25,
            cannot_lose: 1,
            hibernating: 0,
            lost: -8,
          },
          movements: [
            { from: 'loyal', to: 'at_risk', customers: 40 },
            { from: 'potential_loyalists', to: 'loyal', customers: 22 },
          ],
          newCustomers: 57,
        }
      : null,
  };
}

/** The figures of `rfmOnlyCard`. */
export function rfmOnlyFigures(): RunFigures {
  const scale = (count: number) => Math.round((count * 312) / 1234);
  const segments = Object.fromEntries(
    Object.entries(SEGMENTS).map(([name, count]) => [name, scale(count)]),
  ) as RunFigures['rfmSegments'];
  segments.champions += 312 - Object.values(segments).reduce((sum, count) => sum + count, 0);
  return { rfmSegments: segments, churnTiers: null, clv: null, atRisk: null, changes: null };
}

/** Inserts a run row of `businessId` as the run service would leave it; returns its id. */
export async function insertRun(
  db: Executor,
  businessId: string,
  run: {
    status?: 'running' | 'succeeded' | 'failed';
    model: ModelCard | null;
    figures: RunFigures | null;
  },
): Promise<string> {
  const asOf = run.model?.asOf ?? '2026-11-30';
  const [row] = await db
    .insert(intelligenceRuns)
    .values({
      businessId,
      status: run.status ?? 'succeeded',
      trigger: 'manual',
      asOf,
      horizonDays: run.model?.horizonDays ?? 365,
      annualDiscountRate: run.model?.annualDiscountRate ?? 0.1,
      timeZone: 'UTC',
      model: run.model,
      figures: run.figures,
      finishedAt: run.status === 'running' ? null : new Date(`${asOf}T02:00:00.000Z`),
    })
    .returning({ id: intelligenceRuns.id });
  if (!row) throw new Error('run not inserted');
  return row.id;
}

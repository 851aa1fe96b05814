// What the insight task is given: a run's figures and the essentials of its model card, the
// previous run's figures, and the shares and before/after figures a narrative wants to cite —
// computed here, so the model never has to do arithmetic of its own (the grounding check would
// refuse a number it computed). Amounts stay in minor units under keys ending in `Cents`;
// fractions sit under `ratios` (grounding.ts reads the units from those names).
import type { InsightFigures, RunInsightInput } from '../../ai/tasks.ts';
import type { ModelCard, RunFigures } from './schemas.ts';

/** The churn-risk tier boundaries (schemas.ts ChurnTier). */
const CHURN_RISK_FROM = { medium: 0.3, high: 0.7 };
/** Movements between segments worth narrating, largest first. */
const MOVEMENTS = 5;
const DAYS_PER_MONTH = 365.25 / 12;

export interface RunForInsight {
  asOf: string;
  horizonDays: number;
  annualDiscountRate: number;
  model: ModelCard;
  figures: RunFigures;
}

const share = (part: number, whole: number) => Math.round((part / whole) * 10_000) / 10_000;

function sharesOf(counts: Readonly<Record<string, number>>, whole: number) {
  return Object.fromEntries(
    Object.entries(counts).map(([key, value]) => [key, whole > 0 ? share(value, whole) : 0]),
  );
}

const sum = (counts: Readonly<Record<string, number>>) =>
  Object.values(counts).reduce((total, value) => total + value, 0);

function essentials(figures: RunFigures): InsightFigures {
  return {
    rfmSegments: figures.rfmSegments,
    churnTiers: figures.churnTiers,
    // The histogram's bucket edges are not worth narrating, and every number given is one the
    // text may cite: fewer numbers, a tighter check.
    clv: figures.clv && {
      totalCents: figures.clv.totalCents,
      percentiles: figures.clv.percentiles,
    },
    atRisk: figures.atRisk,
  };
}

/** The horizon in days, and in months when it is a whole number of them (365 days: 12). */
function horizonOf(days: number): RunInsightInput['horizon'] {
  const months = days / DAYS_PER_MONTH;
  const whole = Math.round(months);
  return whole >= 1 && Math.abs(months - whole) < 0.1 ? { days, months: whole } : { days };
}

function beforeAfter(before: number, after: number, unit: '' | 'Cents') {
  return { [`before${unit}`]: before, [`after${unit}`]: after, [`change${unit}`]: after - before };
}

export function insightInput(
  run: RunForInsight,
  previous: { asOf: string; figures: RunFigures } | null,
): RunInsightInput {
  const { model, figures } = run;
  const customers = model.counts.customers;
  const ratios: Record<string, number | Record<string, number>> = {
    rfmSegments: sharesOf(figures.rfmSegments, customers),
    churnRiskFrom: CHURN_RISK_FROM,
  };
  if (customers > 0) ratios.repeatCustomers = share(model.counts.repeatCustomers, customers);
  if (figures.churnTiers) ratios.churnTiers = sharesOf(figures.churnTiers, customers);
  if (figures.atRisk && customers > 0) {
    ratios.atRiskCustomers = share(figures.atRisk.customers, customers);
    if (figures.clv && figures.clv.totalCents > 0) {
      ratios.atRiskClv = share(figures.atRisk.clvCents, figures.clv.totalCents);
    }
  }

  let sincePrevious: RunInsightInput['sincePrevious'] = null;
  if (previous) {
    const before = previous.figures;
    const beforeCustomers = sum(before.rfmSegments);
    const changes: Record<string, Record<string, number>> = {
      customers: beforeAfter(beforeCustomers, customers, ''),
    };
    const relative: Record<string, number> = {};
    if (beforeCustomers > 0)
      relative.customers = share(customers - beforeCustomers, beforeCustomers);
    if (before.atRisk && figures.atRisk) {
      changes.atRiskCustomers = beforeAfter(before.atRisk.customers, figures.atRisk.customers, '');
      changes.atRiskClv = beforeAfter(before.atRisk.clvCents, figures.atRisk.clvCents, 'Cents');
      if (before.atRisk.customers > 0) {
        relative.atRiskCustomers = share(
          figures.atRisk.customers - before.atRisk.customers,
          before.atRisk.customers,
        );
      }
    }
    if (before.clv && figures.clv) {
      changes.clvTotal = beforeAfter(before.clv.totalCents, figures.clv.totalCents, 'Cents');
      if (before.clv.totalCents > 0) {
        relative.clvTotal = share(
          figures.clv.totalCents - before.clv.totalCents,
          before.clv.totalCents,
        );
      }
    }
    sincePrevious = changes;
    ratios.sincePrevious = relative;
  }

  return {
    currency: model.gammaGamma?.currency ?? 'USD',
    asOf: run.asOf,
    previousAsOf: figures.changes?.previousAsOf ?? previous?.asOf ?? null,
    horizon: horizonOf(run.horizonDays),
    annualDiscountRate: run.annualDiscountRate,
    model: {
      fittedAt: model.fittedAt,
      predictive: model.sufficiency.predictive,
      reasons: model.sufficiency.reasons,
      counts: model.counts,
      thresholds: model.sufficiency.thresholds,
    },
    figures: essentials(figures),
    changes: figures.changes && {
      rfmSegments: figures.changes.rfmSegments,
      movements: figures.changes.movements.slice(0, MOVEMENTS),
      newCustomers: figures.changes.newCustomers,
    },
    previousFigures: previous && essentials(previous.figures),
    sincePrevious,
    ratios,
  };
}

// Request and response shapes of customer intelligence: a run's options, its model card (the
// fitted parameters, how well they fit, whether there was enough data), its figures (RFM
// segment sizes, churn tiers, the CLV distribution, what changed since the previous run) and
// one customer's scores. Amounts are in minor units (cents), times in days unless named weeks.
import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';
import { ChurnTier, RfmSegmentName } from '../customers/index.ts';

export const BusinessParams = z.object({ businessId: z.uuid() });
export const RunParams = z.object({ businessId: z.uuid(), runId: z.uuid() });

// The score vocabulary and a customer's scores belong to the customer profile (the customers
// module reads them into the profile, the list and segment rules); the run writes them.
export { CHURN_TIERS, RFM_SEGMENTS } from '../../shared/scores.ts';
export { ChurnTier, CustomerScores, RfmSegmentName } from '../customers/index.ts';

export const RunOptions = z
  .strictObject({
    asOf: z.iso
      .date()
      .optional()
      .describe(
        "Only orders on or before this calendar day (the business's time zone) count; default today",
      )
      .meta({ example: '2026-06-30' }),
    horizonDays: z.number().int().min(1).max(3650).default(365),
    annualDiscountRate: z.number().min(0).max(1).default(0.1),
  })
  .meta({ id: 'IntelligenceRunOptions' });
export type RunOptions = z.infer<typeof RunOptions>;

const Fit = {
  logLikelihood: z.number(),
  converged: z.boolean(),
  iterations: z.number().int(),
  /** Customers the model was fitted on. */
  customers: z.number().int(),
};

export const ModelCard = z
  .object({
    fittedAt: z.iso.datetime(),
    asOf: z.iso.date(),
    timeZone: z.string(),
    horizonDays: z.number().int(),
    annualDiscountRate: z.number(),
    counts: z.object({
      /** Customers with at least one order on or before the as-of date. */
      customers: z.number().int(),
      /** Of those, customers with at least one repeat purchase day. */
      repeatCustomers: z.number().int(),
      /** Calendar days with an order, summed over the customers. */
      purchaseDays: z.number().int(),
      /** Days from the first order to the as-of date. */
      historyDays: z.number().int(),
      /** Distinct (x, t_x, T) histories the BG/NBD likelihood was summed over (0 without a fit). */
      distinctHistories: z.number().int(),
    }),
    sufficiency: z.object({
      /** Whether the predictive fields (BG/NBD, Gamma-Gamma, CLV) were computed. */
      predictive: z.boolean(),
      /** Why not, in plain words (empty when predictive). */
      reasons: z.array(z.string()),
      thresholds: z.object({
        minCustomers: z.number().int(),
        minHistoryDays: z.number().int(),
        minRepeatCustomers: z.number().int(),
      }),
    }),
    /** BG/NBD (Fader, Hardie & Lee 2005); time in weeks, as the paper reports it. */
    bgnbd: z
      .object({
        r: z.number(),
        alpha: z.number(),
        a: z.number(),
        b: z.number(),
        timeUnit: z.literal('weeks'),
        ...Fit,
      })
      .nullable(),
    /** Gamma-Gamma spend model (Fader, Hardie & Lee 2005b), on repeat customers' mean values. */
    gammaGamma: z
      .object({ p: z.number(), q: z.number(), v: z.number(), currency: z.string(), ...Fit })
      .nullable(),
    /** Where the run's time went, in milliseconds. */
    durationMs: z.object({
      summary: z.number(),
      fit: z.number(),
      score: z.number(),
      store: z.number(),
      total: z.number(),
    }),
  })
  .meta({ id: 'ModelCard' });
export type ModelCard = z.infer<typeof ModelCard>;

const SegmentCounts = z.record(RfmSegmentName, z.number().int());

export const RunFigures = z
  .object({
    rfmSegments: SegmentCounts,
    /** Customers per churn tier (null without enough data). */
    churnTiers: z.record(ChurnTier, z.number().int()).nullable(),
    clv: z
      .object({
        totalCents: z.number(),
        percentiles: z.object({
          p10: z.number(),
          p25: z.number(),
          p50: z.number(),
          p75: z.number(),
          p90: z.number(),
          p99: z.number(),
        }),
        /** Equal-width buckets from 0 to the 99th percentile; the last holds everything above. */
        histogram: z.array(
          z.object({ fromCents: z.number(), toCents: z.number(), customers: z.number().int() }),
        ),
      })
      .nullable(),
    /** Customers in the high churn tier: how many, what they spent so far, their CLV. */
    atRisk: z
      .object({
        customers: z.number().int(),
        historicalRevenueCents: z.number(),
        clvCents: z.number(),
      })
      .nullable(),
    /** Against the previous succeeded run of the business (null for the first). */
    changes: z
      .object({
        previousRunId: z.uuid(),
        previousAsOf: z.iso.date(),
        /** This run's size minus the previous one's, per RFM segment. */
        rfmSegments: SegmentCounts,
        /** Customers scored in both runs who moved between segments, largest moves first. */
        movements: z.array(
          z.object({ from: RfmSegmentName, to: RfmSegmentName, customers: z.number().int() }),
        ),
        newCustomers: z.number().int(),
      })
      .nullable(),
  })
  .meta({ id: 'IntelligenceFigures' });
export type RunFigures = z.infer<typeof RunFigures>;

export const IntelligenceRun = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    jobId: z.uuid().nullable(),
    status: z.enum(['running', 'succeeded', 'failed']),
    trigger: z.enum(['manual', 'schedule']),
    asOf: z.iso.date(),
    horizonDays: z.number().int(),
    annualDiscountRate: z.number(),
    model: ModelCard.nullable(),
    figures: RunFigures.nullable(),
    error: z.string().nullable(),
    /** Whether the per-customer scores (and scores.csv) are still kept: only the latest runs'. */
    scoresKept: z.boolean(),
    createdAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'IntelligenceRun' });
export type IntelligenceRun = z.infer<typeof IntelligenceRun>;

export const RunListQuery = PaginationQuery;
export const RunPage = pageSchema(IntelligenceRun);
export const LatestRun = z.object({ run: IntelligenceRun.nullable() });

export const AtRiskQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

/** A customer in the high churn tier, for the churn-risk list. */
export const AtRiskCustomer = z
  .object({
    customerId: z.uuid(),
    userId: z.string().nullable(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    rfmSegment: RfmSegmentName,
    churnRisk: z.number(),
    clvCents: z.number(),
    /** Days from the last purchase day to the run's as-of day. */
    daysSinceLastPurchase: z.number().int(),
    frequency: z.number().int(),
  })
  .meta({ id: 'AtRiskCustomer' });
export const AtRiskList = z.object({ items: z.array(AtRiskCustomer) });
export type AtRiskList = z.infer<typeof AtRiskList>;

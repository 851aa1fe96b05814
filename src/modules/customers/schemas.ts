// Request and response shapes of customer profiles, their timelines, orders and privacy requests.
import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';
import { CHURN_TIERS, RFM_SEGMENTS } from '../../shared/scores.ts';

export const BusinessParams = z.object({ businessId: z.uuid() });
export const CustomerParams = z.object({ businessId: z.uuid(), customerId: z.uuid() });

const BooleanQuery = z
  .enum(['true', 'false'])
  .transform((value) => value === 'true')
  .meta({ example: 'true' });

// A customer's scores come from the business's latest succeeded intelligence run (the
// intelligence module fills them; the profile, the list and segment rules read them).

export const RfmSegmentName = z.enum(RFM_SEGMENTS).meta({ id: 'RfmSegment' });
export const ChurnTier = z
  .enum(CHURN_TIERS)
  .describe('low: churn risk below 0.3; medium: 0.3 to 0.7; high: 0.7 and above')
  .meta({ id: 'ChurnTier' });

/** One customer's scores from the business's latest run (GET …/customers/{id} `scores`). */
export const CustomerScores = z
  .object({
    runId: z.uuid(),
    asOf: z.iso.date(),
    frequency: z.number().int().describe('Repeat purchase days'),
    recencyDays: z.number().int().describe('Days from the first purchase day to the last'),
    ageDays: z.number().int().describe('Days from the first purchase day to the as-of date'),
    monetaryCents: z.number().describe('Mean value of the repeat purchase days'),
    rfm: z.object({
      r: z.number().int(),
      f: z.number().int(),
      m: z.number().int(),
      segment: RfmSegmentName,
    }),
    pAlive: z.number().nullable(),
    churnRisk: z.number().nullable(),
    churnTier: ChurnTier.nullable(),
    expectedPurchases: z.number().nullable().describe('Over the run’s horizon'),
    expectedOrderValueCents: z.number().nullable(),
    clvCents: z.number().nullable(),
    clvPercentile: z.number().int().nullable(),
  })
  .meta({ id: 'CustomerScores' });
export type CustomerScores = z.infer<typeof CustomerScores>;

/** The few scores a row of the customer list shows. */
export const ScoreSummary = z
  .object({
    rfmSegment: RfmSegmentName,
    churnTier: ChurnTier.nullable(),
    churnRisk: z.number().nullable(),
    clvCents: z.number().nullable(),
  })
  .meta({ id: 'CustomerScoreSummary' });
export type ScoreSummary = z.infer<typeof ScoreSummary>;

export const CustomerListQuery = PaginationQuery.extend({
  /** Part of an email, userId or name. */
  search: z.string().trim().min(1).max(200).optional(),
  userId: z.string().min(1).max(200).optional(),
  segmentId: z.uuid().optional(),
  lastSeenAfter: z.iso.datetime({ offset: true }).optional(),
  lastSeenBefore: z.iso.datetime({ offset: true }).optional(),
  hasOrders: BooleanQuery.optional(),
  /** Scores of the latest succeeded intelligence run; no run (or no score) matches nothing. */
  rfmSegment: RfmSegmentName.optional(),
  churnTier: ChurnTier.optional(),
  minClvPercentile: z.coerce
    .number()
    .int()
    .min(0)
    .max(100)
    .optional()
    .describe('Keeps customers whose CLV percentile is at least this (80: the top 20 %)'),
});
export type CustomerListQuery = z.infer<typeof CustomerListQuery>;

export const CustomerSummary = z.object({
  id: z.uuid(),
  userId: z.string().nullable(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  firstSeenAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  eventCount: z.number().int(),
  orderCount: z.number().int(),
  /** Net of refunds, in cents. */
  revenueCents: z.number().int(),
  subscriberId: z.uuid().nullable(),
  /** From the latest succeeded intelligence run; null without one or when not scored. */
  scores: ScoreSummary.nullable(),
});
export type CustomerSummary = z.infer<typeof CustomerSummary>;
export const CustomerPage = pageSchema(CustomerSummary);

export const IdentityKind = z.enum(['userId', 'anonymousId', 'email']);
export const Identity = z.object({ kind: IdentityKind, value: z.string() });

export const Order = z.object({
  id: z.uuid(),
  orderId: z.string(),
  status: z.enum(['completed', 'partially_refunded', 'refunded']),
  totalCents: z.number().int(),
  refundedCents: z.number().int(),
  currency: z.string(),
  products: z.array(z.unknown()),
  placedAt: z.iso.datetime(),
});
export type Order = z.infer<typeof Order>;
export const OrderPage = pageSchema(Order);

export const Customer = CustomerSummary.extend({
  businessId: z.uuid(),
  traits: z.record(z.string(), z.unknown()),
  identities: z.array(Identity),
  subscriber: z.object({ id: z.uuid(), email: z.string(), consentStatus: z.string() }).nullable(),
  segments: z.array(z.object({ id: z.uuid(), name: z.string() })),
  /** The five latest orders; the orders route pages through all of them. */
  recentOrders: z.array(Order),
  /** From the latest succeeded intelligence run; null without one or when not scored. */
  scores: CustomerScores.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Customer = z.infer<typeof Customer>;

export const CustomerEvent = z.object({
  messageId: z.string(),
  type: z.string(),
  event: z.string().nullable(),
  userId: z.string().nullable(),
  anonymousId: z.string().nullable(),
  email: z.string().nullable(),
  properties: z.record(z.string(), z.unknown()),
  traits: z.record(z.string(), z.unknown()).nullable(),
  context: z.record(z.string(), z.unknown()),
  timestamp: z.iso.datetime(),
  receivedAt: z.iso.datetime(),
});
export type CustomerEvent = z.infer<typeof CustomerEvent>;
export const CustomerEventPage = pageSchema(CustomerEvent);

export const DeleteCustomerQuery = z.object({
  /** Also list the person's identities so later events about them are dropped at ingestion. */
  suppress: BooleanQuery.default(false),
});

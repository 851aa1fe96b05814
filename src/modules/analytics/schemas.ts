import { z } from 'zod';

const Count = z.number().int().min(0).max(1e13);

export const MetricsBody = z.object({
  day: z.iso.date().meta({ example: '2026-03-02' }),
  source: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .default('manual')
    .describe(
      'Who reports the figures (an integration name, or manual); one row per day and source',
    ),
  impressions: Count.default(0),
  clicks: Count.default(0),
  reactions: Count.default(0),
  shares: Count.default(0),
  conversions: Count.default(0),
  spendCents: Count.default(0),
  revenueCents: Count.default(0),
});
export type MetricsBody = z.infer<typeof MetricsBody>;

export const MetricsRow = MetricsBody.extend({
  contentId: z.uuid(),
  campaignId: z.uuid().nullable(),
  updatedAt: z.iso.datetime(),
}).meta({ id: 'ContentMetricsRow' });

export const Totals = z
  .object({
    impressions: z.number(),
    clicks: z.number(),
    reactions: z.number(),
    shares: z.number(),
    conversions: z.number(),
    spendCents: z.number(),
    revenueCents: z.number(),
    ctr: z.number().nullable().describe('clicks / impressions'),
    conversionRate: z.number().nullable().describe('conversions / clicks'),
    costPerConversionCents: z.number().nullable().describe('spend / conversions'),
    roas: z.number().nullable().describe('revenue / spend'),
  })
  .meta({ id: 'MetricTotals' });
export type Totals = z.infer<typeof Totals>;

export const ContentMetrics = z
  .object({ items: z.array(MetricsRow), totals: Totals })
  .meta({ id: 'ContentMetrics' });

export const CampaignAnalytics = z
  .object({
    campaignId: z.uuid(),
    totals: Totals,
    byPlatform: z.array(Totals.extend({ platform: z.string() })),
    byDay: z.array(Totals.extend({ day: z.string() })),
    byContent: z.array(
      Totals.extend({ contentId: z.uuid(), platform: z.string(), topic: z.string() }),
    ),
    contentByStatus: z.record(z.string(), z.number()),
  })
  .meta({ id: 'CampaignAnalytics' });
export type CampaignAnalytics = z.infer<typeof CampaignAnalytics>;

export const BusinessOverview = z
  .object({
    totals: Totals,
    campaigns: z.array(
      Totals.extend({ campaignId: z.uuid(), name: z.string(), status: z.string() }),
    ),
    contentByStatus: z.record(z.string(), z.number()),
    publishedLast30Days: z.number(),
  })
  .meta({ id: 'BusinessOverview' });
export type BusinessOverview = z.infer<typeof BusinessOverview>;

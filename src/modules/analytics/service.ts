// Analytics: per-content figures reported by integrations or by hand, campaign rollups (CTR,
// conversion rate, cost per conversion, ROAS), a business overview, and an AI job (jobs.ts) that
// writes a short insight summary for a campaign from those figures.
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { found } from '../../platform/http/errors.ts';
import type { Permission } from '../../shared/permissions.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import { createCampaignLookup } from '../campaigns/index.ts';
import { createContentLookup } from '../content/index.ts';
import type { Job, JobService } from '../jobs/index.ts';
import {
  createAnalyticsRepository,
  type MetricsRowRecord,
  NO_SUMS,
  type Sums,
  toSums,
} from './repository.ts';
import {
  type BusinessOverview,
  type CampaignAnalytics,
  type MetricsBody,
  type Totals,
} from './schemas.ts';

export const INSIGHTS_JOB = 'ai.campaign-insights';

const ratio = (numerator: number, denominator: number, digits = 4) =>
  denominator > 0 ? Math.round((numerator / denominator) * 10 ** digits) / 10 ** digits : null;

export function totalsOf(sums: Sums): Totals {
  return {
    ...sums,
    ctr: ratio(sums.clicks, sums.impressions),
    conversionRate: ratio(sums.conversions, sums.clicks),
    costPerConversionCents: ratio(sums.spendCents, sums.conversions, 0),
    roas: ratio(sums.revenueCents, sums.spendCents),
  };
}

const toMetricsRow = (row: MetricsRowRecord) => ({
  contentId: row.contentId,
  campaignId: row.campaignId,
  day: row.day,
  source: row.source,
  impressions: row.impressions,
  clicks: row.clicks,
  reactions: row.reactions,
  shares: row.shares,
  conversions: row.conversions,
  spendCents: row.spendCents,
  revenueCents: row.revenueCents,
  updatedAt: row.updatedAt.toISOString(),
});

export async function campaignAnalytics(
  db: Database,
  businessId: string,
  campaignId: string,
): Promise<CampaignAnalytics> {
  const repository = createAnalyticsRepository(db);
  const [totals, byPlatform, byDay, byContent, contentByStatus] = [
    await repository.campaignTotals(businessId, campaignId),
    await repository.campaignBy(businessId, campaignId, 'platform'),
    await repository.campaignBy(businessId, campaignId, 'day'),
    await repository.campaignBy(businessId, campaignId, 'content'),
    await repository.contentByStatus(businessId, campaignId),
  ];
  return {
    campaignId,
    totals: totalsOf(totals),
    byPlatform: byPlatform.map((row) => ({ platform: row.key, ...totalsOf(toSums(row)) })),
    byDay: byDay.map((row) => ({ day: row.key, ...totalsOf(toSums(row)) })),
    byContent: byContent.map((row) => {
      const extra = row as { platform?: string; topic?: string };
      return {
        contentId: row.key,
        platform: extra.platform ?? '',
        topic: extra.topic ?? '',
        ...totalsOf(toSums(row)),
      };
    }),
    contentByStatus,
  };
}

export function createAnalyticsService(deps: {
  db: Database;
  access: BusinessAccess;
  jobs: Pick<JobService, 'start'>;
}) {
  const { db, access } = deps;
  const repository = createAnalyticsRepository(db);

  async function ownedCampaign(
    principal: Principal,
    businessId: string,
    campaignId: string,
    permission: Permission,
  ) {
    await access.require(principal, businessId, permission);
    return found(await createCampaignLookup(db).find(businessId, campaignId), 'Campaign');
  }

  async function ownedContent(
    principal: Principal,
    businessId: string,
    contentId: string,
    permission: Permission,
  ) {
    await access.require(principal, businessId, permission);
    return found(await createContentLookup(db).find(businessId, contentId), 'Content');
  }

  return {
    async record(principal: Principal, businessId: string, contentId: string, body: MetricsBody) {
      const content = await ownedContent(principal, businessId, contentId, 'content.write');
      const row = await repository.upsert({
        ...body,
        businessId,
        contentId,
        campaignId: content.campaignId,
      });
      return toMetricsRow(row);
    },

    async forContent(principal: Principal, businessId: string, contentId: string) {
      await ownedContent(principal, businessId, contentId, 'business.read');
      const rows = await repository.forContent(businessId, contentId);
      const sums = rows.reduce<Sums>(
        (total, row) => ({
          impressions: total.impressions + row.impressions,
          clicks: total.clicks + row.clicks,
          reactions: total.reactions + row.reactions,
          shares: total.shares + row.shares,
          conversions: total.conversions + row.conversions,
          spendCents: total.spendCents + row.spendCents,
          revenueCents: total.revenueCents + row.revenueCents,
        }),
        NO_SUMS,
      );
      return { items: rows.map(toMetricsRow), totals: totalsOf(sums) };
    },

    async campaign(
      principal: Principal,
      businessId: string,
      campaignId: string,
    ): Promise<CampaignAnalytics> {
      await ownedCampaign(principal, businessId, campaignId, 'business.read');
      return campaignAnalytics(db, businessId, campaignId);
    },

    async overview(principal: Principal, businessId: string): Promise<BusinessOverview> {
      await access.require(principal, businessId, 'business.read');
      const byCampaign = await repository.businessByCampaign(businessId);
      return {
        totals: totalsOf(await repository.businessTotals(businessId)),
        campaigns: byCampaign.map((row) => ({
          campaignId: row.key,
          name: row.name,
          status: row.status,
          ...totalsOf(toSums(row)),
        })),
        contentByStatus: await repository.contentByStatus(businessId),
        publishedLast30Days: await repository.publishedSince(
          businessId,
          new Date(Date.now() - 30 * 86_400_000),
        ),
      };
    },

    async startInsights(
      principal: Principal,
      businessId: string,
      campaignId: string,
    ): Promise<Job> {
      await ownedCampaign(principal, businessId, campaignId, 'content.write');
      return deps.jobs.start(principal, businessId, INSIGHTS_JOB, { campaignId });
    },
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;

// SQL for content metrics and their rollups. Sums are done by Postgres; ratios by the service.
import { and, count, desc, eq, gte, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import { campaigns, contentMetrics, contents } from '../../platform/db/schema/index.ts';

export type MetricsRowRecord = typeof contentMetrics.$inferSelect;

export interface Sums {
  impressions: number;
  clicks: number;
  reactions: number;
  shares: number;
  conversions: number;
  spendCents: number;
  revenueCents: number;
}

/** The sums of no metrics at all. */
export const NO_SUMS: Sums = {
  impressions: 0,
  clicks: 0,
  reactions: 0,
  shares: 0,
  conversions: 0,
  spendCents: 0,
  revenueCents: 0,
};

const sums = {
  impressions: sql<string>`coalesce(sum(${contentMetrics.impressions}), 0)`,
  clicks: sql<string>`coalesce(sum(${contentMetrics.clicks}), 0)`,
  reactions: sql<string>`coalesce(sum(${contentMetrics.reactions}), 0)`,
  shares: sql<string>`coalesce(sum(${contentMetrics.shares}), 0)`,
  conversions: sql<string>`coalesce(sum(${contentMetrics.conversions}), 0)`,
  spendCents: sql<string>`coalesce(sum(${contentMetrics.spendCents}), 0)`,
  revenueCents: sql<string>`coalesce(sum(${contentMetrics.revenueCents}), 0)`,
};

/** Postgres returns sum(bigint) as numeric text: numbers for the API. */
export function toSums(row: Record<keyof Sums, string | number>): Sums {
  return {
    impressions: Number(row.impressions),
    clicks: Number(row.clicks),
    reactions: Number(row.reactions),
    shares: Number(row.shares),
    conversions: Number(row.conversions),
    spendCents: Number(row.spendCents),
    revenueCents: Number(row.revenueCents),
  };
}

export function createAnalyticsRepository(db: Executor) {
  return {
    async upsert(values: typeof contentMetrics.$inferInsert): Promise<MetricsRowRecord> {
      const rows = await db
        .insert(contentMetrics)
        .values(values)
        .onConflictDoUpdate({
          target: [contentMetrics.contentId, contentMetrics.day, contentMetrics.source],
          set: {
            impressions: values.impressions,
            clicks: values.clicks,
            reactions: values.reactions,
            shares: values.shares,
            conversions: values.conversions,
            spendCents: values.spendCents,
            revenueCents: values.revenueCents,
            updatedAt: sql`now()`,
          },
        })
        .returning();
      return returnedRow(rows, 'upsert');
    },

    async forContent(businessId: string, contentId: string): Promise<MetricsRowRecord[]> {
      return db
        .select()
        .from(contentMetrics)
        .where(
          and(eq(contentMetrics.businessId, businessId), eq(contentMetrics.contentId, contentId)),
        )
        .orderBy(desc(contentMetrics.day));
    },

    async campaignTotals(businessId: string, campaignId: string) {
      const [row] = await db
        .select(sums)
        .from(contentMetrics)
        .where(
          and(eq(contentMetrics.businessId, businessId), eq(contentMetrics.campaignId, campaignId)),
        );
      return toSums(row ?? NO_SUMS);
    },

    async campaignBy(businessId: string, campaignId: string, by: 'platform' | 'day' | 'content') {
      const scope = and(
        eq(contentMetrics.businessId, businessId),
        eq(contentMetrics.campaignId, campaignId),
      );
      if (by === 'day') {
        return db
          .select({ key: contentMetrics.day, ...sums })
          .from(contentMetrics)
          .where(scope)
          .groupBy(contentMetrics.day)
          .orderBy(contentMetrics.day);
      }
      if (by === 'platform') {
        return db
          .select({ key: contents.platform, ...sums })
          .from(contentMetrics)
          .innerJoin(contents, eq(contents.id, contentMetrics.contentId))
          .where(scope)
          .groupBy(contents.platform)
          .orderBy(contents.platform);
      }
      return db
        .select({ key: contents.id, platform: contents.platform, topic: contents.topic, ...sums })
        .from(contentMetrics)
        .innerJoin(contents, eq(contents.id, contentMetrics.contentId))
        .where(scope)
        .groupBy(contents.id, contents.platform, contents.topic)
        .orderBy(desc(sums.conversions), desc(sums.clicks))
        .limit(50);
    },

    async contentByStatus(
      businessId: string,
      campaignId?: string,
    ): Promise<Record<string, number>> {
      const rows = await db
        .select({ status: contents.status, count: count() })
        .from(contents)
        .where(
          and(
            eq(contents.businessId, businessId),
            campaignId ? eq(contents.campaignId, campaignId) : undefined,
          ),
        )
        .groupBy(contents.status);
      return Object.fromEntries(rows.map((row) => [row.status, row.count]));
    },

    async businessByCampaign(businessId: string) {
      return db
        .select({ key: campaigns.id, name: campaigns.name, status: campaigns.status, ...sums })
        .from(campaigns)
        .leftJoin(contentMetrics, eq(contentMetrics.campaignId, campaigns.id))
        .where(eq(campaigns.businessId, businessId))
        .groupBy(campaigns.id, campaigns.name, campaigns.status)
        .orderBy(desc(campaigns.createdAt))
        .limit(100);
    },

    async businessTotals(businessId: string) {
      const [row] = await db
        .select(sums)
        .from(contentMetrics)
        .where(eq(contentMetrics.businessId, businessId));
      return toSums(row ?? NO_SUMS);
    },

    async publishedSince(businessId: string, since: Date): Promise<number> {
      const [row] = await db
        .select({ count: count() })
        .from(contents)
        .where(
          and(
            eq(contents.businessId, businessId),
            eq(contents.status, 'published'),
            gte(contents.publishedAt, since),
          ),
        );
      return row?.count ?? 0;
    },
  };
}

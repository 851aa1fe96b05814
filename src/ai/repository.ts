// SQL of the AI layer: the business context a prompt needs, what a business has spent today,
// and one ai_calls row per attempt.
import { and, eq, gte, sql } from 'drizzle-orm';

import type { Executor } from '../platform/db/client.ts';
import { aiCalls, businesses } from '../platform/db/schema/index.ts';
import type { BusinessProfile } from './types.ts';

export type NewAiCall = typeof aiCalls.$inferInsert;

export interface BusinessContext {
  profile: BusinessProfile;
  /** The business's own daily budget in USD, or null to use AI_DAILY_BUDGET_USD. */
  dailyBudgetUsd: number | null;
  spentTodayUsd: number;
}

export function createAiRepository(db: Executor) {
  const spentSince = (businessId: string, since: Date) =>
    sql<string>`(SELECT COALESCE(SUM(${aiCalls.costUsd}), 0) FROM ${aiCalls} WHERE ${aiCalls.businessId} = ${businessId} AND ${aiCalls.createdAt} >= ${since.toISOString()})`;

  return {
    /** The profile, budget override and today's spend in one round trip; undefined if gone. */
    async businessContext(
      businessId: string,
      dayStart: Date,
    ): Promise<BusinessContext | undefined> {
      const [row] = await db
        .select({
          name: businesses.name,
          industry: businesses.industry,
          audience: businesses.audience,
          products: businesses.products,
          goals: businesses.goals,
          brandVoice: businesses.brandVoice,
          channels: businesses.channels,
          dailyBudgetUsd: businesses.aiDailyBudgetUsd,
          spent: spentSince(businessId, dayStart),
        })
        .from(businesses)
        .where(eq(businesses.id, businessId));
      if (!row) return undefined;
      const { dailyBudgetUsd, spent, ...profile } = row;
      return {
        profile,
        dailyBudgetUsd: dailyBudgetUsd === null ? null : Number(dailyBudgetUsd),
        spentTodayUsd: Number(spent),
      };
    },

    async spentSince(businessId: string, since: Date): Promise<number> {
      const [row] = await db
        .select({ spent: sql<string>`COALESCE(SUM(${aiCalls.costUsd}), 0)` })
        .from(aiCalls)
        .where(and(eq(aiCalls.businessId, businessId), gte(aiCalls.createdAt, since)));
      return Number(row?.spent ?? 0);
    },

    async recordCall(values: NewAiCall): Promise<void> {
      await db.insert(aiCalls).values(values);
    },
  };
}

export type AiRepository = ReturnType<typeof createAiRepository>;

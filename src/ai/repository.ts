// SQL of the AI layer: the business context a prompt needs, what a business has spent since a
// time, and one ai_calls row per attempt.
import { and, eq, gte, sql } from 'drizzle-orm';

import type { Executor } from '../platform/db/client.ts';
import { aiCalls, businesses } from '../platform/db/schema/index.ts';
import type { BusinessProfile } from './types.ts';

export type NewAiCall = typeof aiCalls.$inferInsert;

export interface BusinessContext {
  profile: BusinessProfile;
  /** The business's own daily budget in USD, or null to use AI_DAILY_BUDGET_USD. */
  dailyBudgetUsd: number | null;
}

export function createAiRepository(db: Executor) {
  return {
    /** The profile and budget override a call needs; undefined if the business is gone. */
    async businessContext(businessId: string): Promise<BusinessContext | undefined> {
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
        })
        .from(businesses)
        .where(eq(businesses.id, businessId));
      if (!row) return undefined;
      const { dailyBudgetUsd, ...profile } = row;
      return {
        profile,
        dailyBudgetUsd: dailyBudgetUsd === null ? null : Number(dailyBudgetUsd),
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

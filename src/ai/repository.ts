// SQL of the AI layer: the business context a prompt needs, what a business has spent since a
// time, one ai_calls row per attempt, and the kept transcript of each call that reached a model.
import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm';

import type { Executor } from '../platform/db/client.ts';
import { aiCalls, aiCallTranscripts, businesses } from '../platform/db/schema/index.ts';
import type { BusinessProfile } from './types.ts';

export type NewAiCall = typeof aiCalls.$inferInsert;
export type AiCallTranscript = typeof aiCallTranscripts.$inferSelect;

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

    /** Inserts the attempt's row; answers its id (a chat step's `callId`, a transcript's key). */
    async recordCall(values: NewAiCall): Promise<string> {
      const [row] = await db.insert(aiCalls).values(values).returning({ id: aiCalls.id });
      if (!row) throw new Error('ai_calls insert returned no row');
      return row.id;
    },

    async saveTranscript(values: typeof aiCallTranscripts.$inferInsert): Promise<void> {
      await db.insert(aiCallTranscripts).values(values).onConflictDoNothing();
    },

    async transcriptOf(businessId: string, callId: string): Promise<AiCallTranscript | undefined> {
      const [row] = await db
        .select()
        .from(aiCallTranscripts)
        .where(
          and(eq(aiCallTranscripts.businessId, businessId), eq(aiCallTranscripts.callId, callId)),
        );
      return row;
    },

    /** Deletes up to `limit` transcripts older than `before` (short locks); answers how many. */
    async deleteTranscriptsBefore(before: Date, limit: number): Promise<number> {
      const oldest = db
        .select({ callId: aiCallTranscripts.callId })
        .from(aiCallTranscripts)
        .where(lt(aiCallTranscripts.createdAt, before))
        .limit(limit);
      const rows = await db
        .delete(aiCallTranscripts)
        .where(inArray(aiCallTranscripts.callId, oldest))
        .returning({ callId: aiCallTranscripts.callId });
      return rows.length;
    },
  };
}

export type AiRepository = ReturnType<typeof createAiRepository>;

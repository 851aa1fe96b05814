// SQL for AI usage: the ai_calls rows of one business in a UTC date range, summed by day, task
// and model in one query (the service folds them into the totals it answers); and the ratings
// members give AI output (ai_feedback), one per subject and member.
import { and, count, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { aiCalls, aiFeedback } from '../../platform/db/schema/index.ts';
import type { AiProvenance } from './ports.ts';

export interface FeedbackCountRow extends AiProvenance {
  thumbsUp: number;
  thumbsDown: number;
}

export interface UsageRow {
  day: string;
  task: string;
  provider: string;
  model: string;
  calls: number;
  succeeded: number;
  ungrounded: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export function createAiUsageRepository(db: Executor) {
  return {
    async usage(businessId: string, from: Date, toExclusive: Date): Promise<UsageRow[]> {
      const day = sql<string>`to_char(${aiCalls.createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
      const rows = await db
        .select({
          day,
          task: aiCalls.task,
          provider: aiCalls.provider,
          model: aiCalls.model,
          calls: count(),
          succeeded: sql<string>`COUNT(*) FILTER (WHERE ${aiCalls.outcome} = 'success')`,
          ungrounded: sql<string>`COUNT(*) FILTER (WHERE ${aiCalls.outcome} = 'ungrounded_output')`,
          promptTokens: sql<string>`COALESCE(SUM(${aiCalls.promptTokens}), 0)`,
          completionTokens: sql<string>`COALESCE(SUM(${aiCalls.completionTokens}), 0)`,
          costUsd: sql<string>`COALESCE(SUM(${aiCalls.costUsd}), 0)`,
        })
        .from(aiCalls)
        .where(
          and(
            eq(aiCalls.businessId, businessId),
            gte(aiCalls.createdAt, from),
            lt(aiCalls.createdAt, toExclusive),
          ),
        )
        .groupBy(day, aiCalls.task, aiCalls.provider, aiCalls.model)
        .orderBy(day, aiCalls.task, aiCalls.provider, aiCalls.model);
      return rows.map((row) => ({
        ...row,
        succeeded: Number(row.succeeded),
        ungrounded: Number(row.ungrounded),
        promptTokens: Number(row.promptTokens),
        completionTokens: Number(row.completionTokens),
        costUsd: Number(row.costUsd),
      }));
    },

    /** Stores a member's rating of a subject, or changes the one they gave (and its time). */
    async rate(values: {
      businessId: string;
      userId: string;
      subjectKind: string;
      subjectId: string;
      rating: 1 | -1;
      provenance: AiProvenance;
      at: Date;
    }): Promise<void> {
      const row = {
        rating: values.rating,
        task: values.provenance.task,
        provider: values.provenance.provider,
        model: values.provenance.model,
        promptVersion: values.provenance.promptVersion,
        createdAt: values.at,
      };
      await db
        .insert(aiFeedback)
        .values({
          businessId: values.businessId,
          userId: values.userId,
          subjectKind: values.subjectKind,
          subjectId: values.subjectId,
          ...row,
        })
        .onConflictDoUpdate({
          target: [aiFeedback.subjectKind, aiFeedback.subjectId, aiFeedback.userId],
          set: row,
        });
    },

    async unrate(
      businessId: string,
      userId: string,
      subjectKind: string,
      subjectId: string,
    ): Promise<void> {
      await db
        .delete(aiFeedback)
        .where(
          and(
            eq(aiFeedback.businessId, businessId),
            eq(aiFeedback.userId, userId),
            eq(aiFeedback.subjectKind, subjectKind),
            eq(aiFeedback.subjectId, subjectId),
          ),
        );
    },

    /** The ratings `userId` gave, latest first: of one kind, of these subjects, or all. */
    async ratingsOf(
      businessId: string,
      userId: string,
      filter: { subjectKind?: string | undefined; subjectIds?: string[] | undefined },
      limit: number,
    ): Promise<{ subjectKind: string; subjectId: string; rating: number; createdAt: Date }[]> {
      if (filter.subjectIds?.length === 0) return [];
      return db
        .select({
          subjectKind: aiFeedback.subjectKind,
          subjectId: aiFeedback.subjectId,
          rating: aiFeedback.rating,
          createdAt: aiFeedback.createdAt,
        })
        .from(aiFeedback)
        .where(
          and(
            eq(aiFeedback.businessId, businessId),
            eq(aiFeedback.userId, userId),
            filter.subjectKind ? eq(aiFeedback.subjectKind, filter.subjectKind) : undefined,
            filter.subjectIds ? inArray(aiFeedback.subjectId, filter.subjectIds) : undefined,
          ),
        )
        .orderBy(desc(aiFeedback.createdAt), aiFeedback.subjectId)
        .limit(limit);
    },

    /** Thumbs up and down given since `since`, by task, provider, model and prompt version. */
    async feedbackCounts(businessId: string, since: Date): Promise<FeedbackCountRow[]> {
      const rows = await db
        .select({
          task: aiFeedback.task,
          provider: aiFeedback.provider,
          model: aiFeedback.model,
          promptVersion: aiFeedback.promptVersion,
          thumbsUp: sql<string>`COUNT(*) FILTER (WHERE ${aiFeedback.rating} > 0)`,
          thumbsDown: sql<string>`COUNT(*) FILTER (WHERE ${aiFeedback.rating} < 0)`,
        })
        .from(aiFeedback)
        .where(and(eq(aiFeedback.businessId, businessId), gte(aiFeedback.createdAt, since)))
        .groupBy(aiFeedback.task, aiFeedback.provider, aiFeedback.model, aiFeedback.promptVersion);
      return rows.map((row) => ({
        ...row,
        thumbsUp: Number(row.thumbsUp),
        thumbsDown: Number(row.thumbsDown),
      }));
    },
  };
}

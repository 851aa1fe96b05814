// SQL for AI usage: the ai_calls rows of one business in a UTC date range, summed by day, task
// and model in one query (the service folds them into the totals it answers).
import { and, count, eq, gte, lt, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { aiCalls } from '../../platform/db/schema/index.ts';

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
  };
}

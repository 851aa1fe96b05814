// SQL of email steps' A/B tests: counts per variant, the tests due for a decision, the winner.
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';

import type { Database, Executor } from '../../platform/db/client.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import { sequenceSteps } from '../../platform/db/schema/sequences.ts';

/** A variant's deliveries since the test started. */
export interface VariantCounts {
  variant: string;
  delivered: number;
  bounced: number;
  opens: number;
  unique_opens: number;
  clicks: number;
  unique_clicks: number;
}

export function createAbRepository(db: Database) {
  return {
    /** Per variant, the step's deliveries claimed since `since` (the test's start). */
    async counts(executor: Executor, stepId: string, since: Date | null): Promise<VariantCounts[]> {
      if (!since) return [];
      return rowsOf<VariantCounts>(
        await executor.execute(sql`
          select variant,
            count(*) filter (where status = 'sent')::int as delivered,
            count(*) filter (where status = 'bounced')::int as bounced,
            coalesce(sum(open_count), 0)::int as opens,
            count(opened_at)::int as unique_opens,
            coalesce(sum(click_count), 0)::int as clicks,
            count(clicked_at)::int as unique_clicks
          from deliveries
          where step_id = ${stepId}::uuid and variant is not null
            and created_at >= ${since.toISOString()}::timestamptz
          group by variant order by variant`),
      );
    },

    /** Steps whose test has run its wait without a winner. */
    async dueForDecision(now: Date): Promise<string[]> {
      const rows = rowsOf<{ id: string }>(
        await db.execute(sql`
          select id from sequence_steps
          where variants is not null and winner is null and ab_started_at is not null
            and ab_started_at + make_interval(mins => (ab_test->>'waitMinutes')::int) <= ${now.toISOString()}::timestamptz
          order by ab_started_at limit 100`),
      );
      return rows.map((row) => row.id);
    },

    /** The step, locked, while its test is still undecided (another worker may have decided). */
    async lockUndecided(executor: Executor, stepId: string) {
      const [row] = await executor
        .select()
        .from(sequenceSteps)
        .where(
          and(
            eq(sequenceSteps.id, stepId),
            isNull(sequenceSteps.winner),
            isNotNull(sequenceSteps.variants),
          ),
        )
        .for('update');
      return row;
    },

    async setWinner(
      executor: Executor,
      stepId: string,
      variant: string,
      pickedBy: 'auto' | 'hand',
      at = new Date(),
    ) {
      const [row] = await executor
        .update(sequenceSteps)
        .set({
          winner: variant,
          winnerAt: at,
          winnerPickedBy: pickedBy,
          // Picked before any delivery: the results count from now.
          abStartedAt: sql`coalesce(${sequenceSteps.abStartedAt}, ${at.toISOString()}::timestamptz)`,
        })
        .where(and(eq(sequenceSteps.id, stepId), isNotNull(sequenceSteps.variants)))
        .returning();
      return row;
    },
  };
}

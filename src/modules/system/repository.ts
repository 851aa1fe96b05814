// SQL for queue probes.
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { queueProbes } from '../../platform/db/schema/index.ts';
import type { Position } from '../../platform/http/pagination.ts';

export type QueueProbeRow = typeof queueProbes.$inferSelect;

export function createSystemRepository(db: Executor) {
  return {
    async insertProbe(note: string | null): Promise<QueueProbeRow> {
      const [row] = await db.insert(queueProbes).values({ note }).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },

    async findProbe(id: string): Promise<QueueProbeRow | undefined> {
      const [row] = await db.select().from(queueProbes).where(eq(queueProbes.id, id));
      return row;
    },

    /** Newest first; `limit + 1` rows so the caller knows whether another page exists. */
    async listProbes(
      limit: number,
      after: Position | undefined,
    ): Promise<(QueueProbeRow & Position)[]> {
      const rows = await db
        .select()
        .from(queueProbes)
        .where(
          after
            ? or(
                lt(queueProbes.requestedAt, after.createdAt),
                and(eq(queueProbes.requestedAt, after.createdAt), lt(queueProbes.id, after.id)),
              )
            : undefined,
        )
        .orderBy(desc(queueProbes.requestedAt), desc(queueProbes.id))
        .limit(limit + 1);
      return rows.map((row) => ({ ...row, createdAt: row.requestedAt }));
    },

    /** Records one run; run_count counts every execution, so a duplicate run would show. */
    async markProbeRun(id: string, worker: string): Promise<QueueProbeRow | undefined> {
      const [row] = await db
        .update(queueProbes)
        .set({
          runCount: sql`${queueProbes.runCount} + 1`,
          processedAt: sql`now()`,
          processedBy: worker,
        })
        .where(eq(queueProbes.id, id))
        .returning();
      return row;
    },
  };
}

export type SystemRepository = ReturnType<typeof createSystemRepository>;

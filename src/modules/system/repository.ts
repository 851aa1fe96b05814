// SQL for queue probes.
import { and, eq, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { newestFirst, olderThan } from '../../platform/db/pagination.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import { queueProbes } from '../../platform/db/schema/index.ts';
import type { PageRequest, Position } from '../../platform/http/pagination.ts';

export type QueueProbeRow = typeof queueProbes.$inferSelect;

export function createSystemRepository(db: Executor) {
  // The list is the hot read: its two shapes are built once and run as named prepared
  // statements, so neither drizzle nor Postgres re-plans the SQL on every request.
  const keyset = { createdAt: queueProbes.requestedAt, id: queueProbes.id };
  const firstPage = db
    .select()
    .from(queueProbes)
    .where(eq(queueProbes.requestedBy, sql.placeholder('userId')))
    .orderBy(...newestFirst(keyset))
    .limit(sql.placeholder('limit'))
    .prepare('system_list_probes_first');
  const pageAfter = db
    .select()
    .from(queueProbes)
    .where(
      and(
        eq(queueProbes.requestedBy, sql.placeholder('userId')),
        olderThan(keyset, {
          createdAt: sql.placeholder('afterAt'),
          id: sql.placeholder('afterId'),
        }),
      ),
    )
    .orderBy(...newestFirst(keyset))
    .limit(sql.placeholder('limit'))
    .prepare('system_list_probes_after');

  return {
    async insertProbe(requestedBy: string, note: string | null): Promise<QueueProbeRow> {
      return returnedRow(await db.insert(queueProbes).values({ requestedBy, note }).returning());
    },

    async findProbe(requestedBy: string, id: string): Promise<QueueProbeRow | undefined> {
      const [row] = await db
        .select()
        .from(queueProbes)
        .where(and(eq(queueProbes.id, id), eq(queueProbes.requestedBy, requestedBy)));
      return row;
    },

    /** Newest first; `limit + 1` rows so the caller knows whether another page exists. */
    async listProbes(
      requestedBy: string,
      { limit, after }: PageRequest,
    ): Promise<(QueueProbeRow & Position)[]> {
      const rows = after
        ? await pageAfter.execute({
            userId: requestedBy,
            limit: limit + 1,
            afterAt: after.createdAt.toISOString(),
            afterId: after.id,
          })
        : await firstPage.execute({ userId: requestedBy, limit: limit + 1 });
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

// SQL for queue probes.
import { and, eq, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { preparedKeysetList } from '../../platform/db/prepared.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import { queueProbes } from '../../platform/db/schema/index.ts';
import type { PageRequest, Position } from '../../platform/http/pagination.ts';

export type QueueProbeRow = typeof queueProbes.$inferSelect;

export function createSystemRepository(db: Executor) {
  // The list is the hot read: its two shapes (first page, page after a cursor) run as named
  // prepared statements, so neither drizzle nor Postgres re-plans the SQL on every request.
  const listPage = preparedKeysetList(
    'system_list_probes',
    () => db.select().from(queueProbes).$dynamic(),
    { createdAt: queueProbes.requestedAt, id: queueProbes.id },
    eq(queueProbes.requestedBy, sql.placeholder('userId')),
  );

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
      page: PageRequest,
    ): Promise<(QueueProbeRow & Position)[]> {
      const rows = await listPage({ userId: requestedBy }, {}, page);
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

// SQL for jobs: the user-visible record of each piece of asynchronous work.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { preparedKeysetList } from '../../platform/db/prepared.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import { jobs } from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';

export type JobRow = typeof jobs.$inferSelect;

export function createJobRepository(db: Executor) {
  const listPage = preparedKeysetList(
    'jobs_list',
    () => db.select().from(jobs).$dynamic(),
    jobs,
    eq(jobs.businessId, sql.placeholder('businessId')),
  );
  return {
    async insert(values: {
      businessId: string;
      userId: string | null;
      kind: string;
      input: Record<string, unknown>;
    }): Promise<JobRow> {
      return returnedRow(await db.insert(jobs).values(values).returning());
    },

    async find(id: string): Promise<JobRow | undefined> {
      const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
      return row;
    },

    /** The newest queued or running job of `kind` whose input has `field` equal to `value`. */
    async findUnfinished(
      businessId: string,
      kind: string,
      field: string,
      value: string,
    ): Promise<JobRow | undefined> {
      const [row] = await db
        .select()
        .from(jobs)
        .where(
          and(
            eq(jobs.businessId, businessId),
            eq(jobs.kind, kind),
            inArray(jobs.status, ['queued', 'running']),
            sql`${jobs.input} ->> ${field} = ${value}`,
          ),
        )
        .orderBy(desc(jobs.createdAt))
        .limit(1);
      return row;
    },

    async listForBusiness(businessId: string, page: PageRequest): Promise<JobRow[]> {
      return listPage({ businessId }, {}, page);
    },

    async setQueueJobId(id: string, queueJobId: string): Promise<void> {
      await db.update(jobs).set({ queueJobId }).where(eq(jobs.id, id));
    },

    /**
     * Moves a queued job to running and counts the run; undefined when it already finished (a
     * redelivered queue job). A job still `running` is one whose worker was lost: the queue retried
     * it, and this run takes it over (`attempt` fences the lost run's late writes).
     */
    async claim(id: string): Promise<JobRow | undefined> {
      const [row] = await db
        .update(jobs)
        .set({
          status: 'running',
          startedAt: sql`coalesce(${jobs.startedAt}, now())`,
          progress: 1,
          attempt: sql`${jobs.attempt} + 1`,
        })
        .where(and(eq(jobs.id, id), inArray(jobs.status, ['queued', 'running'])))
        .returning();
      return row;
    },

    async progress(
      id: string,
      attempt: number,
      progress: number,
      message: string | null,
    ): Promise<void> {
      await db
        .update(jobs)
        .set({ progress, progressMessage: message })
        .where(and(eq(jobs.id, id), eq(jobs.status, 'running'), eq(jobs.attempt, attempt)));
    },

    /** Records the outcome of run `attempt`; false when a later run took the job over. */
    async succeed(id: string, attempt: number, result: Record<string, unknown>): Promise<boolean> {
      const rows = await db
        .update(jobs)
        .set({ status: 'succeeded', progress: 100, result, error: null, finishedAt: sql`now()` })
        .where(and(eq(jobs.id, id), eq(jobs.status, 'running'), eq(jobs.attempt, attempt)))
        .returning({ id: jobs.id });
      return rows.length > 0;
    },

    /**
     * Fails the job: only run `attempt`'s own outcome when given, otherwise any job not finished
     * (could not be queued, or the queue gave up on it).
     */
    async fail(
      id: string,
      error: { code: string; message: string },
      attempt?: number,
    ): Promise<boolean> {
      const rows = await db
        .update(jobs)
        .set({ status: 'failed', error, finishedAt: sql`now()` })
        .where(
          and(
            eq(jobs.id, id),
            inArray(jobs.status, ['queued', 'running']),
            attempt === undefined ? undefined : eq(jobs.attempt, attempt),
          ),
        )
        .returning({ id: jobs.id });
      return rows.length > 0;
    },
  };
}

export type JobRepository = ReturnType<typeof createJobRepository>;

// SQL for sequences, steps and enrollments (the dispatcher's claim and send queries live in
// dispatch-repository.ts). Sequences, enrollment and subscriber queries are scoped by business;
// a sequence's steps, counts and daily series are found by its id alone, so the service finds
// the sequence in its business first.
import { and, asc, count, eq, inArray, max, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pagination.ts';
import { preparedKeysetList } from '../../platform/db/prepared.ts';
import { jsonb, rowsOf } from '../../platform/db/raw-sql.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import { segments } from '../../platform/db/schema/customers.ts';
import {
  deliveries,
  enrollments,
  sequences,
  sequenceSteps,
  subscribers,
} from '../../platform/db/schema/sequences.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';

export type SequenceRow = typeof sequences.$inferSelect;
export type NewSequence = typeof sequences.$inferInsert;
export type StepRow = typeof sequenceSteps.$inferSelect;
export type NewStep = typeof sequenceSteps.$inferInsert;

export function createSequenceRepository(db: Executor) {
  const listPage = preparedKeysetList(
    'sequences_list',
    () =>
      db
        .select({
          sequence: sequences,
          // $count qualifies the outer column: a bare ${sequences.id} in a sql`` field of a
          // one-table select is written unqualified ("id"), which inside the subquery is the
          // counted table's own id, and every count came out 0.
          stepCount: db.$count(sequenceSteps, eq(sequenceSteps.sequenceId, sequences.id)),
          enrolled: db.$count(enrollments, eq(enrollments.sequenceId, sequences.id)),
        })
        .from(sequences)
        .$dynamic(),
    sequences,
    eq(sequences.businessId, sql.placeholder('businessId')),
    { status: sequences.status },
  );
  return {
    async insert(values: NewSequence): Promise<SequenceRow> {
      return returnedRow(await db.insert(sequences).values(values).returning());
    },

    async find(businessId: string, id: string): Promise<SequenceRow | undefined> {
      const [row] = await db
        .select()
        .from(sequences)
        .where(and(eq(sequences.businessId, businessId), eq(sequences.id, id)));
      return row;
    },

    /** Names by id, for the jobs page (a draft job's sequence). */
    async names(businessId: string, ids: string[]): Promise<{ id: string; name: string }[]> {
      if (ids.length === 0) return [];
      return db
        .select({ id: sequences.id, name: sequences.name })
        .from(sequences)
        .where(and(eq(sequences.businessId, businessId), inArray(sequences.id, ids)));
    },

    async list(businessId: string, page: PageRequest, status: string | undefined) {
      return listPage({ businessId }, { status }, page);
    },

    async update(
      businessId: string,
      id: string,
      values: Partial<NewSequence>,
    ): Promise<SequenceRow | undefined> {
      const [row] = await db
        .update(sequences)
        .set({ ...values, updatedAt: new Date() })
        .where(and(eq(sequences.businessId, businessId), eq(sequences.id, id)))
        .returning();
      return row;
    },

    async remove(businessId: string, id: string): Promise<boolean> {
      const rows = await db
        .delete(sequences)
        .where(and(eq(sequences.businessId, businessId), eq(sequences.id, id)))
        .returning({ id: sequences.id });
      return rows.length > 0;
    },

    async steps(sequenceId: string): Promise<StepRow[]> {
      return db
        .select()
        .from(sequenceSteps)
        .where(eq(sequenceSteps.sequenceId, sequenceId))
        .orderBy(asc(sequenceSteps.position), asc(sequenceSteps.createdAt));
    },

    async findStep(sequenceId: string, stepId: string): Promise<StepRow | undefined> {
      const [row] = await db
        .select()
        .from(sequenceSteps)
        .where(and(eq(sequenceSteps.sequenceId, sequenceId), eq(sequenceSteps.id, stepId)));
      return row;
    },

    async insertSteps(values: NewStep[]): Promise<StepRow[]> {
      if (values.length === 0) return [];
      return db.insert(sequenceSteps).values(values).returning();
    },

    async nextPosition(sequenceId: string): Promise<number> {
      const [row] = await db
        .select({ max: max(sequenceSteps.position) })
        .from(sequenceSteps)
        .where(eq(sequenceSteps.sequenceId, sequenceId));
      return row?.max === null || row?.max === undefined ? 0 : row.max + 1;
    },

    async updateStep(
      sequenceId: string,
      stepId: string,
      values: Partial<NewStep>,
    ): Promise<StepRow | undefined> {
      const [row] = await db
        .update(sequenceSteps)
        .set({ ...values, updatedAt: new Date() })
        .where(and(eq(sequenceSteps.sequenceId, sequenceId), eq(sequenceSteps.id, stepId)))
        .returning();
      return row;
    },

    async removeStep(sequenceId: string, stepId: string): Promise<boolean> {
      const rows = await db
        .delete(sequenceSteps)
        .where(and(eq(sequenceSteps.sequenceId, sequenceId), eq(sequenceSteps.id, stepId)))
        .returning({ id: sequenceSteps.id });
      return rows.length > 0;
    },

    /**
     * Enrolls the business's subscribed, unsuppressed subscribers that match, skipping those
     * already enrolled. Returns how many enrollments were created.
     */
    async enroll(options: {
      businessId: string;
      sequenceId: string;
      firstSendAt: Date;
      subscriberIds?: string[] | undefined;
      search?: string | undefined;
      attribute?: { name: string; equals: string } | undefined;
    }): Promise<number> {
      const { businessId } = options;
      const pattern = options.search
        ? `%${options.search.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
        : undefined;
      const result = await db.execute(sql`
        insert into enrollments (business_id, sequence_id, subscriber_id, next_send_at)
        select ${businessId}::uuid, ${options.sequenceId}::uuid, s.id, ${options.firstSendAt.toISOString()}::timestamptz
        from subscribers s
        where s.business_id = ${businessId}::uuid
          and s.consent_status = 'subscribed'
          and not exists (
            select 1 from suppressions x where x.business_id = s.business_id and x.email = s.email)
          ${
            options.subscriberIds
              ? sql`and s.id in (select value::uuid from jsonb_array_elements_text(${jsonb(options.subscriberIds)}))`
              : sql``
          }
          ${pattern ? sql`and (s.email ilike ${pattern} or s.first_name ilike ${pattern} or s.last_name ilike ${pattern})` : sql``}
          ${options.attribute ? sql`and s.attributes ->> ${options.attribute.name} = ${options.attribute.equals}` : sql``}
        on conflict (sequence_id, subscriber_id) do nothing
        returning id`);
      return rowsOf(result).length;
    },

    async listEnrollments(businessId: string, sequenceId: string, page: PageRequest) {
      return keysetPage(
        db
          .select({ enrollment: enrollments, email: subscribers.email })
          .from(enrollments)
          .innerJoin(subscribers, eq(subscribers.id, enrollments.subscriberId))
          .$dynamic(),
        enrollments,
        page,
        eq(enrollments.businessId, businessId),
        eq(enrollments.sequenceId, sequenceId),
      );
    },

    async enrollmentCounts(sequenceId: string) {
      const rows = await db
        .select({ status: enrollments.status, count: count() })
        .from(enrollments)
        .where(eq(enrollments.sequenceId, sequenceId))
        .groupBy(enrollments.status);
      return new Map(rows.map((row) => [row.status, row.count]));
    },

    async stepCounts(sequenceId: string) {
      return db
        .select({
          stepId: deliveries.stepId,
          delivered: sql<number>`count(*) filter (where ${deliveries.status} = 'sent')::int`,
          bounced: sql<number>`count(*) filter (where ${deliveries.status} = 'bounced')::int`,
          suppressed: sql<number>`count(*) filter (where ${deliveries.status} = 'suppressed')::int`,
          failed: sql<number>`count(*) filter (where ${deliveries.status} = 'failed')::int`,
          // Why the latest attempt of a given-up or retrying delivery failed (bounces excluded:
          // they belong to one address, not to the step).
          lastError: sql<
            string | null
          >`(array_agg(${deliveries.error} order by ${deliveries.claimedAt} desc)
            filter (where ${deliveries.status} in ('failed', 'claimed') and ${deliveries.error} is not null))[1]`,
          opened: count(deliveries.openedAt),
          clicked: count(deliveries.clickedAt),
          unsubscribed: count(deliveries.unsubscribedAt),
          complained: count(deliveries.complainedAt),
        })
        .from(deliveries)
        .where(eq(deliveries.sequenceId, sequenceId))
        .groupBy(deliveries.stepId);
    },

    /** Per UTC day since `since`: sends, first opens, first clicks, unsubscribes. */
    async dailySeries(sequenceId: string, since: Date) {
      const result = await db.execute(sql`
        select to_char(day, 'YYYY-MM-DD') as date, kind, count(*)::int as n from (
          select date_trunc('day', sent_at at time zone 'UTC') as day, 'sent' as kind
            from deliveries where sequence_id = ${sequenceId}::uuid and sent_at >= ${since.toISOString()}::timestamptz
          union all
          select date_trunc('day', opened_at at time zone 'UTC'), 'opened'
            from deliveries where sequence_id = ${sequenceId}::uuid and opened_at >= ${since.toISOString()}::timestamptz
          union all
          select date_trunc('day', clicked_at at time zone 'UTC'), 'clicked'
            from deliveries where sequence_id = ${sequenceId}::uuid and clicked_at >= ${since.toISOString()}::timestamptz
          union all
          select date_trunc('day', unsubscribed_at at time zone 'UTC'), 'unsubscribed'
            from deliveries where sequence_id = ${sequenceId}::uuid and unsubscribed_at >= ${since.toISOString()}::timestamptz
        ) events group by day, kind order by day`);
      return rowsOf<{ date: string; kind: string; n: number }>(result);
    },

    /** Whether the business has this segment (the trigger's check when a sequence is saved). */
    async segmentExists(businessId: string, segmentId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: segments.id })
        .from(segments)
        .where(and(eq(segments.businessId, businessId), eq(segments.id, segmentId)));
      return row !== undefined;
    },

    /** The business's segments by name (at most 500), for the trigger picker. */
    async segmentChoices(businessId: string) {
      return db
        .select({ id: segments.id, name: segments.name, size: segments.size })
        .from(segments)
        .where(eq(segments.businessId, businessId))
        .orderBy(asc(segments.name))
        .limit(500);
    },

    async subscriberIdsIn(businessId: string, ids: string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .select({ id: subscribers.id })
        .from(subscribers)
        .where(and(eq(subscribers.businessId, businessId), inArray(subscribers.id, ids)));
      return rows.map((row) => row.id);
    },
  };
}

export type SequenceRepository = ReturnType<typeof createSequenceRepository>;

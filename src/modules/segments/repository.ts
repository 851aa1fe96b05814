// SQL for segments: CRUD, the member list and size history, the live preview, and the refresh
// that recomputes a segment's members in one statement (insert who entered, delete who left).
// Every query is scoped by business, except those acting on a segment the refresh has claimed
// by id (its row is locked, found through `claimSegment`).
import { and, desc, eq, gte, lt, or, type SQL, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { olderThan } from '../../platform/db/pagination.ts';
import { preparedKeysetList } from '../../platform/db/prepared.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import {
  customers,
  segmentMembers,
  segmentRefreshMarks,
  segments,
  segmentSizes,
} from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';

export type SegmentRow = typeof segments.$inferSelect;
export type NewSegment = typeof segments.$inferInsert;

export interface CustomerRow {
  id: string;
  userId: string | null;
  email: string | null;
  name: string | null;
  lastSeenAt: Date;
}
export type MemberRow = CustomerRow & { enteredAt: Date };

/** What one refresh changed. */
export interface MembershipDiff {
  entered: string[];
  left: number;
  size: number;
}

const customerFields = {
  id: customers.id,
  userId: customers.userId,
  email: customers.email,
  name: customers.name,
  lastSeenAt: customers.lastSeenAt,
};

export function createSegmentRepository(db: Executor) {
  const listPage = preparedKeysetList(
    'segments_list',
    () => db.select().from(segments).$dynamic(),
    segments,
    eq(segments.businessId, sql.placeholder('businessId')),
  );
  return {
    async insert(values: NewSegment): Promise<SegmentRow> {
      return returnedRow(await db.insert(segments).values(values).returning());
    },

    async find(businessId: string, id: string): Promise<SegmentRow | undefined> {
      const [row] = await db
        .select()
        .from(segments)
        .where(and(eq(segments.id, id), eq(segments.businessId, businessId)));
      return row;
    },

    async list(businessId: string, page: PageRequest): Promise<SegmentRow[]> {
      return listPage({ businessId }, {}, page);
    },

    async update(
      businessId: string,
      id: string,
      values: Partial<NewSegment>,
    ): Promise<SegmentRow | undefined> {
      const [row] = await db
        .update(segments)
        .set({ ...values, updatedAt: sql`now()` })
        .where(and(eq(segments.id, id), eq(segments.businessId, businessId)))
        .returning();
      return row;
    },

    async remove(businessId: string, id: string): Promise<boolean> {
      const rows = await db
        .delete(segments)
        .where(and(eq(segments.id, id), eq(segments.businessId, businessId)))
        .returning({ id: segments.id });
      return rows.length > 0;
    },

    /** Members, latest to enter first (keyset on entered_at, customer id). */
    async members(businessId: string, segmentId: string, page: PageRequest): Promise<MemberRow[]> {
      const position = { createdAt: segmentMembers.enteredAt, id: segmentMembers.customerId };
      const rows = await db
        .select({ ...customerFields, enteredAt: segmentMembers.enteredAt })
        .from(segmentMembers)
        .innerJoin(customers, eq(customers.id, segmentMembers.customerId))
        .where(
          and(
            eq(segmentMembers.segmentId, segmentId),
            eq(segmentMembers.businessId, businessId),
            olderThan(position, page.after),
          ),
        )
        .orderBy(desc(segmentMembers.enteredAt), desc(segmentMembers.customerId))
        .limit(page.limit + 1);
      return rows;
    },

    async sizes(
      businessId: string,
      segmentId: string,
      since: Date,
    ): Promise<{ measuredAt: Date; size: number }[]> {
      return db
        .select({ measuredAt: segmentSizes.measuredAt, size: segmentSizes.size })
        .from(segmentSizes)
        .where(
          and(
            eq(segmentSizes.segmentId, segmentId),
            eq(segmentSizes.businessId, businessId),
            gte(segmentSizes.measuredAt, since),
          ),
        )
        .orderBy(segmentSizes.measuredAt);
    },

    /** How many customers match `predicate` now, and a few of them (most recently seen). */
    async preview(
      businessId: string,
      predicate: SQL,
      sampleSize: number,
    ): Promise<{ size: number; sample: CustomerRow[] }> {
      const scope = and(eq(customers.businessId, businessId), predicate);
      const [counted] = await db
        .select({ size: sql<number>`count(*)::int` })
        .from(customers)
        .where(scope);
      const sample = await db
        .select(customerFields)
        .from(customers)
        .where(scope)
        .orderBy(desc(customers.lastSeenAt), desc(customers.id))
        .limit(sampleSize);
      return { size: counted?.size ?? 0, sample };
    },

    /** Bounds the statements of the current transaction (a runaway rule fails instead of hanging). */
    async limitStatementTime(ms: number): Promise<void> {
      await db.execute(sql`select set_config('statement_timeout', ${String(ms)}, true)`);
    },

    /**
     * Segments whose members may have moved: never refreshed, refreshed before their business's
     * customer data last changed (plus `settleSeconds`: a processing transaction that started
     * before a refresh may commit after it), or not refreshed since `staleBefore` (rules over
     * time windows drift as days pass). Oldest refresh first, so every business gets its turn.
     */
    async dueSegments(
      staleBefore: Date,
      settleSeconds: number,
      limit: number,
    ): Promise<{ id: string }[]> {
      return db
        .select({ id: segments.id })
        .from(segments)
        .leftJoin(segmentRefreshMarks, eq(segmentRefreshMarks.businessId, segments.businessId))
        .where(
          or(
            sql`${segments.refreshedAt} is null`,
            lt(
              segments.refreshedAt,
              sql`${segmentRefreshMarks.changedAt} + ${settleSeconds}::int * interval '1 second'`,
            ),
            lt(segments.refreshedAt, staleBefore),
          ),
        )
        .orderBy(sql`${segments.refreshedAt} asc nulls first`, segments.id)
        .limit(limit);
    },

    /** Locks the segment for this refresh; undefined when another worker holds it (or it is gone). */
    async claimSegment(id: string): Promise<SegmentRow | undefined> {
      const [row] = await db
        .select()
        .from(segments)
        .where(eq(segments.id, id))
        .for('update', { skipLocked: true });
      return row;
    },

    /**
     * Recomputes a claimed segment's members in one statement: inserts who match and are not
     * members, deletes members who no longer match; answers who entered, how many left, the size.
     */
    async applyMembership(
      segment: { id: string; businessId: string },
      predicate: SQL,
      now: Date,
    ): Promise<MembershipDiff> {
      const result = await db.execute(sql`
        with target as (
          select ${customers.id} as customer_id from ${customers}
          where ${customers.businessId} = ${segment.businessId}::uuid and ${predicate}
        ),
        entered as (
          insert into segment_members (segment_id, customer_id, business_id, entered_at)
          select ${segment.id}::uuid, customer_id, ${segment.businessId}::uuid, ${now.toISOString()}::timestamptz
          from target
          on conflict (segment_id, customer_id) do nothing
          returning customer_id
        ),
        gone as (
          delete from segment_members m
          where m.segment_id = ${segment.id}::uuid
            and not exists (select 1 from target t where t.customer_id = m.customer_id)
          returning m.customer_id
        )
        select coalesce((select json_agg(customer_id) from entered), '[]'::json) as entered,
               (select count(*) from gone)::int as left_count,
               (select count(*) from target)::int as size`);
      const [row] = rowsOf<{ entered: string[] | string; left_count: number; size: number }>(
        result,
      );
      if (!row) throw new Error('the membership statement answered no row');
      const entered =
        typeof row.entered === 'string' ? (JSON.parse(row.entered) as string[]) : row.entered;
      return { entered, left: row.left_count, size: row.size };
    },

    /** Stores the size and the time of the refresh; a size point when it changed or hourly. */
    async recordRefresh(
      segment: { id: string; businessId: string },
      size: number,
      now: Date,
      pointEveryMs: number,
    ): Promise<void> {
      await db.update(segments).set({ size, refreshedAt: now }).where(eq(segments.id, segment.id));
      const [last] = await db
        .select({ measuredAt: segmentSizes.measuredAt, size: segmentSizes.size })
        .from(segmentSizes)
        .where(eq(segmentSizes.segmentId, segment.id))
        .orderBy(desc(segmentSizes.measuredAt))
        .limit(1);
      if (last && last.size === size && now.getTime() - last.measuredAt.getTime() < pointEveryMs) {
        return;
      }
      await db
        .insert(segmentSizes)
        .values({ segmentId: segment.id, businessId: segment.businessId, measuredAt: now, size })
        .onConflictDoUpdate({
          target: [segmentSizes.segmentId, segmentSizes.measuredAt],
          set: { size },
        });
    },

    /** Notes that a business's customer data changed (the customer processor's listener). */
    async markChanged(businessIds: string[], at: Date): Promise<void> {
      if (businessIds.length === 0) return;
      await db
        .insert(segmentRefreshMarks)
        .values(businessIds.map((businessId) => ({ businessId, changedAt: at })))
        .onConflictDoUpdate({
          target: segmentRefreshMarks.businessId,
          set: { changedAt: sql`greatest(${segmentRefreshMarks.changedAt}, excluded.changed_at)` },
        });
    },
  };
}

export type SegmentRepository = ReturnType<typeof createSegmentRepository>;

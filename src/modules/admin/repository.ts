// SQL for the instance administration: every user and every business, across tenants on purpose
// (the service lets only an instance administrator call it), their AI spend from ai_calls and the
// job backlog. Counts per row are correlated subqueries on indexed columns; spend for a page of
// businesses is one grouped query.
import { and, count, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import type { AnyPgTable, PgColumn } from 'drizzle-orm/pg-core';

import type { Executor } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pagination.ts';
import {
  aiCalls,
  auditEvents,
  businesses,
  businessMembers,
  jobs,
  users,
} from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';

export type UserRow = typeof users.$inferSelect;

export interface AdminUserRow {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  disabledAt: Date | null;
  createdAt: Date;
  businessCount: number;
  lastLoginAt: Date | null;
}

export interface AdminBusinessRow {
  id: string;
  name: string;
  ownerEmail: string;
  memberCount: number;
  aiDailyBudgetUsd: string | null;
  createdAt: Date;
}

export interface BusinessSpend {
  todayUsd: number;
  last30dUsd: number;
}

export interface InstanceCounts {
  users: number;
  businesses: number;
  jobsQueued: number;
  jobsRunning: number;
  jobsFailedSince: number;
  aiSpendSinceUsd: number;
}

export function createAdminRepository(db: Executor) {
  // Correlated subqueries name their columns with their tables: drizzle writes a bare column
  // name in a query without a join, which inside the subquery would mean the inner table's.
  const q = (table: AnyPgTable, column: PgColumn) => sql`${table}.${sql.identifier(column.name)}`;
  const userColumns = {
    id: users.id,
    email: users.email,
    name: users.name,
    isAdmin: users.isAdmin,
    disabledAt: users.disabledAt,
    createdAt: users.createdAt,
    businessCount: sql<number>`(select count(*)::int from ${businessMembers}
      where ${q(businessMembers, businessMembers.userId)} = ${q(users, users.id)})`,
    // The newest sign-in, from the audit trail's (user_id, created_at) index.
    lastLoginAt: sql<Date | null>`(select max(${q(auditEvents, auditEvents.createdAt)})
      from ${auditEvents}
      where ${q(auditEvents, auditEvents.userId)} = ${q(users, users.id)}
        and ${q(auditEvents, auditEvents.action)} in ('auth.login', 'auth.register')
        and ${q(auditEvents, auditEvents.outcome)} = 'success')`.mapWith(users.createdAt),
  };
  const businessColumns = {
    id: businesses.id,
    name: businesses.name,
    ownerEmail: users.email,
    memberCount: sql<number>`(select count(*)::int from ${businessMembers}
      where ${q(businessMembers, businessMembers.businessId)} = ${q(businesses, businesses.id)})`,
    aiDailyBudgetUsd: businesses.aiDailyBudgetUsd,
    createdAt: businesses.createdAt,
  };
  const businessSelect = (executor: Executor) =>
    executor
      .select(businessColumns)
      .from(businesses)
      .innerJoin(users, eq(users.id, businesses.ownerId));

  return {
    /** Whether the user is an instance administrator whose account is not disabled. */
    async isActiveAdmin(userId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.id, userId), eq(users.isAdmin, true), isNull(users.disabledAt)));
      return row !== undefined;
    },

    async listUsers(page: PageRequest): Promise<AdminUserRow[]> {
      return keysetPage(db.select(userColumns).from(users).$dynamic(), users, page);
    },

    async findUser(userId: string): Promise<AdminUserRow | undefined> {
      const [row] = await db.select(userColumns).from(users).where(eq(users.id, userId));
      return row;
    },

    /**
     * Sets the flags of one account in a transaction that first locks every administrator's row,
     * so two administrators demoting each other at once cannot leave none. `keepsAnAdmin` sees
     * the other active administrators and answers whether the change may go ahead.
     */
    async updateUser(
      userId: string,
      change: { disabled?: boolean; isAdmin?: boolean },
      keepsAnAdmin: (target: UserRow, otherActiveAdmins: number) => void,
    ): Promise<UserRow | undefined> {
      return db.transaction(async (tx) => {
        const admins = await tx
          .select({ id: users.id, disabledAt: users.disabledAt })
          .from(users)
          .where(eq(users.isAdmin, true))
          .for('update');
        const [target] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
        if (!target) return undefined;
        const others = admins.filter((admin) => admin.id !== userId && !admin.disabledAt);
        keepsAnAdmin(target, others.length);
        const disabledAt =
          change.disabled === undefined
            ? {}
            : { disabledAt: change.disabled ? sql`coalesce(${users.disabledAt}, now())` : null };
        const [row] = await tx
          .update(users)
          .set({
            ...disabledAt,
            ...(change.isAdmin === undefined ? {} : { isAdmin: change.isAdmin }),
            updatedAt: sql`now()`,
          })
          .where(eq(users.id, userId))
          .returning();
        return row;
      });
    },

    /** The businesses the user is a member of (their cached memberships are forgotten). */
    async businessIdsOf(userId: string): Promise<string[]> {
      const rows = await db
        .select({ businessId: businessMembers.businessId })
        .from(businessMembers)
        .where(eq(businessMembers.userId, userId));
      return rows.map((row) => row.businessId);
    },

    async listBusinesses(page: PageRequest): Promise<AdminBusinessRow[]> {
      return keysetPage(businessSelect(db).$dynamic(), businesses, page);
    },

    async findBusiness(businessId: string): Promise<AdminBusinessRow | undefined> {
      const [row] = await businessSelect(db).where(eq(businesses.id, businessId));
      return row;
    },

    async setBudget(businessId: string, budgetUsd: string | null): Promise<boolean> {
      const rows = await db
        .update(businesses)
        .set({ aiDailyBudgetUsd: budgetUsd, updatedAt: sql`now()` })
        .where(eq(businesses.id, businessId))
        .returning({ id: businesses.id });
      return rows.length > 0;
    },

    /** AI spend of these businesses since `dayStart` and since `monthStart`, in one grouped query. */
    async spendOf(
      businessIds: string[],
      dayStart: Date,
      monthStart: Date,
    ): Promise<Map<string, BusinessSpend>> {
      const spend = new Map<string, BusinessSpend>();
      if (businessIds.length === 0) return spend;
      const rows = await db
        .select({
          businessId: aiCalls.businessId,
          today: sql<string>`coalesce(sum(${aiCalls.costUsd}) filter (where ${aiCalls.createdAt} >= ${dayStart.toISOString()}), 0)`,
          last30d: sql<string>`coalesce(sum(${aiCalls.costUsd}), 0)`,
        })
        .from(aiCalls)
        .where(and(inArray(aiCalls.businessId, businessIds), gte(aiCalls.createdAt, monthStart)))
        .groupBy(aiCalls.businessId);
      for (const row of rows) {
        spend.set(row.businessId, { todayUsd: Number(row.today), last30dUsd: Number(row.last30d) });
      }
      return spend;
    },

    /** The instance at a glance: accounts, businesses, the job backlog, today's AI spend. */
    async counts(since: Date, dayStart: Date): Promise<InstanceCounts> {
      const [userCount] = await db.select({ n: count() }).from(users);
      const [businessCount] = await db.select({ n: count() }).from(businesses);
      const [jobCounts] = await db
        .select({
          queued: sql<number>`count(*) filter (where ${jobs.status} = 'queued')::int`,
          running: sql<number>`count(*) filter (where ${jobs.status} = 'running')::int`,
          failed: sql<number>`count(*) filter (where ${jobs.status} = 'failed' and ${jobs.finishedAt} >= ${since.toISOString()})::int`,
        })
        .from(jobs)
        .where(sql`${jobs.status} in ('queued', 'running', 'failed')`);
      const [spend] = await db
        .select({ usd: sql<string>`coalesce(sum(${aiCalls.costUsd}), 0)` })
        .from(aiCalls)
        .where(gte(aiCalls.createdAt, dayStart));
      return {
        users: userCount?.n ?? 0,
        businesses: businessCount?.n ?? 0,
        jobsQueued: jobCounts?.queued ?? 0,
        jobsRunning: jobCounts?.running ?? 0,
        jobsFailedSince: jobCounts?.failed ?? 0,
        aiSpendSinceUsd: Number(spend?.usd ?? 0),
      };
    },
  };
}

export type AdminRepository = ReturnType<typeof createAdminRepository>;

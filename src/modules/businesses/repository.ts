// SQL for businesses and their members. The service checks membership and permission first
// (BusinessAccess.require); a business the caller is not a member of is indistinguishable from
// one that does not exist.
import { and, eq, getTableColumns, isNull, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pagination.ts';
import { once } from '../../platform/db/prepared.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import {
  businesses,
  businessMembers,
  previousWriteKeys,
  users,
} from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';

export type BusinessRow = typeof businesses.$inferSelect;
export type NewBusiness = typeof businesses.$inferInsert;

/** A business with the reading member's role in it. */
export type MemberBusinessRow = BusinessRow & { role: string; approver: boolean };

export function createBusinessRepository(db: Executor) {
  // The tenancy check of every request (when the access cache does not answer it).
  const membershipCheck = once(() =>
    db
      .select({ role: businessMembers.role, approver: businessMembers.approver })
      .from(businessMembers)
      .innerJoin(users, eq(users.id, businessMembers.userId))
      .where(
        and(
          eq(businessMembers.businessId, sql.placeholder('businessId')),
          eq(businessMembers.userId, sql.placeholder('userId')),
          isNull(users.disabledAt),
        ),
      )
      .prepare('business_membership_check'),
  );
  return {
    /** The business and its first member, its owner, in one transaction. */
    async insertWithOwner(values: NewBusiness): Promise<BusinessRow> {
      return db.transaction(async (tx) => {
        const row = returnedRow(await tx.insert(businesses).values(values).returning());
        await tx
          .insert(businessMembers)
          .values({ businessId: row.id, userId: values.ownerId, role: 'owner' });
        return row;
      });
    },

    /** Unscoped: for workers acting on a job whose business was checked when it started. */
    async findById(id: string): Promise<BusinessRow | undefined> {
      const [row] = await db.select().from(businesses).where(eq(businesses.id, id));
      return row;
    },

    async membership(
      userId: string,
      businessId: string,
    ): Promise<{ role: string; approver: boolean } | undefined> {
      const [row] = await membershipCheck().execute({ userId, businessId });
      return row;
    },

    /** The businesses `userId` is a member of (only `onlyBusinessId`, for a business key). */
    async listForMember(
      userId: string,
      page: PageRequest,
      onlyBusinessId?: string,
    ): Promise<MemberBusinessRow[]> {
      return keysetPage(
        db
          .select({
            ...getTableColumns(businesses),
            role: businessMembers.role,
            approver: businessMembers.approver,
          })
          .from(businesses)
          .innerJoin(
            businessMembers,
            and(eq(businessMembers.businessId, businesses.id), eq(businessMembers.userId, userId)),
          )
          .$dynamic(),
        businesses,
        page,
        onlyBusinessId === undefined ? undefined : eq(businesses.id, onlyBusinessId),
      );
    },

    /** Unscoped: the caller has checked the permission. */
    async update(id: string, values: Partial<NewBusiness>): Promise<BusinessRow | undefined> {
      const [row] = await db
        .update(businesses)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(businesses.id, id))
        .returning();
      return row;
    },

    /**
     * Unscoped: the caller has checked the permission. In one transaction: the current key joins
     * the previous keys, valid for `graceHours` more (keys rotated out before keep their own
     * expiry), and `newKey` becomes the current one.
     */
    async rotateWriteKey(
      id: string,
      newKey: string,
      graceHours: number,
    ): Promise<BusinessRow | undefined> {
      return db.transaction(async (tx) => {
        const [current] = await tx
          .select({ writeKey: businesses.writeKey })
          .from(businesses)
          .where(eq(businesses.id, id))
          .for('update');
        if (!current) return undefined;
        await tx.insert(previousWriteKeys).values({
          businessId: id,
          key: current.writeKey,
          expiresAt: sql`now() + make_interval(secs => ${graceHours * 3600})`,
        });
        const [row] = await tx
          .update(businesses)
          .set({ writeKey: newKey, updatedAt: sql`now()` })
          .where(eq(businesses.id, id))
          .returning();
        return row;
      });
    },

    /** Unscoped: the caller has checked the permission. Returns the deleted row and its members. */
    async delete(id: string): Promise<{ row: BusinessRow; memberIds: string[] } | undefined> {
      return db.transaction(async (tx) => {
        const members = await tx
          .select({ userId: businessMembers.userId })
          .from(businessMembers)
          .where(eq(businessMembers.businessId, id));
        const [row] = await tx.delete(businesses).where(eq(businesses.id, id)).returning();
        return row ? { row, memberIds: members.map((member) => member.userId) } : undefined;
      });
    },

    /** Addresses of every member of the business (stored lower-cased). */
    async memberEmails(businessId: string): Promise<string[]> {
      const rows = await db
        .select({ email: users.email })
        .from(businessMembers)
        .innerJoin(users, eq(users.id, businessMembers.userId))
        .where(eq(businessMembers.businessId, businessId));
      return rows.map((row) => row.email);
    },
  };
}

export type BusinessRepository = ReturnType<typeof createBusinessRepository>;

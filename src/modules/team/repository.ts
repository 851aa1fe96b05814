// SQL for the team: invitations and the members of a business. Every read and write is scoped by
// business id, except where an invitation is found by its link's token hash (the token is the
// credential; the service then checks the signed-in user's address) and the reads of one user's
// own pending invitations by their address.
import { and, asc, desc, eq, getTableColumns, gt, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';

import type { Executor } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pagination.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import { businesses, businessMembers, invitations, users } from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';

export type InvitationRow = typeof invitations.$inferSelect;
export type NewInvitation = typeof invitations.$inferInsert;
export type MemberRow = typeof businessMembers.$inferSelect;

export interface UserFields {
  id: string;
  name: string;
  email: string;
}

/** An invitation with its business's name and the inviter (null once their account is gone). */
export type InvitationView = InvitationRow & { businessName: string; inviter: UserFields | null };

/** A member with their account's name and address, and who invited them. */
export type MemberView = MemberRow & { name: string; email: string; inviter: UserFields | null };

const inviter = alias(users, 'inviter');
const inviterFields = { id: inviter.id, name: inviter.name, email: inviter.email };

/** Not accepted, declined or revoked (it may still have expired). */
const open = () =>
  and(
    isNull(invitations.acceptedAt),
    isNull(invitations.declinedAt),
    isNull(invitations.revokedAt),
  );

export function createTeamRepository(db: Executor) {
  const invitationView = () =>
    db
      .select({
        ...getTableColumns(invitations),
        businessName: businesses.name,
        inviter: inviterFields,
      })
      .from(invitations)
      .innerJoin(businesses, eq(businesses.id, invitations.businessId))
      .leftJoin(inviter, eq(inviter.id, invitations.invitedBy));

  return {
    async user(userId: string): Promise<UserFields | undefined> {
      const [row] = await db
        .select({ id: users.id, name: users.name, email: users.email })
        .from(users)
        .where(eq(users.id, userId));
      return row;
    },

    async businessName(businessId: string): Promise<string | undefined> {
      const [row] = await db
        .select({ name: businesses.name })
        .from(businesses)
        .where(eq(businesses.id, businessId));
      return row?.name;
    },

    /** Whether an account with this address is already a member of the business. */
    async isMemberByEmail(businessId: string, email: string): Promise<boolean> {
      const [row] = await db
        .select({ userId: businessMembers.userId })
        .from(businessMembers)
        .innerJoin(users, eq(users.id, businessMembers.userId))
        .where(and(eq(businessMembers.businessId, businessId), eq(users.email, email)));
      return row !== undefined;
    },

    /** Revokes the open, unexpired invitations of this address to this business. */
    async revokeOpenFor(businessId: string, email: string): Promise<number> {
      const rows = await db
        .update(invitations)
        .set({ revokedAt: sql`now()` })
        .where(
          and(
            eq(invitations.businessId, businessId),
            eq(invitations.email, email),
            open(),
            gt(invitations.expiresAt, sql`now()`),
          ),
        )
        .returning({ id: invitations.id });
      return rows.length;
    },

    async insertInvitation(values: NewInvitation): Promise<InvitationRow> {
      return returnedRow(await db.insert(invitations).values(values).returning());
    },

    async invitation(businessId: string, id: string): Promise<InvitationView | undefined> {
      const [row] = await invitationView().where(
        and(eq(invitations.businessId, businessId), eq(invitations.id, id)),
      );
      return row;
    },

    async invitationByTokenHash(tokenHash: string): Promise<InvitationView | undefined> {
      const [row] = await invitationView().where(eq(invitations.tokenHash, tokenHash));
      return row;
    },

    /** The invitation row, locked until the transaction ends (accept and decline). */
    async lockInvitationByTokenHash(tokenHash: string): Promise<InvitationRow | undefined> {
      const [row] = await db
        .select()
        .from(invitations)
        .where(eq(invitations.tokenHash, tokenHash))
        .for('update');
      return row;
    },

    async listInvitations(businessId: string, page: PageRequest): Promise<InvitationView[]> {
      return keysetPage(
        invitationView().$dynamic(),
        invitations,
        page,
        eq(invitations.businessId, businessId),
      );
    },

    /** Open, unexpired invitations sent to this address, newest first (at most `limit`). */
    async pendingFor(email: string, limit: number): Promise<InvitationView[]> {
      return invitationView()
        .where(and(eq(invitations.email, email), open(), gt(invitations.expiresAt, sql`now()`)))
        .orderBy(desc(invitations.createdAt), desc(invitations.id))
        .limit(limit);
    },

    /** Revokes the invitation when it is still open; undefined otherwise. */
    async revokeInvitation(businessId: string, id: string): Promise<InvitationRow | undefined> {
      const [row] = await db
        .update(invitations)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(invitations.businessId, businessId), eq(invitations.id, id), open()))
        .returning();
      return row;
    },

    async markAccepted(id: string, userId: string): Promise<void> {
      await db
        .update(invitations)
        .set({ acceptedAt: sql`now()`, acceptedBy: userId })
        .where(eq(invitations.id, id));
    },

    async markDeclined(id: string): Promise<void> {
      await db
        .update(invitations)
        .set({ declinedAt: sql`now()` })
        .where(eq(invitations.id, id));
    },

    async members(businessId: string): Promise<MemberView[]> {
      return db
        .select({
          ...getTableColumns(businessMembers),
          name: users.name,
          email: users.email,
          inviter: inviterFields,
        })
        .from(businessMembers)
        .innerJoin(users, eq(users.id, businessMembers.userId))
        .leftJoin(inviter, eq(inviter.id, businessMembers.invitedBy))
        .where(eq(businessMembers.businessId, businessId))
        .orderBy(
          desc(sql`${businessMembers.role} = 'owner'`),
          asc(businessMembers.createdAt),
          asc(businessMembers.userId),
        );
    },

    async member(businessId: string, userId: string): Promise<MemberView | undefined> {
      const [row] = await db
        .select({
          ...getTableColumns(businessMembers),
          name: users.name,
          email: users.email,
          inviter: inviterFields,
        })
        .from(businessMembers)
        .innerJoin(users, eq(users.id, businessMembers.userId))
        .leftJoin(inviter, eq(inviter.id, businessMembers.invitedBy))
        .where(and(eq(businessMembers.businessId, businessId), eq(businessMembers.userId, userId)));
      return row;
    },

    /**
     * Locks the business's owner rows, then the member's, until the transaction ends; returns
     * the owners' ids and the member. Every change of an owner goes through here in this order,
     * so two owners leaving at once cannot both pass the last-owner check (nor deadlock).
     */
    async lockForChange(
      businessId: string,
      userId: string,
    ): Promise<{ ownerIds: string[]; member: MemberRow | undefined }> {
      const owners = await db
        .select({ userId: businessMembers.userId })
        .from(businessMembers)
        .where(and(eq(businessMembers.businessId, businessId), eq(businessMembers.role, 'owner')))
        .orderBy(asc(businessMembers.userId))
        .for('update');
      const [member] = await db
        .select()
        .from(businessMembers)
        .where(and(eq(businessMembers.businessId, businessId), eq(businessMembers.userId, userId)))
        .for('update');
      return { ownerIds: owners.map((owner) => owner.userId), member };
    },

    /** Adds the member; false when they already are one. */
    async insertMember(values: typeof businessMembers.$inferInsert): Promise<boolean> {
      const rows = await db
        .insert(businessMembers)
        .values(values)
        .onConflictDoNothing()
        .returning({ userId: businessMembers.userId });
      return rows.length > 0;
    },

    async updateMember(
      businessId: string,
      userId: string,
      values: { role?: string; approver?: boolean },
    ): Promise<void> {
      await db
        .update(businessMembers)
        .set({ ...values, updatedAt: sql`now()` })
        .where(and(eq(businessMembers.businessId, businessId), eq(businessMembers.userId, userId)));
    },

    async deleteMember(businessId: string, userId: string): Promise<void> {
      await db
        .delete(businessMembers)
        .where(and(eq(businessMembers.businessId, businessId), eq(businessMembers.userId, userId)));
    },
  };
}

export type TeamRepository = ReturnType<typeof createTeamRepository>;

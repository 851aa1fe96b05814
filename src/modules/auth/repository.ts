// SQL for users, refresh tokens, API keys and the audit trail. Two reads reach past auth's own
// tables: a registration in invite mode asks whether its email has a pending invitation, and a
// business's API keys are listed with their creators.
import { and, eq, getTableColumns, gt, isNull, ne, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pagination.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import {
  apiKeys,
  auditEvents,
  invitations,
  refreshTokens,
  users,
} from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';

export type UserRow = typeof users.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;
/** A business key with the member who made it. */
export type BusinessApiKeyRow = ApiKeyRow & {
  creator: { id: string; name: string; email: string };
};

/** The advisory lock registrations take, so two first sign-ups cannot both become the admin. */
const REGISTRATION_LOCK_CLASS = 4_243;

export function createAuthRepository(db: Executor) {
  return {
    /** Null when the email is taken. */
    async insertUser(values: {
      email: string;
      name: string;
      passwordHash: string;
      isAdmin: boolean;
    }): Promise<UserRow | null> {
      const [row] = await db.insert(users).values(values).onConflictDoNothing().returning();
      return row ?? null;
    },

    /** Held until the transaction ends: registrations run one at a time. */
    async lockRegistrations(): Promise<void> {
      await db.execute(sql`select pg_advisory_xact_lock(${REGISTRATION_LOCK_CLASS}, 0)`);
    },

    async hasUsers(): Promise<boolean> {
      const [row] = await db.select({ id: users.id }).from(users).limit(1);
      return row !== undefined;
    },

    async makeAdmin(userId: string): Promise<void> {
      await db
        .update(users)
        .set({ isAdmin: true, updatedAt: sql`now()` })
        .where(eq(users.id, userId));
    },

    /** Whether `email` (lower-cased) has an invitation that is neither used, revoked nor expired. */
    async hasPendingInvitation(email: string): Promise<boolean> {
      const [row] = await db
        .select({ id: invitations.id })
        .from(invitations)
        .where(
          and(
            eq(invitations.email, email),
            isNull(invitations.acceptedAt),
            isNull(invitations.declinedAt),
            isNull(invitations.revokedAt),
            gt(invitations.expiresAt, sql`now()`),
          ),
        )
        .limit(1);
      return row !== undefined;
    },

    async findUserByEmail(email: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.email, email));
      return row;
    },

    async findUserById(id: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.id, id));
      return row;
    },

    async insertRefreshToken(values: {
      userId: string;
      familyId: string;
      tokenHash: string;
      expiresAt: Date;
    }): Promise<void> {
      await db.insert(refreshTokens).values(values);
    },

    /** Locks the row so two concurrent refreshes of one token cannot both rotate it. */
    async findRefreshTokenForUpdate(hash: string): Promise<RefreshTokenRow | undefined> {
      const [row] = await db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hash))
        .for('update');
      return row;
    },

    async markRotated(id: string): Promise<void> {
      await db
        .update(refreshTokens)
        .set({ rotatedAt: sql`now()` })
        .where(eq(refreshTokens.id, id));
    },

    /**
     * A sign-in is live while its family has an unrevoked token and its user still exists and is
     * not disabled.
     */
    async isSessionLive(familyId: string, userId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: refreshTokens.id })
        .from(refreshTokens)
        .innerJoin(users, eq(users.id, refreshTokens.userId))
        .where(
          and(
            eq(refreshTokens.familyId, familyId),
            eq(refreshTokens.userId, userId),
            isNull(refreshTokens.revokedAt),
            isNull(users.disabledAt),
          ),
        )
        .limit(1);
      return row !== undefined;
    },

    /** Revokes every sign-in of the user; answers the families revoked. */
    async revokeAllSessions(userId: string): Promise<string[]> {
      const rows = await db
        .update(refreshTokens)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
        .returning({ familyId: refreshTokens.familyId });
      return [...new Set(rows.map((row) => row.familyId))];
    },

    /** Revokes every sign-in of the user except `keepFamilyId`; answers the families revoked. */
    async revokeOtherSessions(userId: string, keepFamilyId: string): Promise<string[]> {
      const rows = await db
        .update(refreshTokens)
        .set({ revokedAt: sql`now()` })
        .where(
          and(
            eq(refreshTokens.userId, userId),
            ne(refreshTokens.familyId, keepFamilyId),
            isNull(refreshTokens.revokedAt),
          ),
        )
        .returning({ familyId: refreshTokens.familyId });
      return [...new Set(rows.map((row) => row.familyId))];
    },

    async updatePassword(userId: string, passwordHash: string): Promise<void> {
      await db
        .update(users)
        .set({ passwordHash, updatedAt: sql`now()` })
        .where(eq(users.id, userId));
    },

    async revokeFamily(familyId: string): Promise<number> {
      const rows = await db
        .update(refreshTokens)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
        .returning({ id: refreshTokens.id });
      return rows.length;
    },

    async insertApiKey(values: {
      userId: string;
      businessId: string | null;
      name: string;
      prefix: string;
      keyHash: string;
      scopes: string[];
    }): Promise<ApiKeyRow> {
      return returnedRow(await db.insert(apiKeys).values(values).returning());
    },

    /** The key and whether its user is disabled (a disabled user's keys do not work). */
    async findApiKeyByHash(
      hash: string,
    ): Promise<(ApiKeyRow & { userDisabled: boolean }) | undefined> {
      const [row] = await db
        .select({
          ...getTableColumns(apiKeys),
          userDisabled: sql<boolean>`${users.disabledAt} is not null`,
        })
        .from(apiKeys)
        .innerJoin(users, eq(users.id, apiKeys.userId))
        .where(eq(apiKeys.keyHash, hash));
      return row;
    },

    /** The hashes of every key the user made (to clear them from the key cache). */
    async apiKeyHashesOf(userId: string): Promise<string[]> {
      const rows = await db
        .select({ keyHash: apiKeys.keyHash })
        .from(apiKeys)
        .where(eq(apiKeys.userId, userId));
      return rows.map((row) => row.keyHash);
    },

    /** Every member's keys for one business, with who made each. */
    async listBusinessApiKeys(businessId: string, page: PageRequest): Promise<BusinessApiKeyRow[]> {
      return keysetPage(
        db
          .select({
            ...getTableColumns(apiKeys),
            creator: { id: users.id, name: users.name, email: users.email },
          })
          .from(apiKeys)
          .innerJoin(users, eq(users.id, apiKeys.userId))
          .$dynamic(),
        apiKeys,
        page,
        eq(apiKeys.businessId, businessId),
      );
    },

    /** Revokes one key of the business, whoever made it; undefined when it is not one of them. */
    async revokeBusinessApiKey(businessId: string, id: string): Promise<ApiKeyRow | undefined> {
      const [row] = await db
        .update(apiKeys)
        .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
        .where(and(eq(apiKeys.id, id), eq(apiKeys.businessId, businessId)))
        .returning();
      return row;
    },

    async listApiKeys(userId: string, page: PageRequest): Promise<ApiKeyRow[]> {
      return keysetPage(
        db.select().from(apiKeys).$dynamic(),
        apiKeys,
        page,
        eq(apiKeys.userId, userId),
      );
    },

    /** Revokes one of the user's keys; undefined when it is not theirs (or does not exist). */
    async revokeApiKey(userId: string, id: string): Promise<ApiKeyRow | undefined> {
      const [row] = await db
        .update(apiKeys)
        .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
        .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId)))
        .returning();
      return row;
    },

    /** Revokes every live key `userId` made for `businessId`; returns them. */
    async revokeBusinessKeys(userId: string, businessId: string): Promise<ApiKeyRow[]> {
      return db
        .update(apiKeys)
        .set({ revokedAt: sql`now()` })
        .where(
          and(
            eq(apiKeys.userId, userId),
            eq(apiKeys.businessId, businessId),
            isNull(apiKeys.revokedAt),
          ),
        )
        .returning();
    },

    async touchApiKey(id: string): Promise<void> {
      await db
        .update(apiKeys)
        .set({ lastUsedAt: sql`now()` })
        .where(eq(apiKeys.id, id));
    },

    async insertAuditEvent(values: NewAuditEvent): Promise<void> {
      await db.insert(auditEvents).values(values);
    },

    async listAuditEvents(userId: string, page: PageRequest): Promise<AuditEventRow[]> {
      return keysetPage(
        db.select().from(auditEvents).$dynamic(),
        auditEvents,
        page,
        eq(auditEvents.userId, userId),
      );
    },
  };
}

export type AuthRepository = ReturnType<typeof createAuthRepository>;

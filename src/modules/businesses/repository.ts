// SQL for businesses. Reads and writes are scoped by owner, so a business of another user is
// indistinguishable from one that does not exist; `findById` is the one unscoped read (workers).
import { and, eq, inArray, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pagination.ts';
import { once } from '../../platform/db/prepared.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import { businesses, users } from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';

export type BusinessRow = typeof businesses.$inferSelect;
export type NewBusiness = typeof businesses.$inferInsert;

export function createBusinessRepository(db: Executor) {
  // The tenancy check of every request (when the access cache does not answer it).
  const ownedCheck = once(() =>
    db
      .select({ id: businesses.id })
      .from(businesses)
      .where(
        and(
          eq(businesses.id, sql.placeholder('id')),
          eq(businesses.ownerId, sql.placeholder('ownerId')),
        ),
      )
      .prepare('businesses_owned_check'),
  );
  return {
    async insert(values: NewBusiness): Promise<BusinessRow> {
      return returnedRow(await db.insert(businesses).values(values).returning());
    },

    /** Unscoped: for workers acting on a job whose business was checked when it started. */
    async findById(id: string): Promise<BusinessRow | undefined> {
      const [row] = await db.select().from(businesses).where(eq(businesses.id, id));
      return row;
    },

    async isOwnedBy(ownerId: string, id: string): Promise<boolean> {
      const rows = await ownedCheck().execute({ ownerId, id });
      return rows.length > 0;
    },

    async findOwned(ownerId: string, id: string): Promise<BusinessRow | undefined> {
      const [row] = await db
        .select()
        .from(businesses)
        .where(and(eq(businesses.id, id), eq(businesses.ownerId, ownerId)));
      return row;
    },

    async listOwned(ownerId: string, page: PageRequest): Promise<BusinessRow[]> {
      return keysetPage(
        db.select().from(businesses).$dynamic(),
        businesses,
        page,
        eq(businesses.ownerId, ownerId),
      );
    },

    async updateOwned(
      ownerId: string,
      id: string,
      values: Partial<NewBusiness>,
    ): Promise<BusinessRow | undefined> {
      const [row] = await db
        .update(businesses)
        .set({ ...values, updatedAt: sql`now()` })
        .where(and(eq(businesses.id, id), eq(businesses.ownerId, ownerId)))
        .returning();
      return row;
    },

    async deleteOwned(ownerId: string, id: string): Promise<BusinessRow | undefined> {
      const [row] = await db
        .delete(businesses)
        .where(and(eq(businesses.id, id), eq(businesses.ownerId, ownerId)))
        .returning();
      return row;
    },

    /** Addresses of these users (stored lower-cased). */
    async emailsOf(userIds: string[]): Promise<string[]> {
      if (userIds.length === 0) return [];
      const rows = await db
        .select({ email: users.email })
        .from(users)
        .where(inArray(users.id, userIds));
      return rows.map((row) => row.email);
    },
  };
}

export type BusinessRepository = ReturnType<typeof createBusinessRepository>;

// SQL for content pieces, their versions, publications and publish attempts. Queries are
// scoped by business, except `version`, which reads a version of a piece the caller has already
// found in its business, and `removeUntouchedPlaceholders`, which the strategy job calls for the
// campaign it has locked in its business. The publisher's SQL, which reads across businesses, is in
// publish-repository.ts.
import { and, asc, desc, eq, inArray, isNotNull, isNull, type SQL, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pagination.ts';
import { once, preparedKeysetList } from '../../platform/db/prepared.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import {
  contents,
  contentTransitions,
  contentVersions,
  publications,
  publishAttempts,
  users,
} from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';

export type ContentRow = typeof contents.$inferSelect;
export type NewContent = typeof contents.$inferInsert;
export type ContentVersionRow = typeof contentVersions.$inferSelect;
export type PublicationRow = typeof publications.$inferSelect;
export type PublishAttemptRow = typeof publishAttempts.$inferSelect;
export type NewContentTransition = typeof contentTransitions.$inferInsert;

/** A move of the review trail with the member who made it (null: the system, or a deleted user). */
export interface TransitionRow {
  id: string;
  fromStatus: string;
  toStatus: string;
  createdAt: Date;
  actor: { id: string; name: string; email: string } | null;
}

export function createContentRepository(db: Executor) {
  const listPage = preparedKeysetList(
    'contents_list',
    () => db.select().from(contents).$dynamic(),
    contents,
    eq(contents.businessId, sql.placeholder('businessId')),
    { campaignId: contents.campaignId, status: contents.status, platform: contents.platform },
  );
  const piecesByCampaign = once(() => {
    const counted = (condition: SQL) => sql<number>`(count(*) filter (where ${condition}))::int`;
    const status = (value: string) => sql`${contents.status} = ${value}`;
    return db
      .select({
        campaignId: contents.campaignId,
        total: counted(sql`${contents.status} <> 'archived'`),
        written: counted(sql`${contents.status} <> 'archived' and ${contents.currentVersion} > 0`),
        inReview: counted(status('in_review')),
        approved: counted(status('approved')),
        scheduled: counted(status('scheduled')),
        published: counted(status('published')),
        failed: counted(status('failed')),
      })
      .from(contents)
      .where(
        and(
          eq(contents.businessId, sql.placeholder('businessId')),
          sql`${contents.campaignId} = ANY(${sql.placeholder('campaignIds')}::uuid[])`,
        ),
      )
      .groupBy(contents.campaignId)
      .prepare('contents_pieces_by_campaign');
  });
  return {
    async insert(values: NewContent): Promise<ContentRow> {
      return returnedRow(await db.insert(contents).values(values).returning());
    },

    async find(businessId: string, id: string, lock = false): Promise<ContentRow | undefined> {
      const query = db
        .select()
        .from(contents)
        .where(and(eq(contents.id, id), eq(contents.businessId, businessId)));
      const [row] = lock ? await query.for('update') : await query;
      return row;
    },

    async topics(businessId: string, ids: string[]): Promise<{ id: string; topic: string }[]> {
      if (ids.length === 0) return [];
      return db
        .select({ id: contents.id, topic: contents.topic })
        .from(contents)
        .where(and(eq(contents.businessId, businessId), inArray(contents.id, ids)));
    },

    /** A campaign's placeholders still waiting for their text (drafts without a body), by date. */
    async placeholdersWithoutText(businessId: string, campaignId: string): Promise<string[]> {
      const rows = await db
        .select({ id: contents.id })
        .from(contents)
        .where(
          and(
            eq(contents.businessId, businessId),
            eq(contents.campaignId, campaignId),
            eq(contents.status, 'draft'),
            isNull(contents.body),
          ),
        )
        .orderBy(asc(contents.plannedDate), asc(contents.createdAt));
      return rows.map((row) => row.id);
    },

    async list(
      businessId: string,
      page: PageRequest,
      filter: {
        campaignId?: string | undefined;
        status?: string | undefined;
        platform?: string | undefined;
      },
    ): Promise<ContentRow[]> {
      return listPage({ businessId }, filter, page);
    },

    async update(
      businessId: string,
      id: string,
      values: Partial<NewContent>,
    ): Promise<ContentRow | undefined> {
      const [row] = await db
        .update(contents)
        .set({ ...values, updatedAt: sql`now()` })
        .where(and(eq(contents.id, id), eq(contents.businessId, businessId)))
        .returning();
      return row;
    },

    async remove(businessId: string, id: string): Promise<boolean> {
      const rows = await db
        .delete(contents)
        .where(and(eq(contents.id, id), eq(contents.businessId, businessId)))
        .returning({ id: contents.id });
      return rows.length > 0;
    },

    async insertVersion(values: typeof contentVersions.$inferInsert): Promise<ContentVersionRow> {
      return returnedRow(await db.insert(contentVersions).values(values).returning());
    },

    async versions(businessId: string, contentId: string): Promise<ContentVersionRow[]> {
      return db
        .select()
        .from(contentVersions)
        .where(
          and(eq(contentVersions.businessId, businessId), eq(contentVersions.contentId, contentId)),
        )
        .orderBy(desc(contentVersions.version));
    },

    async version(contentId: string, version: number): Promise<ContentVersionRow | undefined> {
      const [row] = await db
        .select()
        .from(contentVersions)
        .where(and(eq(contentVersions.contentId, contentId), eq(contentVersions.version, version)));
      return row;
    },

    async insertTransition(values: NewContentTransition): Promise<void> {
      await db.insert(contentTransitions).values(values);
    },

    /** How many times the piece has entered review (the key of its content.in_review event). */
    async reviewEntries(businessId: string, contentId: string): Promise<number> {
      const [row] = await db
        .select({ entries: sql<number>`count(*)::int` })
        .from(contentTransitions)
        .where(
          and(
            eq(contentTransitions.businessId, businessId),
            eq(contentTransitions.contentId, contentId),
            eq(contentTransitions.toStatus, 'in_review'),
          ),
        );
      return row?.entries ?? 0;
    },

    /** The piece's review trail, oldest first. */
    async transitions(businessId: string, contentId: string): Promise<TransitionRow[]> {
      const rows = await db
        .select({
          id: contentTransitions.id,
          fromStatus: contentTransitions.fromStatus,
          toStatus: contentTransitions.toStatus,
          createdAt: contentTransitions.createdAt,
          actorId: users.id,
          actorName: users.name,
          actorEmail: users.email,
        })
        .from(contentTransitions)
        .leftJoin(users, eq(users.id, contentTransitions.actorId))
        .where(
          and(
            eq(contentTransitions.businessId, businessId),
            eq(contentTransitions.contentId, contentId),
          ),
        )
        .orderBy(asc(contentTransitions.createdAt), asc(contentTransitions.id));
      return rows.map(({ actorId, actorName, actorEmail, ...row }) => ({
        ...row,
        actor:
          actorId && actorName !== null && actorEmail !== null
            ? { id: actorId, name: actorName, email: actorEmail }
            : null,
      }));
    },

    async attempts(businessId: string, contentId: string): Promise<PublishAttemptRow[]> {
      return db
        .select()
        .from(publishAttempts)
        .where(
          and(eq(publishAttempts.businessId, businessId), eq(publishAttempts.contentId, contentId)),
        )
        .orderBy(asc(publishAttempts.createdAt));
    },

    async publications(businessId: string, page: PageRequest): Promise<PublicationRow[]> {
      return keysetPage(
        db.select().from(publications).$dynamic(),
        publications,
        page,
        eq(publications.businessId, businessId),
      );
    },

    /** Each campaign's pieces by status, in one grouped query (campaigns with none are absent). */
    async countByCampaign(businessId: string, campaignIds: string[]) {
      if (campaignIds.length === 0) return [];
      return piecesByCampaign().execute({ businessId, campaignIds });
    },

    /**
     * Removes placeholders of earlier strategies that nobody has started (still an empty draft)
     * and that the new calendar no longer has.
     */
    async removeUntouchedPlaceholders(campaignId: string, keep: string[]): Promise<number> {
      const rows = await db
        .delete(contents)
        .where(
          and(
            eq(contents.campaignId, campaignId),
            isNotNull(contents.calendarKey),
            eq(contents.status, 'draft'),
            eq(contents.currentVersion, 0),
            keep.length > 0
              ? sql`NOT (${contents.calendarKey} = ANY(${sql.param(keep)}::text[]))`
              : undefined,
          ),
        )
        .returning({ id: contents.id });
      return rows.length;
    },

    /** Inserts placeholders; an entry already present (same calendar key) is left alone. */
    async insertPlaceholders(values: NewContent[]): Promise<number> {
      if (values.length === 0) return 0;
      let inserted = 0;
      for (let i = 0; i < values.length; i += 500) {
        const rows = await db
          .insert(contents)
          .values(values.slice(i, i + 500))
          .onConflictDoNothing({ target: [contents.campaignId, contents.calendarKey] })
          .returning({ id: contents.id });
        inserted += rows.length;
      }
      return inserted;
    },
  };
}

export type ContentRepository = ReturnType<typeof createContentRepository>;

// The Slack module's SQL: a business's connection, the outbox of messages to post (claimed with
// FOR UPDATE SKIP LOCKED, so several workers share it), the approval messages posted, and the
// Herald account behind a Slack user's email address.
import { and, asc, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import {
  slackApprovalMessages,
  slackConnections,
  slackNotifications,
  users,
} from '../../platform/db/schema/index.ts';

export type SlackConnectionRow = typeof slackConnections.$inferSelect;
export type NewSlackConnection = typeof slackConnections.$inferInsert;
export type SlackNotificationRow = typeof slackNotifications.$inferSelect;
export type NewSlackNotification = typeof slackNotifications.$inferInsert;

export function createSlackRepository(db: Executor) {
  return {
    async connection(businessId: string): Promise<SlackConnectionRow | undefined> {
      const [row] = await db
        .select()
        .from(slackConnections)
        .where(eq(slackConnections.businessId, businessId));
      return row;
    },

    /** The businesses connected to a Slack workspace, oldest first. */
    async connectionsOfTeam(teamId: string): Promise<SlackConnectionRow[]> {
      return db
        .select()
        .from(slackConnections)
        .where(eq(slackConnections.teamId, teamId))
        .orderBy(asc(slackConnections.createdAt));
    },

    /** One connection per business: connecting again replaces it (a new token, a new webhook). */
    async saveConnection(values: NewSlackConnection): Promise<SlackConnectionRow> {
      const changes: Partial<NewSlackConnection> = { ...values };
      delete changes.businessId;
      delete changes.createdAt;
      const [row] = await db
        .insert(slackConnections)
        .values(values)
        .onConflictDoUpdate({
          target: slackConnections.businessId,
          set: { ...changes, updatedAt: sql`now()` },
        })
        .returning();
      if (!row) throw new Error('slack connection not saved');
      return row;
    },

    async updateConnection(
      businessId: string,
      changes: Partial<NewSlackConnection>,
    ): Promise<SlackConnectionRow | undefined> {
      const [row] = await db
        .update(slackConnections)
        .set({ ...changes, updatedAt: sql`now()` })
        .where(eq(slackConnections.businessId, businessId))
        .returning();
      return row;
    },

    /** Removes the connection and the messages still waiting: nothing is posted after it. */
    /** Every connection's sealed credential (the re-seal after a key change reads them). */
    async credentials(): Promise<{ businessId: string; credential: string }[]> {
      return db
        .select({
          businessId: slackConnections.businessId,
          credential: slackConnections.credential,
        })
        .from(slackConnections);
    },

    /** Replaces a credential only if it is still the one read (another process may race). */
    async replaceCredential(businessId: string, was: string, sealed: string): Promise<void> {
      await db
        .update(slackConnections)
        .set({ credential: sealed })
        .where(
          and(eq(slackConnections.businessId, businessId), eq(slackConnections.credential, was)),
        );
    },

    async deleteConnection(businessId: string): Promise<boolean> {
      await db
        .delete(slackNotifications)
        .where(
          and(
            eq(slackNotifications.businessId, businessId),
            eq(slackNotifications.status, 'pending'),
          ),
        );
      const deleted = await db
        .delete(slackConnections)
        .where(eq(slackConnections.businessId, businessId))
        .returning({ businessId: slackConnections.businessId });
      return deleted.length > 0;
    },

    /** One message per event: the same event twice (a retried job) is enqueued once. */
    async enqueue(values: NewSlackNotification): Promise<void> {
      await db
        .insert(slackNotifications)
        .values(values)
        .onConflictDoNothing({
          target: [slackNotifications.businessId, slackNotifications.eventKey],
        });
    },

    /**
     * Claims up to `limit` pending messages due at `now` (or claimed longer ago than
     * `claimTimeoutMs`: a worker that died holding them), oldest first.
     */
    async claimDue(
      now: Date,
      limit: number,
      claimTimeoutMs: number,
    ): Promise<SlackNotificationRow[]> {
      const stale = new Date(now.getTime() - claimTimeoutMs);
      // `now` has milliseconds, the column microseconds: a row due within this same millisecond
      // (made a moment ago by the database's now()) is due.
      const dueBefore = new Date(now.getTime() + 1);
      const due = db
        .select({ id: slackNotifications.id })
        .from(slackNotifications)
        .where(
          and(
            eq(slackNotifications.status, 'pending'),
            lt(slackNotifications.nextAttemptAt, dueBefore),
            or(isNull(slackNotifications.claimedAt), lte(slackNotifications.claimedAt, stale)),
          ),
        )
        .orderBy(asc(slackNotifications.nextAttemptAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      return db
        .update(slackNotifications)
        .set({ claimedAt: now })
        .where(sql`${slackNotifications.id} in (${due})`)
        .returning();
    },

    async markSent(id: string, now: Date): Promise<void> {
      await db
        .update(slackNotifications)
        .set({ status: 'sent', sentAt: now, claimedAt: null, lastError: null })
        .where(eq(slackNotifications.id, id));
    },

    /** A failed attempt: try again at `nextAttemptAt`, or give up (`nextAttemptAt` null). */
    async recordFailure(
      id: string,
      attempts: number,
      error: string,
      nextAttemptAt: Date | null,
    ): Promise<void> {
      await db
        .update(slackNotifications)
        .set({
          attempts,
          lastError: error.slice(0, 500),
          claimedAt: null,
          ...(nextAttemptAt ? { nextAttemptAt } : { status: 'failed' as const }),
        })
        .where(eq(slackNotifications.id, id));
    },

    /** Put back without counting an attempt (the breaker was open: Slack was not asked). */
    async defer(id: string, nextAttemptAt: Date): Promise<void> {
      await db
        .update(slackNotifications)
        .set({ claimedAt: null, nextAttemptAt })
        .where(eq(slackNotifications.id, id));
    },

    async notifications(businessId: string): Promise<SlackNotificationRow[]> {
      return db
        .select()
        .from(slackNotifications)
        .where(eq(slackNotifications.businessId, businessId))
        .orderBy(asc(slackNotifications.createdAt));
    },

    async saveApprovalMessage(values: typeof slackApprovalMessages.$inferInsert): Promise<void> {
      await db.insert(slackApprovalMessages).values(values);
    },

    async approvalMessage(businessId: string, channelId: string, ts: string) {
      const [row] = await db
        .select()
        .from(slackApprovalMessages)
        .where(
          and(
            eq(slackApprovalMessages.businessId, businessId),
            eq(slackApprovalMessages.channelId, channelId),
            eq(slackApprovalMessages.ts, ts),
          ),
        );
      return row;
    },

    /** The Herald account with this email address, if any (membership is checked by access). */
    async userIdByEmail(email: string): Promise<string | undefined> {
      const [row] = await db
        .select({ id: users.id })
        .from(users)
        .where(sql`lower(${users.email}) = ${email.trim().toLowerCase()}`);
      return row?.id;
    },
  };
}

export type SlackRepository = ReturnType<typeof createSlackRepository>;

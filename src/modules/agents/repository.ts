// SQL of the marketing agents: sessions (one user's, in one business), their messages, the
// actions waiting for confirmation (claimed with a conditional update, so a double confirm runs
// the tool once), the decision log with the model calls of each turn, learnings and ratings.
import { randomUUID } from 'node:crypto';

import { and, asc, desc, eq, gte, inArray, like, lt, type SQL, sql } from 'drizzle-orm';
import type { PgInsertValue } from 'drizzle-orm/pg-core';

import type { Executor } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pagination.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import {
  agentDecisions,
  agentLearnings,
  aiCalls,
  aiCallTranscripts,
  chatActions,
  chatMessages,
  chatSessions,
  jobs,
} from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';

export type SessionRow = typeof chatSessions.$inferSelect;
export type MessageRow = typeof chatMessages.$inferSelect;
export type NewMessage = typeof chatMessages.$inferInsert;
export type ActionRow = typeof chatActions.$inferSelect;
export type NewAction = typeof chatActions.$inferInsert;
export type DecisionRow = typeof agentDecisions.$inferSelect;
export type NewDecision = typeof agentDecisions.$inferInsert;
export type LearningRow = typeof agentLearnings.$inferSelect;
export type NewLearning = typeof agentLearnings.$inferInsert;

/** Sessions page by their last activity, newest first (the keyset's "createdAt" column). */
const sessionKeyset = { createdAt: chatSessions.lastActivityAt, id: chatSessions.id };

/** Messages a session's page shows: the latest this many. */
const MESSAGES_SHOWN = 500;

/**
 * One statement gives every row the same now(): a microsecond apart keeps a reply's actions
 * listed in the order the agent asked for them (approve before schedule), not by random id.
 */
function inAskedOrder(rows: NewAction[]): PgInsertValue<typeof chatActions>[] {
  return rows.map((row, index) => ({
    ...row,
    createdAt: sql`now() + ${index}::int * interval '1 microsecond'`,
  }));
}

/** The stored message, from what was inserted and the time the database gave it. */
function messageRowOf(
  message: NewMessage & { id: string },
  row: { created_at: Date | string } | undefined,
): MessageRow {
  if (!row) throw new Error('insert returned no message');
  return {
    id: message.id,
    businessId: message.businessId,
    sessionId: message.sessionId,
    role: message.role,
    content: message.content,
    agents: message.agents ?? [],
    toolCalls: message.toolCalls ?? [],
    citations: message.citations ?? [],
    provider: message.provider ?? null,
    model: message.model ?? null,
    decisionId: message.decisionId ?? null,
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
  };
}

export function createAgentRepository(db: Executor) {
  /**
   * The CTEs that insert a message (named `message`) and count it on its session. Drizzle puts
   * an embedded query in parentheses, so `name AS ${query}` is the whole CTE.
   */
  function messageParts(message: NewMessage & { id: string }, title?: string): SQL[] {
    const touch = db
      .update(chatSessions)
      .set({
        lastActivityAt: sql`now()`,
        messageCount: sql`${chatSessions.messageCount} + 1`,
        ...(title ? { title } : {}),
      })
      .where(eq(chatSessions.id, message.sessionId));
    return [
      sql`message AS ${db.insert(chatMessages).values(message).returning({ createdAt: chatMessages.createdAt })}`,
      sql`touched AS ${touch}`,
    ];
  }

  return {
    async insertSession(values: typeof chatSessions.$inferInsert): Promise<SessionRow> {
      const [row] = await db.insert(chatSessions).values(values).returning();
      if (!row) throw new Error('insert returned no session');
      return row;
    },

    async listSessions(businessId: string, userId: string, page: PageRequest) {
      return keysetPage(
        db.select().from(chatSessions).$dynamic(),
        sessionKeyset,
        page,
        eq(chatSessions.businessId, businessId),
        eq(chatSessions.userId, userId),
      );
    },

    async findSession(
      businessId: string,
      userId: string,
      sessionId: string,
    ): Promise<SessionRow | undefined> {
      const [row] = await db
        .select()
        .from(chatSessions)
        .where(
          and(
            eq(chatSessions.id, sessionId),
            eq(chatSessions.businessId, businessId),
            eq(chatSessions.userId, userId),
          ),
        );
      return row;
    },

    async deleteSession(businessId: string, userId: string, sessionId: string): Promise<boolean> {
      const rows = await db
        .delete(chatSessions)
        .where(
          and(
            eq(chatSessions.id, sessionId),
            eq(chatSessions.businessId, businessId),
            eq(chatSessions.userId, userId),
          ),
        )
        .returning({ id: chatSessions.id });
      return rows.length > 0;
    },

    /** The latest messages of a session, oldest first. */
    async messagesOf(sessionId: string, limit = MESSAGES_SHOWN): Promise<MessageRow[]> {
      const rows = await db
        .select()
        .from(chatMessages)
        .where(eq(chatMessages.sessionId, sessionId))
        .orderBy(desc(chatMessages.createdAt), desc(chatMessages.id))
        .limit(limit);
      return rows.reverse();
    },

    /** Messages from the `offset`-th (oldest first), for the summary. */
    async messagesFrom(sessionId: string, offset: number, limit: number): Promise<MessageRow[]> {
      return db
        .select()
        .from(chatMessages)
        .where(eq(chatMessages.sessionId, sessionId))
        .orderBy(asc(chatMessages.createdAt), asc(chatMessages.id))
        .offset(offset)
        .limit(limit);
    },

    /** An assistant message of the business in one of `userId`'s sessions (what they may rate). */
    async replyOf(businessId: string, messageId: string, userId: string) {
      const [row] = await db
        .select({
          role: chatMessages.role,
          agents: chatMessages.agents,
          provider: chatMessages.provider,
          model: chatMessages.model,
        })
        .from(chatMessages)
        .innerJoin(chatSessions, eq(chatSessions.id, chatMessages.sessionId))
        .where(
          and(
            eq(chatMessages.id, messageId),
            eq(chatMessages.businessId, businessId),
            eq(chatSessions.userId, userId),
          ),
        );
      return row;
    },

    async findMessage(sessionId: string, messageId: string): Promise<MessageRow | undefined> {
      const [row] = await db
        .select()
        .from(chatMessages)
        .where(and(eq(chatMessages.id, messageId), eq(chatMessages.sessionId, sessionId)));
      return row;
    },

    /** Stores a message and moves the session's activity and count on, in one statement each. */
    /** Stores a message and counts it on its session, in one statement. */
    async insertMessage(values: NewMessage, title?: string): Promise<MessageRow> {
      const message = { ...values, id: values.id ?? randomUUID() };
      const result = await db.execute(
        sql`WITH ${sql.join(messageParts(message, title), sql`, `)}
            SELECT created_at FROM message`,
      );
      return messageRowOf(message, rowsOf<{ created_at: Date | string }>(result)[0]);
    },

    /**
     * A turn's reply, the actions it waits on and its decision, with the session counted: one
     * statement, so all of it is stored or none (and in one round trip).
     */
    async storeReply(
      values: NewMessage,
      actions: NewAction[],
      decision: NewDecision,
    ): Promise<MessageRow> {
      const message = { ...values, id: values.id ?? randomUUID() };
      const parts = [
        ...messageParts(message),
        sql`decision AS ${db.insert(agentDecisions).values(decision)}`,
      ];
      if (actions.length > 0) {
        parts.push(sql`actions AS ${db.insert(chatActions).values(inAskedOrder(actions))}`);
      }
      const result = await db.execute(
        sql`WITH ${sql.join(parts, sql`, `)} SELECT created_at FROM message`,
      );
      return messageRowOf(message, rowsOf<{ created_at: Date | string }>(result)[0]);
    },

    async setSummary(sessionId: string, summary: string, summarizedMessages: number) {
      await db
        .update(chatSessions)
        .set({ summary, summarizedMessages })
        .where(eq(chatSessions.id, sessionId));
    },

    async markLearned(sessionId: string, at: Date) {
      await db.update(chatSessions).set({ learnedAt: at }).where(eq(chatSessions.id, sessionId));
    },

    async actionsOf(sessionId: string): Promise<ActionRow[]> {
      return db
        .select()
        .from(chatActions)
        .where(eq(chatActions.sessionId, sessionId))
        .orderBy(asc(chatActions.createdAt), asc(chatActions.id));
    },

    async actionsOfMessage(messageId: string): Promise<ActionRow[]> {
      return db
        .select()
        .from(chatActions)
        .where(eq(chatActions.messageId, messageId))
        .orderBy(asc(chatActions.createdAt), asc(chatActions.id));
    },

    /**
     * pending → `status` when it is still pending and not expired; undefined otherwise (someone
     * decided first, or it expired). The one place an action is claimed.
     */
    async decideAction(
      actionId: string,
      status: 'confirmed' | 'rejected',
      now: Date,
    ): Promise<ActionRow | undefined> {
      const [row] = await db
        .update(chatActions)
        .set({ status, decidedAt: now })
        .where(
          and(
            eq(chatActions.id, actionId),
            eq(chatActions.status, 'pending'),
            sql`${chatActions.expiresAt} > ${now.toISOString()}`,
          ),
        )
        .returning();
      return row;
    },

    /** Marks pending actions past their time as expired (read paths call it before answering). */
    async expireActions(sessionId: string, now: Date): Promise<void> {
      await db
        .update(chatActions)
        .set({ status: 'expired' })
        .where(
          and(
            eq(chatActions.sessionId, sessionId),
            eq(chatActions.status, 'pending'),
            lt(chatActions.expiresAt, now),
          ),
        );
    },

    async finishAction(
      actionId: string,
      values: { status: 'confirmed' | 'failed'; result: unknown; error: ActionRow['error'] },
    ): Promise<ActionRow> {
      const [row] = await db
        .update(chatActions)
        .set(values)
        .where(eq(chatActions.id, actionId))
        .returning();
      if (!row) throw new Error('action vanished');
      return row;
    },

    async insertDecision(values: NewDecision): Promise<DecisionRow> {
      const [row] = await db.insert(agentDecisions).values(values).returning();
      if (!row) throw new Error('insert returned no decision');
      return row;
    },

    async listDecisions(
      businessId: string,
      filters: { userId?: string; sessionId?: string; agent?: string; outcome?: string },
      page: PageRequest,
    ): Promise<DecisionRow[]> {
      return keysetPage(
        db.select().from(agentDecisions).$dynamic(),
        agentDecisions,
        page,
        eq(agentDecisions.businessId, businessId),
        filters.userId ? eq(agentDecisions.userId, filters.userId) : undefined,
        filters.sessionId ? eq(agentDecisions.sessionId, filters.sessionId) : undefined,
        filters.outcome ? eq(agentDecisions.outcome, filters.outcome) : undefined,
        filters.agent
          ? sql`${agentDecisions.agents} @> ${JSON.stringify([filters.agent])}::jsonb`
          : undefined,
      );
    },

    async findDecision(businessId: string, decisionId: string): Promise<DecisionRow | undefined> {
      const [row] = await db
        .select()
        .from(agentDecisions)
        .where(and(eq(agentDecisions.id, decisionId), eq(agentDecisions.businessId, businessId)));
      return row;
    },

    /** The model calls of a turn, oldest first, and whether each one's transcript is kept. */
    /** The model calls behind a decision (a chat turn) or a job, oldest first. */
    async callsOf(businessId: string, owner: { decisionId: string } | { jobId: string }) {
      const of =
        'decisionId' in owner
          ? eq(aiCalls.decisionId, owner.decisionId)
          : eq(aiCalls.jobId, owner.jobId);
      return db
        .select({
          id: aiCalls.id,
          task: aiCalls.task,
          model: aiCalls.model,
          outcome: aiCalls.outcome,
          promptTokens: aiCalls.promptTokens,
          completionTokens: aiCalls.completionTokens,
          latencyMs: aiCalls.latencyMs,
          hasTranscript: sql<boolean>`${aiCallTranscripts.callId} IS NOT NULL`,
        })
        .from(aiCalls)
        .leftJoin(aiCallTranscripts, eq(aiCallTranscripts.callId, aiCalls.id))
        .where(and(eq(aiCalls.businessId, businessId), of))
        .orderBy(asc(aiCalls.createdAt), asc(aiCalls.id));
    },

    async jobExists(businessId: string, jobId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: jobs.id })
        .from(jobs)
        .where(and(eq(jobs.id, jobId), eq(jobs.businessId, businessId)));
      return row !== undefined;
    },

    /** Who made a model call of this business (undefined: no such call here). */
    async callOwner(businessId: string, callId: string) {
      const [row] = await db
        .select({ userId: aiCalls.userId })
        .from(aiCalls)
        .where(and(eq(aiCalls.id, callId), eq(aiCalls.businessId, businessId)));
      return row;
    },

    /** Tokens a user's chat turns used since `since`, in every business and session. */
    async chatTokensSince(userId: string, since: Date): Promise<number> {
      const [row] = await db
        .select({
          tokens: sql<number>`COALESCE(SUM(${aiCalls.promptTokens} + ${aiCalls.completionTokens}), 0)::int`,
        })
        .from(aiCalls)
        .where(
          and(
            eq(aiCalls.userId, userId),
            gte(aiCalls.createdAt, since),
            like(aiCalls.task, 'chat%'),
          ),
        );
      return row?.tokens ?? 0;
    },

    async insertLearnings(rows: NewLearning[]): Promise<LearningRow[]> {
      if (rows.length === 0) return [];
      return db.insert(agentLearnings).values(rows).returning();
    },

    async listLearnings(businessId: string, page: PageRequest): Promise<LearningRow[]> {
      return keysetPage(
        db.select().from(agentLearnings).$dynamic(),
        agentLearnings,
        page,
        eq(agentLearnings.businessId, businessId),
      );
    },

    async learningsByIds(businessId: string, ids: string[]): Promise<LearningRow[]> {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(agentLearnings)
        .where(and(eq(agentLearnings.businessId, businessId), inArray(agentLearnings.id, ids)));
    },

    /** The newest learnings' text, to tell the extraction what is already known. */
    async recentLearningTexts(businessId: string, limit: number): Promise<string[]> {
      const rows = await db
        .select({ content: agentLearnings.content })
        .from(agentLearnings)
        .where(eq(agentLearnings.businessId, businessId))
        .orderBy(desc(agentLearnings.createdAt))
        .limit(limit);
      return rows.map((row) => row.content);
    },

    async deleteLearning(businessId: string, learningId: string): Promise<boolean> {
      const rows = await db
        .delete(agentLearnings)
        .where(and(eq(agentLearnings.id, learningId), eq(agentLearnings.businessId, businessId)))
        .returning({ id: agentLearnings.id });
      return rows.length > 0;
    },
  };
}

export type AgentRepository = ReturnType<typeof createAgentRepository>;

// The marketing agents' service: chat sessions (each one user's, in one business), a turn of the
// conversation (limits first, then the turn runner, then the reply, its pending actions and its
// decision stored together), the confirmation or rejection of a proposed action, the decision
// log, and the learnings the agents recall in later sessions.
import { randomUUID } from 'node:crypto';

import type { AiChat, AiRunner } from '../../ai/contract.ts';
import { chatLearningsTask, chatSummaryTask } from '../../ai/tasks.ts';
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, conflict, found, notFound, rateLimited } from '../../platform/http/errors.ts';
import { pageOf, pageRequest, type PaginationQuery } from '../../platform/http/pagination.ts';
import type { Logger } from '../../platform/logger.ts';
import { roleAllows } from '../../shared/permissions.ts';
import type { BusinessAccess, Membership } from '../businesses/index.ts';
import {
  type ActionRow,
  createAgentRepository,
  type DecisionRow,
  type LearningRow,
  type MessageRow,
  type SessionRow,
} from './repository.ts';
import type {
  AgentDecision,
  ChatAction,
  ChatMessage,
  ChatSession,
  ChatToolCard,
  Learning,
} from './schemas.ts';
import type { AgentTool } from './tool-registry.ts';
import { createTurnRunner, trimmed, type TurnEvent } from './turn.ts';

/** Finds the stored learnings nearest to an embedding (pgvector, or an exact scan). */
export interface LearningRecall {
  nearest(
    businessId: string,
    model: string,
    vector: number[],
    limit: number,
  ): Promise<{ id: string; score: number }[]>;
}

export interface AgentLimits {
  tokensPerDay: number;
  actionTtlMinutes: number;
}

/** The messages before the new one that the agents read word for word. */
const RECENT_MESSAGES = 8;
/** A session longer than this is summarised, all but its recent messages. */
const SUMMARY_AFTER = 16;
/** Learnings recalled per turn, and how alike they must be to count. */
const RECALLED = 5;
const MIN_RECALL_SCORE = 0.2;
const DAY_MS = 86_400_000;

const iso = (date: Date) => date.toISOString();

function toSession(row: SessionRow): ChatSession {
  return {
    id: row.id,
    businessId: row.businessId,
    title: row.title,
    summary: row.summary,
    messageCount: row.messageCount,
    createdAt: iso(row.createdAt),
    lastActivityAt: iso(row.lastActivityAt),
  };
}

function toMessage(row: MessageRow): ChatMessage {
  return {
    id: row.id,
    role: row.role === 'user' ? 'user' : 'assistant',
    content: row.content,
    agents: row.agents,
    toolCalls: row.toolCalls as ChatToolCard[],
    citations: row.citations,
    provider: row.provider,
    model: row.model,
    decisionId: row.decisionId,
    createdAt: iso(row.createdAt),
  };
}

function toAction(row: ActionRow): ChatAction {
  return {
    id: row.id,
    messageId: row.messageId,
    agent: row.agent,
    tool: row.tool,
    description: row.description,
    input: row.input,
    status: row.status as ChatAction['status'],
    result: row.result ?? null,
    error: row.error,
    expiresAt: iso(row.expiresAt),
    decidedAt: row.decidedAt ? iso(row.decidedAt) : null,
  };
}

function toDecision(row: DecisionRow): AgentDecision {
  return {
    id: row.id,
    sessionId: row.sessionId,
    messageId: row.messageId,
    channel: row.channel,
    agents: row.agents,
    reasoning: row.reasoning,
    toolCalls: row.toolCalls,
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    costUsd: Number(row.costUsd),
    latencyMs: row.latencyMs,
    firstTokenMs: row.firstTokenMs,
    outcome: row.outcome as AgentDecision['outcome'],
    error: row.error,
    provider: row.provider,
    model: row.model,
    createdAt: iso(row.createdAt),
  };
}

function toLearning(row: LearningRow): Learning {
  return {
    id: row.id,
    kind: row.kind as Learning['kind'],
    content: row.content,
    sessionId: row.sessionId,
    createdAt: iso(row.createdAt),
  };
}

/** `text` ending with one full stop (descriptions may or may not end with one). */
function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

/** A session's title from its first message: its first line, cut at a word. */
function titleOf(message: string): string {
  const line = message.split('\n')[0]?.trim() ?? '';
  if (line.length <= 60) return line || 'New conversation';
  const cut = line.slice(0, 60);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 30)).trimEnd()}…`;
}

/** What `prepareTurn` checked: the caller's membership and their session. */
export interface PreparedTurn {
  membership: Membership;
  session: SessionRow;
}

export function createAgentService(deps: {
  db: Database;
  access: BusinessAccess;
  ai: AiRunner & AiChat;
  tools: readonly AgentTool[];
  recall?: LearningRecall | undefined;
  limits: AgentLimits;
  logger: Logger;
  now?: () => Date;
}) {
  const { db, access, ai, logger } = deps;
  const repository = createAgentRepository(db);
  const now = deps.now ?? (() => new Date());
  const tools = new Map(deps.tools.map((tool) => [tool.name, tool]));
  const turns = createTurnRunner({ ai, tools, logger });

  async function sessionOf(principal: Principal, businessId: string, sessionId: string) {
    return found(await repository.findSession(businessId, principal.userId, sessionId), 'Session');
  }

  /** Refuses a turn once the user's chat tokens for today (UTC) are spent. */
  async function checkTokens(userId: string): Promise<void> {
    const at = now();
    const dayStart = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
    const used = await repository.chatTokensSince(userId, dayStart);
    if (used < deps.limits.tokensPerDay) return;
    const retryAfter = Math.max(1, Math.ceil((dayStart.getTime() + DAY_MS - at.getTime()) / 1000));
    const error = rateLimited(
      retryAfter,
      `You have used ${used.toLocaleString('en-US')} of your ${deps.limits.tokensPerDay.toLocaleString('en-US')} chat tokens today; the limit resets at midnight UTC.`,
    );
    error.details.tokensUsed = used;
    error.details.tokensPerDay = deps.limits.tokensPerDay;
    throw error;
  }

  async function recall(principal: Principal, businessId: string, text: string) {
    if (!deps.recall) return [];
    try {
      const embedded = await ai.embed([text], { businessId, userId: principal.userId });
      const vector = embedded.vectors[0];
      if (!vector) return [];
      const near = await deps.recall.nearest(businessId, embedded.model, vector, RECALLED);
      const wanted = near.filter((n) => n.score >= MIN_RECALL_SCORE);
      const rows = await repository.learningsByIds(
        businessId,
        wanted.map((n) => n.id),
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      return wanted.flatMap((n) => {
        const row = byId.get(n.id);
        return row ? [row.content] : [];
      });
    } catch (error) {
      // Memory helps a turn; it is not worth failing one for.
      logger.warn({ err: error, businessId }, 'learnings could not be recalled');
      return [];
    }
  }

  /** Summarises a long session's older messages, so the conductor reads a summary instead. */
  async function summarise(principal: Principal, session: SessionRow): Promise<void> {
    const count = session.messageCount;
    if (count <= SUMMARY_AFTER) return;
    const upTo = count - RECENT_MESSAGES;
    if (upTo - session.summarizedMessages < RECENT_MESSAGES) return;
    const older = await repository.messagesFrom(
      session.id,
      session.summarizedMessages,
      upTo - session.summarizedMessages,
    );
    const answer = await ai.run(
      chatSummaryTask,
      {
        previousSummary: session.summary,
        messages: older.map((m) => ({ role: m.role, content: m.content.slice(0, 2000) })),
      },
      { businessId: session.businessId, userId: principal.userId },
    );
    await repository.setSummary(session.id, answer.value.summary, upTo);
  }

  async function storeLearnings(
    principal: Principal,
    businessId: string,
    texts: string[],
    kind: 'fact' | 'extracted' | 'outcome',
    sessionId: string | null,
  ): Promise<LearningRow[]> {
    if (texts.length === 0) return [];
    const embedded = await ai.embed(texts, { businessId, userId: principal.userId });
    return repository.insertLearnings(
      texts.map((content, index) => ({
        businessId,
        userId: principal.userId,
        sessionId,
        kind,
        content,
        embedding: embedded.vectors[index] ?? [],
        embeddingModel: embedded.model,
      })),
    );
  }

  return {
    async createSession(
      principal: Principal,
      businessId: string,
      body: { title?: string | undefined },
    ): Promise<ChatSession> {
      await access.require(principal, businessId, 'business.read');
      const row = await repository.insertSession({
        businessId,
        userId: principal.userId,
        ...(body.title ? { title: body.title } : {}),
      });
      return toSession(row);
    },

    async listSessions(principal: Principal, businessId: string, query: PaginationQuery) {
      await access.require(principal, businessId, 'business.read');
      const page = pageRequest(query);
      const rows = await repository.listSessions(businessId, principal.userId, page);
      const keyed = rows.map((row) => ({ ...row, createdAt: row.lastActivityAt, row }));
      const result = pageOf(keyed, page.limit);
      return {
        items: result.items.map((item) => toSession(item.row)),
        nextCursor: result.nextCursor,
      };
    },

    async getSession(principal: Principal, businessId: string, sessionId: string) {
      await access.require(principal, businessId, 'business.read');
      const session = await sessionOf(principal, businessId, sessionId);
      await repository.expireActions(session.id, now());
      const [messages, actions] = await Promise.all([
        repository.messagesOf(session.id),
        repository.actionsOf(session.id),
      ]);
      return {
        session: toSession(session),
        messages: messages.map(toMessage),
        actions: actions.map(toAction),
      };
    },

    async deleteSession(principal: Principal, businessId: string, sessionId: string) {
      await access.require(principal, businessId, 'business.read');
      if (!(await repository.deleteSession(businessId, principal.userId, sessionId))) {
        throw notFound('Session');
      }
    },

    /**
     * Checks everything that can refuse the turn before anything is stored (the session, the
     * daily tokens), so a refusal is an ordinary error response rather than a broken stream.
     */
    async prepareTurn(
      principal: Principal,
      businessId: string,
      sessionId: string,
    ): Promise<PreparedTurn> {
      // Asked together (one round trip's wait, not three); refused in this order of precedence.
      const [membership, session, tokens] = await Promise.allSettled([
        access.require(principal, businessId, 'business.read'),
        sessionOf(principal, businessId, sessionId),
        checkTokens(principal.userId),
      ]);
      if (membership.status === 'rejected') throw membership.reason;
      if (session.status === 'rejected') throw session.reason;
      if (tokens.status === 'rejected') throw tokens.reason;
      return { membership: membership.value, session: session.value };
    },

    /**
     * One turn: stores the user's message, runs the agents (events go to `emit` as they
     * happen), stores the reply with its pending actions and the turn's decision in one
     * transaction, and returns the reply. A failure is recorded in the decision log and thrown.
     */
    async runTurn(
      principal: Principal,
      prepared: PreparedTurn,
      content: string,
      emit: (event: TurnEvent | { type: 'message'; message: ChatMessage }) => void,
      signal?: AbortSignal,
    ): Promise<ChatMessage> {
      const { session, membership } = prepared;
      const businessId = session.businessId;
      const started = performance.now();
      const userMessageId = randomUUID();
      const decisionId = randomUUID();
      const replyId = randomUUID();
      ai.openDecision(decisionId, businessId);
      // The history, storing the message and recalling memory do not wait on each other.
      const [earlier, userMessage, learnings] = await Promise.all([
        repository.messagesOf(session.id, RECENT_MESSAGES + 1),
        repository.insertMessage(
          { id: userMessageId, businessId, sessionId: session.id, role: 'user', content },
          session.messageCount === 0 && session.title === 'New conversation'
            ? titleOf(content)
            : undefined,
        ),
        recall(principal, businessId, content),
      ]).catch((error: unknown) => {
        void ai.closeDecision(decisionId).written.catch(() => undefined);
        throw error;
      });
      const recent = earlier.filter((m) => m.id !== userMessageId).slice(-RECENT_MESSAGES);
      emit({ type: 'message', message: toMessage(userMessage) });
      let outcome;
      try {
        outcome = await turns.run({
          context: { principal, businessId, signal },
          membership,
          decisionId,
          replyId,
          message: content,
          summary: session.summary,
          recent: recent.map((m) => ({
            role: m.role === 'user' ? 'user' : 'assistant',
            content: m.content,
          })),
          learnings,
          actionTtlMs: deps.limits.actionTtlMinutes * 60_000,
          now,
          emit,
        });
      } catch (error) {
        const appError =
          error instanceof AppError
            ? error
            : new AppError('INTERNAL', 'The agents could not answer', { cause: error });
        if (!(error instanceof AppError)) logger.error({ err: error }, 'chat turn failed');
        const { usage, written } = ai.closeDecision(decisionId);
        await written;
        await repository.insertDecision({
          id: decisionId,
          businessId,
          sessionId: session.id,
          messageId: userMessage.id,
          userId: principal.userId,
          channel: 'chat',
          outcome: appError.status === 429 ? 'limited' : 'failed',
          error: { code: appError.code, message: appError.message },
          latencyMs: Math.round(performance.now() - started),
          ...usage,
        });
        throw appError;
      }
      const { usage, written } = ai.closeDecision(decisionId);
      const expiresAt = new Date(now().getTime() + deps.limits.actionTtlMinutes * 60_000);
      const storing = repository.storeReply(
        {
          id: replyId,
          businessId,
          sessionId: session.id,
          role: 'assistant',
          content: outcome.text || 'I have nothing to add.',
          agents: outcome.agents,
          toolCalls: outcome.cards,
          citations: outcome.citations,
          provider: outcome.generatedBy?.provider ?? null,
          model: outcome.generatedBy?.model ?? null,
          decisionId,
        },
        outcome.actions.map((action) => ({
          id: action.id,
          businessId,
          sessionId: session.id,
          messageId: replyId,
          userId: principal.userId,
          agent: action.agent,
          tool: action.tool,
          input: action.input,
          description: action.description,
          expiresAt,
        })),
        {
          id: decisionId,
          businessId,
          sessionId: session.id,
          messageId: replyId,
          userId: principal.userId,
          channel: 'chat',
          agents: outcome.agents,
          reasoning: outcome.reasoning,
          toolCalls: outcome.toolLog,
          outcome: 'success',
          latencyMs: Math.round(performance.now() - started),
          firstTokenMs: outcome.firstTokenMs ?? null,
          provider: outcome.generatedBy?.provider ?? null,
          model: outcome.generatedBy?.model ?? null,
          ...usage,
        },
      );
      // The calls' rows are written beside the reply; the turn is done when both are stored.
      const [reply] = await Promise.all([storing, written]);
      try {
        await summarise(principal, { ...session, messageCount: session.messageCount + 2 });
      } catch (error) {
        logger.warn({ err: error, sessionId: session.id }, 'chat session could not be summarised');
      }
      return toMessage(reply);
    },

    /** Runs a proposed action the user confirms, once; answers with it and a reply saying how it went. */
    async confirm(
      principal: Principal,
      businessId: string,
      sessionId: string,
      messageId: string,
      actionId: string | undefined,
    ): Promise<{ action: ChatAction; message: ChatMessage }> {
      const membership = await access.require(principal, businessId, 'content.write');
      const session = await sessionOf(principal, businessId, sessionId);
      const action = await pendingAction(session, messageId, actionId);
      const tool = found(tools.get(action.tool), 'Tool');
      if (!principal.scopes.includes('write')) {
        throw new AppError('FORBIDDEN', 'A read-only API key cannot confirm actions');
      }
      if (!roleAllows(membership.role, tool.permission, membership.approver)) {
        await access.require(principal, businessId, tool.permission); // throws FORBIDDEN
      }
      const claimed = await repository.decideAction(action.id, 'confirmed', now());
      if (!claimed) throw conflict('This action was already decided or has expired');
      const started = performance.now();
      let finished: ActionRow;
      let content: string;
      let status: ChatToolCard['status'];
      try {
        const result = await tool.run({ principal, businessId }, action.input);
        finished = await repository.finishAction(action.id, {
          status: 'confirmed',
          result: trimmed(result, 8_000),
          error: null,
        });
        content = `Done: ${sentence(action.description)} ${tool.summarize(result, action.input)}`;
        status = 'done';
      } catch (error) {
        if (!(error instanceof AppError)) logger.error({ err: error }, 'confirmed action failed');
        const problem =
          error instanceof AppError
            ? { code: error.code, message: error.message }
            : { code: 'INTERNAL', message: `${tool.name} failed unexpectedly` };
        finished = await repository.finishAction(action.id, {
          status: 'failed',
          result: null,
          error: problem,
        });
        content = `Could not do it: ${sentence(action.description)} ${problem.message}`;
        status = 'failed';
      }
      const ms = Math.round(performance.now() - started);
      const card: ChatToolCard = {
        id: action.id,
        agent: action.agent,
        tool: action.tool,
        input: action.input,
        status,
        summary: content,
        actionId: action.id,
      };
      const decisionId = randomUUID();
      const replyId = randomUUID();
      const message = await db.transaction(async (tx) => {
        const repo = createAgentRepository(tx);
        const stored = await repo.insertMessage({
          id: replyId,
          businessId,
          sessionId: session.id,
          role: 'assistant',
          content,
          agents: [action.agent],
          toolCalls: [card],
          decisionId,
        });
        await repo.insertDecision({
          id: decisionId,
          businessId,
          sessionId: session.id,
          messageId: replyId,
          userId: principal.userId,
          channel: 'chat',
          agents: [action.agent],
          reasoning: `The user confirmed: ${action.description}`,
          toolCalls: [
            {
              agent: action.agent,
              tool: action.tool,
              input: action.input,
              result: finished.error ?? finished.result,
              outcome: status,
              ms,
            },
          ],
          outcome: status === 'done' ? 'success' : 'failed',
          error: finished.error,
          latencyMs: ms,
        });
        return stored;
      });
      return { action: toAction(finished), message: toMessage(message) };
    },

    async reject(
      principal: Principal,
      businessId: string,
      sessionId: string,
      messageId: string,
      actionId: string | undefined,
    ): Promise<{ action: ChatAction }> {
      await access.require(principal, businessId, 'business.read');
      const session = await sessionOf(principal, businessId, sessionId);
      const action = await pendingAction(session, messageId, actionId);
      const rejected = await repository.decideAction(action.id, 'rejected', now());
      if (!rejected) throw conflict('This action was already decided or has expired');
      return { action: toAction(rejected) };
    },

    async listDecisions(
      principal: Principal,
      businessId: string,
      query: PaginationQuery & { sessionId?: string; agent?: string; outcome?: string },
    ) {
      const membership = await access.require(principal, businessId, 'business.read');
      const page = pageRequest(query);
      // Everyone sees their own turns; whoever manages the business sees everyone's.
      const everyone = roleAllows(membership.role, 'business.manage', membership.approver);
      const rows = await repository.listDecisions(
        businessId,
        {
          ...(everyone ? {} : { userId: principal.userId }),
          ...(query.sessionId ? { sessionId: query.sessionId } : {}),
          ...(query.agent ? { agent: query.agent } : {}),
          ...(query.outcome ? { outcome: query.outcome } : {}),
        },
        page,
      );
      const result = pageOf(rows, page.limit);
      return { items: result.items.map(toDecision), nextCursor: result.nextCursor };
    },

    async getDecision(principal: Principal, businessId: string, decisionId: string) {
      const membership = await access.require(principal, businessId, 'business.read');
      const row = found(await repository.findDecision(businessId, decisionId), 'Decision');
      const everyone = roleAllows(membership.role, 'business.manage', membership.approver);
      if (!everyone && row.userId !== principal.userId) throw notFound('Decision');
      const calls = await repository.callsOf(businessId, { decisionId });
      return { ...toDecision(row), calls };
    },

    async listLearnings(principal: Principal, businessId: string, query: PaginationQuery) {
      await access.require(principal, businessId, 'business.read');
      const page = pageRequest(query);
      const result = pageOf(await repository.listLearnings(businessId, page), page.limit);
      return { items: result.items.map(toLearning), nextCursor: result.nextCursor };
    },

    async addLearning(principal: Principal, businessId: string, content: string) {
      await access.require(principal, businessId, 'content.write');
      const [row] = await storeLearnings(principal, businessId, [content], 'fact', null);
      if (!row) throw new Error('learning not stored');
      return toLearning(row);
    },

    async deleteLearning(principal: Principal, businessId: string, learningId: string) {
      await access.require(principal, businessId, 'content.write');
      if (!(await repository.deleteLearning(businessId, learningId))) throw notFound('Learning');
    },

    /** The model calls a job made (each attempt), with whether each one's transcript is kept. */
    async jobCalls(principal: Principal, businessId: string, jobId: string) {
      await access.require(principal, businessId, 'business.read');
      if (!(await repository.jobExists(businessId, jobId))) throw notFound('Job');
      return { items: await repository.callsOf(businessId, { jobId }) };
    },

    async transcript(principal: Principal, businessId: string, callId: string) {
      const membership = await access.require(principal, businessId, 'business.read');
      const owner = found(await repository.callOwner(businessId, callId), 'Transcript');
      const everyone = roleAllows(membership.role, 'business.manage', membership.approver);
      if (!everyone && owner.userId !== principal.userId) throw notFound('Transcript');
      const kept = found(await ai.transcriptOf(businessId, callId), 'Transcript');
      return { ...kept, createdAt: iso(kept.createdAt) };
    },

    /** The durable facts of a session, extracted by the agents and stored (shown to the user). */
    async learnFromSession(principal: Principal, businessId: string, sessionId: string) {
      await access.require(principal, businessId, 'content.write');
      const session = await sessionOf(principal, businessId, sessionId);
      const messages = await repository.messagesOf(session.id, 50);
      const known = await repository.recentLearningTexts(businessId, 50);
      const answer = await ai.run(
        chatLearningsTask,
        {
          messages: messages.map((m) => ({ role: m.role, content: m.content.slice(0, 2000) })),
          known,
        },
        { businessId, userId: principal.userId },
      );
      const fresh = answer.value.learnings.filter(
        (text) => !known.some((k) => k.toLowerCase() === text.toLowerCase()),
      );
      const rows = await storeLearnings(principal, businessId, fresh, 'extracted', session.id);
      await repository.markLearned(session.id, now());
      return { items: rows.map(toLearning) };
    },
  };

  async function pendingAction(
    session: SessionRow,
    messageId: string,
    actionId: string | undefined,
  ): Promise<ActionRow> {
    found(await repository.findMessage(session.id, messageId), 'Message');
    await repository.expireActions(session.id, now());
    const actions = await repository.actionsOfMessage(messageId);
    const action = actionId
      ? actions.find((a) => a.id === actionId)
      : actions.length === 1
        ? actions[0]
        : undefined;
    if (!action) {
      if (!actionId && actions.length > 1) {
        throw new AppError('VALIDATION_ERROR', 'This message asks for several actions: name one', {
          details: { issues: [{ path: 'body.actionId', message: 'required here' }] },
        });
      }
      throw notFound('Action');
    }
    if (action.status === 'expired') {
      throw conflict('This action expired before it was confirmed; ask again', {
        status: 'expired',
      });
    }
    if (action.status !== 'pending') {
      throw conflict(`This action was already ${action.status}`, { status: action.status });
    }
    return action;
  }
}

export type AgentService = ReturnType<typeof createAgentService>;

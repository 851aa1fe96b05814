// /api/v1/businesses/{businessId}/chat/…: sessions with the marketing agents, a message answered
// as a stream of server-sent events (or one JSON reply when the client asks for JSON), the
// confirmation or rejection of what the agents proposed, ratings, learnings, the decision log,
// and the kept prompt and response of a model call.
import type { WebSocket } from '@fastify/websocket';
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { AppError, errorEnvelope, errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import type { RateLimiter } from '../../platform/rate-limit.ts';
import { BusinessParams } from '../businesses/index.ts';
import {
  ActionBody,
  AgentDecisionDetail,
  AgentDecisionPage,
  ChatMessage,
  ChatSession,
  ChatSessionDetail,
  ChatSessionPage,
  ConfirmResult,
  CreateLearningBody,
  CreateSessionBody,
  DecisionListQuery,
  DecisionParams,
  JobCallsParams,
  JobModelCalls,
  Learning,
  LearningList,
  LearningPage,
  LearningParams,
  MessageParams,
  PaginationQuery,
  RejectResult,
  SendMessageBody,
  SessionParams,
} from './schemas.ts';
import type { AgentService } from './service.ts';

const base = '/api/v1/businesses/:businessId/chat';
const tags = ['agents'];
const HEARTBEAT_MS = 15_000;

const STREAM_EVENTS = [
  'Answered as server-sent events unless the request asks for `Accept: application/json` (then one JSON reply, the stored assistant message, once the turn is over). Events, each with a JSON `data`:',
  '`message` `{ message }` the stored user message;',
  '`agents` `{ agents, reasoning }` the specialists the conductor chose and why;',
  '`delta` `{ agent, text }` a piece of the reply as the model writes it;',
  '`tool-call` `{ card }` a tool the agents started (status running); `tool-result` `{ card }` how it ended (done, failed, refused, awaiting_confirmation);',
  '`confirmation` `{ action }` a data-changing action waiting for `…/messages/{messageId}/confirm` or `/reject` (nothing runs before; it expires after CHAT_ACTION_TTL_MINUTES);',
  '`done` `{ message }` the stored reply, with its tool cards, citations and decisionId;',
  '`error` the error envelope (e.g. AI_BUDGET_EXCEEDED, UPSTREAM_UNAVAILABLE).',
  'Limits: CHAT_REQUESTS_PER_MINUTE messages per user per minute and CHAT_TOKENS_PER_DAY model tokens per user per UTC day, each answered with 429 and Retry-After before the stream starts.',
].join(' ');

export const TranscriptParams = BusinessParams.extend({ callId: z.uuid() });
const Transcript = z
  .object({
    callId: z.uuid(),
    prompt: z.record(z.string(), z.unknown()),
    response: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AiCallTranscript' });

export function agentRoutes(app: App, deps: { agents: AgentService; limiter: RateLimiter }): void {
  const { agents, limiter } = deps;

  app.post(
    `${base}/sessions`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'Start a conversation with the marketing agents',
        params: BusinessParams,
        body: CreateSessionBody,
        response: { 201: ChatSession, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await agents.createSession(principalOf(request), request.params.businessId, request.body),
        ),
  );

  app.get(
    `${base}/sessions`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'Your conversations, the most recently active first',
        params: BusinessParams,
        querystring: PaginationQuery,
        response: { 200: ChatSessionPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      agents.listSessions(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    `${base}/sessions/:sessionId`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'A conversation: its messages (the latest 500) and the actions it proposed',
        params: SessionParams,
        response: { 200: ChatSessionDetail, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      agents.getSession(principalOf(request), request.params.businessId, request.params.sessionId),
  );

  app.delete(
    `${base}/sessions/:sessionId`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'Delete a conversation and its messages (its decisions stay in the log)',
        params: SessionParams,
        response: { 204: z.null(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await agents.deleteSession(
        principalOf(request),
        request.params.businessId,
        request.params.sessionId,
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${base}/sessions/:sessionId/messages`,
    {
      config: { permission: 'business.read', rateLimit: 'chat' },
      schema: {
        tags,
        summary: 'Send a message; the agents answer as a stream',
        description: STREAM_EVENTS,
        params: SessionParams,
        body: SendMessageBody,
        produces: ['text/event-stream', 'application/json'],
        response: { 200: ChatMessage, ...errorResponses(400, 401, 403, 404, 429, 502, 503, 504) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { businessId, sessionId } = request.params;
      // Refusals (no session, tokens spent) are ordinary error responses, before any stream.
      const prepared = await agents.prepareTurn(principal, businessId, sessionId);
      const controller = new AbortController();
      request.raw.on('close', () => {
        if (!reply.raw.writableEnded) controller.abort();
      });
      const wantsJson = (request.headers.accept ?? '').trim().startsWith('application/json');
      if (wantsJson) {
        return agents.runTurn(
          principal,
          prepared,
          request.body.content,
          () => undefined,
          controller.signal,
        );
      }
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-correlation-id': request.id,
      });
      const send = (event: string, data: unknown) => {
        if (!reply.raw.writableEnded) {
          reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        }
      };
      const heartbeat = setInterval(() => {
        if (!reply.raw.writableEnded) reply.raw.write(': keep-alive\n\n');
      }, HEARTBEAT_MS);
      try {
        const message = await agents.runTurn(
          principal,
          prepared,
          request.body.content,
          (event) => {
            const { type, ...data } = event;
            send(type, data);
          },
          controller.signal,
        );
        send('done', { message });
      } catch (error) {
        const appError =
          error instanceof AppError
            ? error
            : new AppError('INTERNAL', 'The agents could not answer');
        if (!(error instanceof AppError)) request.log.error({ err: error }, 'chat stream failed');
        send('error', errorEnvelope(appError.code, appError.message, appError.details, request.id));
      } finally {
        clearInterval(heartbeat);
        reply.raw.end();
      }
    },
  );

  app.post(
    `${base}/sessions/:sessionId/messages/:messageId/confirm`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: 'Confirm an action the agents proposed: it runs now, once',
        description:
          'Confirming changes data: it needs content.write, and the tool runs with your access (its own permission applies, e.g. content.approve to approve). 409 when the action was already decided or has expired. The answer carries the action and a new assistant message saying how it went.',
        params: MessageParams,
        body: ActionBody,
        response: { 200: ConfirmResult, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      agents.confirm(
        principalOf(request),
        request.params.businessId,
        request.params.sessionId,
        request.params.messageId,
        request.body.actionId,
      ),
  );

  app.post(
    `${base}/sessions/:sessionId/messages/:messageId/reject`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'Reject an action the agents proposed: it never runs',
        params: MessageParams,
        body: ActionBody,
        response: { 200: RejectResult, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      agents.reject(
        principalOf(request),
        request.params.businessId,
        request.params.sessionId,
        request.params.messageId,
        request.body.actionId,
      ),
  );

  app.post(
    `${base}/sessions/:sessionId/learn`,
    {
      config: { permission: 'content.write', rateLimit: 'ai' },
      schema: {
        tags,
        summary: 'Extract the lasting facts of this conversation into learnings',
        description:
          'The agents read the conversation and store what is worth remembering in later conversations (recalled by similarity). The answer lists what was stored; delete any you disagree with.',
        params: SessionParams,
        response: { 200: LearningList, ...errorResponses(400, 401, 403, 404, 429, 502, 503, 504) },
      },
    },
    async (request) =>
      agents.learnFromSession(
        principalOf(request),
        request.params.businessId,
        request.params.sessionId,
      ),
  );

  app.get(
    `${base}/learnings`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'What the agents remember about the business, newest first',
        params: BusinessParams,
        querystring: PaginationQuery,
        response: { 200: LearningPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      agents.listLearnings(principalOf(request), request.params.businessId, request.query),
  );

  app.post(
    `${base}/learnings`,
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags,
        summary: 'Tell the agents a fact to remember ("our audience hates discounts")',
        params: BusinessParams,
        body: CreateLearningBody,
        response: { 201: Learning, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await agents.addLearning(
            principalOf(request),
            request.params.businessId,
            request.body.content,
          ),
        ),
  );

  app.delete(
    `${base}/learnings/:learningId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags,
        summary: 'Forget a learning',
        params: LearningParams,
        response: { 204: z.null(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await agents.deleteLearning(
        principalOf(request),
        request.params.businessId,
        request.params.learningId,
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${base}/decisions`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'The decision log: each turn’s agents, tools, tokens, cost and latency',
        description:
          'Your own turns; whoever may manage the business sees everyone’s. Filter by session, agent or outcome.',
        params: BusinessParams,
        querystring: DecisionListQuery,
        response: { 200: AgentDecisionPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      agents.listDecisions(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    `${base}/decisions/:decisionId`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags,
        summary: 'One decision, with the model calls it made',
        params: DecisionParams,
        response: { 200: AgentDecisionDetail, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      agents.getDecision(
        principalOf(request),
        request.params.businessId,
        request.params.decisionId,
      ),
  );

  app.get(
    '/api/v1/businesses/:businessId/ai/calls/:callId/transcript',
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['ai'],
        summary: 'The prompt and response of one model call (secrets redacted)',
        description:
          'Kept for AI_TRANSCRIPT_RETENTION_DAYS (30 by default). Your own calls; whoever may manage the business sees everyone’s.',
        params: TranscriptParams,
        response: { 200: Transcript, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      agents.transcript(principalOf(request), request.params.businessId, request.params.callId),
  );

  app.get(
    '/api/v1/businesses/:businessId/jobs/:jobId/ai-calls',
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['ai'],
        summary: 'The model calls a job made, each attempt, with whether its transcript is kept',
        description:
          'Open a transcript with GET …/ai/calls/{callId}/transcript (kept AI_TRANSCRIPT_RETENTION_DAYS).',
        params: JobCallsParams,
        response: { 200: JobModelCalls, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      agents.jobCalls(principalOf(request), request.params.businessId, request.params.jobId),
  );

  // The same turn over a WebSocket, for clients that keep one connection open: each frame the
  // client sends is `{ "content": "…" }`; each frame Herald sends is `{ "event", "data" }` with
  // the stream's events. One turn at a time per socket; the per-minute and per-day limits apply
  // to every message as they do over HTTP.
  app.get(
    `${base}/sessions/:sessionId/socket`,
    {
      websocket: true,
      config: { permission: 'business.read', queryToken: true },
      schema: {
        tags,
        summary: 'The conversation over a WebSocket (the stream’s events as frames)',
        description:
          'Send `{ "content": "…" }` frames; each answer frame is `{ "event", "data" }` with the events of POST …/messages. Browsers may pass the access token as `?accessToken=`.',
        params: SessionParams,
      },
    },
    (socket: WebSocket, request) => {
      const principal = principalOf(request);
      const { businessId, sessionId } = request.params;
      const controller = new AbortController();
      let busy = false;
      const send = (event: string, data: unknown) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ event, data }));
      };
      const fail = (error: unknown) => {
        const appError =
          error instanceof AppError
            ? error
            : new AppError('INTERNAL', 'The agents could not answer');
        if (!(error instanceof AppError)) request.log.error({ err: error }, 'chat socket failed');
        send('error', errorEnvelope(appError.code, appError.message, appError.details, request.id));
      };
      socket.on('close', () => {
        controller.abort();
      });
      socket.on('message', (raw: Buffer) => {
        void (async () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw.toString('utf8'));
          } catch {
            parsed = undefined;
          }
          const body = SendMessageBody.safeParse(parsed);
          if (!body.success) {
            fail(
              new AppError('VALIDATION_ERROR', 'Send a JSON frame { "content": "…" }', {
                details: {
                  issues: body.error.issues.map((i) => ({
                    path: i.path.join('.'),
                    message: i.message,
                  })),
                },
              }),
            );
            return;
          }
          if (busy) {
            fail(new AppError('CONFLICT', 'A turn is still running on this socket'));
            return;
          }
          busy = true;
          try {
            await limiter.hit('chat', `user:${principal.userId}`);
            const prepared = await agents.prepareTurn(principal, businessId, sessionId);
            const message = await agents.runTurn(
              principal,
              prepared,
              body.data.content,
              (event) => {
                const { type, ...data } = event;
                send(type, data);
              },
              controller.signal,
            );
            send('done', { message });
          } catch (error) {
            fail(error);
          } finally {
            busy = false;
          }
        })();
      });
    },
  );
}

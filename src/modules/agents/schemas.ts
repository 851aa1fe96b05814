// The chat API's shapes: sessions, messages (with their tool-call cards and citations), actions
// waiting for confirmation, the decision log and the learnings. The stream of a turn is
// described in routes.ts (server-sent events carrying these same shapes).
import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';
import { BusinessParams } from '../businesses/index.ts';

export const ChatSession = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    title: z.string(),
    summary: z.string().nullable(),
    messageCount: z.number().int(),
    createdAt: z.iso.datetime(),
    lastActivityAt: z.iso.datetime(),
  })
  .meta({ id: 'ChatSession' });
export type ChatSession = z.infer<typeof ChatSession>;

export const ChatToolCard = z
  .object({
    id: z.string(),
    agent: z.string(),
    tool: z.string(),
    input: z.unknown(),
    status: z.enum(['running', 'done', 'failed', 'refused', 'awaiting_confirmation']),
    summary: z.string(),
    actionId: z.uuid().optional(),
  })
  .meta({ id: 'ChatToolCard' });
export type ChatToolCard = z.infer<typeof ChatToolCard>;

export const ChatCitation = z
  .object({
    chunkId: z.uuid(),
    documentId: z.uuid(),
    title: z.string(),
    excerpt: z.string(),
  })
  .meta({ id: 'ChatCitation' });

export const ChatMessage = z
  .object({
    id: z.uuid(),
    role: z.enum(['user', 'assistant']),
    content: z.string(),
    agents: z.array(z.string()),
    toolCalls: z.array(ChatToolCard),
    citations: z.array(ChatCitation),
    provider: z.string().nullable(),
    model: z.string().nullable(),
    decisionId: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'ChatMessage' });
export type ChatMessage = z.infer<typeof ChatMessage>;

const ErrorShape = z.object({ code: z.string(), message: z.string() });

export const ChatAction = z
  .object({
    id: z.uuid(),
    messageId: z.uuid().nullable(),
    agent: z.string(),
    tool: z.string(),
    description: z.string(),
    input: z.record(z.string(), z.unknown()),
    status: z.enum(['pending', 'confirmed', 'rejected', 'expired', 'failed']),
    result: z.unknown(),
    error: ErrorShape.nullable(),
    expiresAt: z.iso.datetime(),
    decidedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ChatAction' });
export type ChatAction = z.infer<typeof ChatAction>;

export const ChatSessionDetail = z
  .object({
    session: ChatSession,
    messages: z.array(ChatMessage),
    actions: z.array(ChatAction),
  })
  .meta({ id: 'ChatSessionDetail' });

export const ChatSessionPage = pageSchema(ChatSession).meta({ id: 'ChatSessionPage' });

export const CreateSessionBody = z.strictObject({
  title: z.string().trim().min(1).max(200).optional(),
});

export const SendMessageBody = z.strictObject({
  content: z
    .string()
    .trim()
    .min(1)
    .max(8000)
    .refine((text) => !text.includes('\u0000'), 'must not contain NUL characters'),
});

export const SessionParams = BusinessParams.extend({ sessionId: z.uuid() });
export const MessageParams = SessionParams.extend({ messageId: z.uuid() });

export const ActionBody = z.strictObject({
  actionId: z.uuid().optional().describe('Which action of the message; optional when it has one'),
});

export const ConfirmResult = z
  .object({ action: ChatAction, message: ChatMessage })
  .meta({ id: 'ChatConfirmResult' });
export const RejectResult = z.object({ action: ChatAction }).meta({ id: 'ChatRejectResult' });

export const DecisionToolCall = z.object({
  agent: z.string(),
  tool: z.string(),
  input: z.unknown(),
  result: z.unknown(),
  outcome: z.string(),
  ms: z.number(),
});

export const AgentDecision = z
  .object({
    id: z.uuid(),
    sessionId: z.uuid().nullable(),
    messageId: z.uuid().nullable(),
    channel: z.string(),
    agents: z.array(z.string()),
    reasoning: z.string(),
    toolCalls: z.array(DecisionToolCall),
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    costUsd: z.number(),
    latencyMs: z.number().int(),
    firstTokenMs: z.number().int().nullable(),
    outcome: z.enum(['success', 'failed', 'limited']),
    error: ErrorShape.nullable(),
    provider: z.string().nullable(),
    model: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AgentDecision' });
export type AgentDecision = z.infer<typeof AgentDecision>;

/** One model call (an attempt) behind a decision or a job, and whether its transcript is kept. */
export const ModelCall = z
  .object({
    id: z.uuid(),
    task: z.string(),
    model: z.string(),
    outcome: z.string(),
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    latencyMs: z.number().int(),
    hasTranscript: z.boolean(),
  })
  .meta({ id: 'ModelCall' });

export const AgentDecisionDetail = AgentDecision.extend({
  calls: z.array(ModelCall),
}).meta({ id: 'AgentDecisionDetail' });

export const JobModelCalls = z.object({ items: z.array(ModelCall) }).meta({ id: 'JobModelCalls' });
export const JobCallsParams = BusinessParams.extend({ jobId: z.uuid() });

export const AgentDecisionPage = pageSchema(AgentDecision).meta({ id: 'AgentDecisionPage' });

export const DecisionListQuery = PaginationQuery.extend({
  sessionId: z.uuid().optional(),
  agent: z.string().max(40).optional(),
  outcome: z.enum(['success', 'failed', 'limited']).optional(),
});

export const DecisionParams = BusinessParams.extend({ decisionId: z.uuid() });

export const Learning = z
  .object({
    id: z.uuid(),
    kind: z.enum(['fact', 'outcome', 'extracted']),
    content: z.string(),
    sessionId: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Learning' });
export type Learning = z.infer<typeof Learning>;

export const LearningPage = pageSchema(Learning).meta({ id: 'LearningPage' });
export const LearningList = z.object({ items: z.array(Learning) }).meta({ id: 'LearningList' });

export const CreateLearningBody = z.strictObject({
  content: z
    .string()
    .trim()
    .min(3)
    .max(500)
    .refine((text) => !text.includes('\u0000'), 'must not contain NUL characters'),
});

export const LearningParams = BusinessParams.extend({ learningId: z.uuid() });

export { PaginationQuery };

// The marketing agents: chat sessions and their messages, actions waiting for the user's
// confirmation, the decision log (one row per turn), learnings recalled by similarity, the
// knowledge base (documents cut into embedded chunks), ratings of AI output, and the kept
// prompt and response of each model call (for tracing a bad answer; purged after a while).
// Embeddings are stored as real[] everywhere; where the database has pgvector, a migration adds a
// vector column and an HNSW index beside it (modules/agents/recall.ts reads whichever exists).
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { users } from './accounts.ts';
import { aiCalls } from './ai.ts';
import { businesses } from './businesses.ts';

const businessId = () =>
  uuid('business_id')
    .notNull()
    .references(() => businesses.id, { onDelete: 'cascade' });
const id = () =>
  uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`);
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const chatSessions = pgTable(
  'chat_sessions',
  {
    id: id(),
    businessId: businessId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull().default('New conversation'),
    /** What the conductor reads instead of the whole history, once the session is long. */
    summary: text('summary'),
    /** How many messages the summary covers (the oldest first). */
    summarizedMessages: integer('summarized_messages').notNull().default(0),
    messageCount: integer('message_count').notNull().default(0),
    /** When the agents last extracted learnings from this session (null: never). */
    learnedAt: timestamp('learned_at', { withTimezone: true }),
    createdAt: createdAt(),
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('chat_sessions_business_user_activity_idx').on(
      table.businessId,
      table.userId,
      table.lastActivityAt,
      table.id,
    ),
  ],
);

export interface ChatCitation {
  chunkId: string;
  documentId: string;
  title: string;
  excerpt: string;
}

export interface ChatToolCard {
  id: string;
  agent: string;
  tool: string;
  input: unknown;
  /** done | failed | refused | awaiting_confirmation */
  status: string;
  summary: string;
  actionId?: string;
}

export const chatMessages = pgTable(
  'chat_messages',
  {
    id: id(),
    businessId: businessId(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => chatSessions.id, { onDelete: 'cascade' }),
    /** user | assistant */
    role: text('role').notNull(),
    content: text('content').notNull(),
    /** The specialists that answered (assistant messages). */
    agents: jsonb('agents').$type<string[]>().notNull().default([]),
    toolCalls: jsonb('tool_calls').$type<ChatToolCard[]>().notNull().default([]),
    citations: jsonb('citations').$type<ChatCitation[]>().notNull().default([]),
    /** builtin | openai | …, and the model: the same provenance every AI result carries. */
    provider: text('provider'),
    model: text('model'),
    decisionId: uuid('decision_id'),
    createdAt: createdAt(),
  },
  (table) => [
    index('chat_messages_session_created_idx').on(table.sessionId, table.createdAt, table.id),
    index('chat_messages_business_id_idx').on(table.businessId),
  ],
);

export const chatActions = pgTable(
  'chat_actions',
  {
    id: id(),
    businessId: businessId(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => chatSessions.id, { onDelete: 'cascade' }),
    /** The assistant message that asked for the confirmation. */
    messageId: uuid('message_id').references(() => chatMessages.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    agent: text('agent').notNull(),
    tool: text('tool').notNull(),
    /** Already validated against the tool's schema; run as is once confirmed. */
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    /** What the user is asked to confirm, in words. */
    description: text('description').notNull(),
    /** pending | confirmed | rejected | expired | failed */
    status: text('status').notNull().default('pending'),
    result: jsonb('result'),
    error: jsonb('error').$type<{ code: string; message: string } | null>(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [
    index('chat_actions_message_id_idx').on(table.messageId),
    index('chat_actions_session_id_idx').on(table.sessionId),
    index('chat_actions_business_id_idx').on(table.businessId),
  ],
);

export interface DecisionToolCall {
  agent: string;
  tool: string;
  input: unknown;
  /** Trimmed: the log keeps the shape of a result, not all of it. */
  result: unknown;
  /** done | failed | refused | invalid_arguments | awaiting_confirmation */
  outcome: string;
  ms: number;
}

export const agentDecisions = pgTable(
  'agent_decisions',
  {
    id: id(),
    businessId: businessId(),
    sessionId: uuid('session_id').references(() => chatSessions.id, { onDelete: 'set null' }),
    messageId: uuid('message_id'),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    /** The channel the turn came from: chat | mcp | slack. */
    channel: text('channel').notNull().default('chat'),
    agents: jsonb('agents').$type<string[]>().notNull().default([]),
    /** Why the conductor routed as it did, in the model's words (or the builtin router's rule). */
    reasoning: text('reasoning').notNull().default(''),
    toolCalls: jsonb('tool_calls').$type<DecisionToolCall[]>().notNull().default([]),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    costUsd: numeric('cost_usd', { precision: 14, scale: 6 }).notNull().default('0'),
    latencyMs: integer('latency_ms').notNull().default(0),
    firstTokenMs: integer('first_token_ms'),
    /** success | failed | limited */
    outcome: text('outcome').notNull(),
    error: jsonb('error').$type<{ code: string; message: string } | null>(),
    provider: text('provider'),
    model: text('model'),
    createdAt: createdAt(),
  },
  (table) => [
    index('agent_decisions_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
    index('agent_decisions_session_id_idx').on(table.sessionId),
    index('agent_decisions_user_id_idx').on(table.userId),
  ],
);

export const agentLearnings = pgTable(
  'agent_learnings',
  {
    id: id(),
    businessId: businessId(),
    /** Who confirmed it, or whose session it was extracted from. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    sessionId: uuid('session_id').references(() => chatSessions.id, { onDelete: 'set null' }),
    /** fact (the user said it) | outcome (a past campaign's result) | extracted (by the agents) */
    kind: text('kind').notNull(),
    content: text('content').notNull(),
    embedding: real('embedding').array().notNull(),
    /** Which embedder made it: a learning is compared only with queries embedded the same way. */
    embeddingModel: text('embedding_model').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index('agent_learnings_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
    index('agent_learnings_session_id_idx').on(table.sessionId),
    index('agent_learnings_user_id_idx').on(table.userId),
  ],
);

export const knowledgeDocuments = pgTable(
  'knowledge_documents',
  {
    id: id(),
    businessId: businessId(),
    title: text('title').notNull(),
    /** text | markdown | html | pdf */
    format: text('format').notNull(),
    /** The address it was fetched from, when it came from a URL. */
    sourceUrl: text('source_url'),
    bytes: integer('bytes').notNull(),
    chunkCount: integer('chunk_count').notNull().default(0),
    /** processing | ready | failed */
    status: text('status').notNull().default('processing'),
    error: text('error'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [
    index('knowledge_documents_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
    index('knowledge_documents_created_by_idx').on(table.createdBy),
  ],
);

export const knowledgeChunks = pgTable(
  'knowledge_chunks',
  {
    id: id(),
    businessId: businessId(),
    documentId: uuid('document_id')
      .notNull()
      .references(() => knowledgeDocuments.id, { onDelete: 'cascade' }),
    ordinal: integer('ordinal').notNull(),
    content: text('content').notNull(),
    embedding: real('embedding').array().notNull(),
    embeddingModel: text('embedding_model').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('knowledge_chunks_document_ordinal_key').on(table.documentId, table.ordinal),
    index('knowledge_chunks_business_id_idx').on(table.businessId),
  ],
);

/** Thumbs up or down on an AI reply or draft, one per user and subject. */
export const aiFeedback = pgTable(
  'ai_feedback',
  {
    id: id(),
    businessId: businessId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** chat_message | content */
    subjectKind: text('subject_kind').notNull(),
    subjectId: uuid('subject_id').notNull(),
    /** 1 up, -1 down */
    rating: smallint('rating').notNull(),
    task: text('task').notNull(),
    provider: text('provider'),
    model: text('model'),
    promptVersion: text('prompt_version'),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('ai_feedback_subject_user_key').on(
      table.subjectKind,
      table.subjectId,
      table.userId,
    ),
    index('ai_feedback_business_id_created_at_idx').on(table.businessId, table.createdAt),
    index('ai_feedback_user_id_idx').on(table.userId),
  ],
);

/** A model call's prompt and response, secrets redacted, kept AI_TRANSCRIPT_RETENTION_DAYS. */
export const aiCallTranscripts = pgTable(
  'ai_call_transcripts',
  {
    callId: uuid('call_id')
      .primaryKey()
      .references(() => aiCalls.id, { onDelete: 'cascade' }),
    businessId: businessId(),
    /** The system prompt, the messages and the tools offered, as sent. */
    prompt: jsonb('prompt').$type<Record<string, unknown>>().notNull(),
    /** The text and tool calls the model answered with. */
    response: jsonb('response').$type<Record<string, unknown> | null>(),
    createdAt: createdAt(),
  },
  (table) => [
    index('ai_call_transcripts_created_at_idx').on(table.createdAt),
    index('ai_call_transcripts_business_id_idx').on(table.businessId),
  ],
);

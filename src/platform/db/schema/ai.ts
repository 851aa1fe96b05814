// The AI layer's records: one ai_calls row per model attempt (tokens, cost, latency, outcome),
// and the asynchronous jobs that every generation runs as.
import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { users } from './accounts.ts';
import { businesses } from './businesses.ts';

export const aiCalls = pgTable(
  'ai_calls',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    jobId: uuid('job_id'),
    /** The agent turn this call was part of (agent_decisions.id). */
    decisionId: uuid('decision_id'),
    task: text('task').notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    tier: text('tier').notNull(),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    costUsd: numeric('cost_usd', { precision: 14, scale: 6 }).notNull().default('0'),
    latencyMs: integer('latency_ms').notNull(),
    /** success | invalid_output | ungrounded_output | empty_output | timeout | rate_limited | upstream_error | breaker_open | budget_exceeded */
    outcome: text('outcome').notNull(),
    attempt: integer('attempt').notNull().default(0),
    repaired: boolean('repaired').notNull().default(false),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('ai_calls_business_id_created_at_idx').on(table.businessId, table.createdAt, table.id),
    index('ai_calls_user_id_idx').on(table.userId),
    index('ai_calls_job_id_idx').on(table.jobId),
    index('ai_calls_decision_id_idx').on(table.decisionId),
  ],
);

export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    kind: text('kind').notNull(),
    /** queued | running | succeeded | failed | cancelled */
    status: text('status').notNull().default('queued'),
    progress: integer('progress').notNull().default(0),
    progressMessage: text('progress_message'),
    /** Runs started: more than one when a worker was lost and the queue retried the job. */
    attempt: integer('attempt').notNull().default(0),
    input: jsonb('input').$type<Record<string, unknown>>().notNull().default({}),
    result: jsonb('result'),
    error: jsonb('error').$type<{ code: string; message: string } | null>(),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    queueJobId: text('queue_job_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [
    index('jobs_business_id_created_at_idx').on(table.businessId, table.createdAt, table.id),
    index('jobs_user_id_idx').on(table.userId),
    uniqueIndex('jobs_business_id_idempotency_key_key')
      .on(table.businessId, table.idempotencyKey)
      .where(sql`${table.idempotencyKey} IS NOT NULL`),
  ],
);

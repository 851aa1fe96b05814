// Campaigns and the content studio: campaigns with versioned AI strategies, content pieces with
// their versions, the publishing record (one row per published piece: the exactly-once guard)
// and every publish attempt, per-content metrics, and the customer messages log.
import { sql } from 'drizzle-orm';
import {
  bigint,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { users } from './accounts.ts';
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

export const campaigns = pgTable(
  'campaigns',
  {
    id: id(),
    businessId: businessId(),
    name: text('name').notNull(),
    goal: text('goal').notNull().default(''),
    /** Overrides the business's audience for this campaign; null uses the profile's. */
    audience: text('audience'),
    channels: jsonb('channels').$type<string[]>().notNull().default([]),
    budgetCents: bigint('budget_cents', { mode: 'number' }),
    startDate: date('start_date', { mode: 'string' }),
    endDate: date('end_date', { mode: 'string' }),
    status: text('status').notNull().default('draft'),
    /** The latest stored strategy version (0: none yet). */
    strategyVersion: integer('strategy_version').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('campaigns_business_id_created_at_idx').on(table.businessId, table.createdAt, table.id),
  ],
);

export const campaignStrategies = pgTable(
  'campaign_strategies',
  {
    id: id(),
    businessId: businessId(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    strategy: jsonb('strategy').$type<Record<string, unknown>>().notNull(),
    jobId: uuid('job_id'),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('campaign_strategies_campaign_id_version_key').on(table.campaignId, table.version),
    index('campaign_strategies_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
  ],
);

export const contents = pgTable(
  'contents',
  {
    id: id(),
    businessId: businessId(),
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'cascade' }),
    /** The calendar entry a placeholder came from: regenerating a strategy never repeats it. */
    calendarKey: text('calendar_key'),
    strategyVersion: integer('strategy_version'),
    platform: text('platform').notNull(),
    contentType: text('content_type').notNull().default('post'),
    topic: text('topic').notNull().default(''),
    callToAction: text('call_to_action').notNull().default(''),
    plannedDate: date('planned_date', { mode: 'string' }),
    status: text('status').notNull().default('draft'),
    /** The current text, shaped by platform (see modules/content/platforms.ts). */
    body: jsonb('body').$type<Record<string, unknown> | null>(),
    currentVersion: integer('current_version').notNull().default(0),
    channel: text('channel').notNull().default('outbox'),
    channelTarget: jsonb('channel_target').$type<Record<string, unknown> | null>(),
    publishAt: timestamp('publish_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    /** A claim by a publishing worker, or the earliest time of the next attempt. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    publishAttempts: integer('publish_attempts').notNull().default(0),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('contents_business_id_created_at_idx').on(table.businessId, table.createdAt, table.id),
    // The pieces of one campaign, newest first (the content list's campaign filter).
    index('contents_campaign_id_created_at_idx').on(table.campaignId, table.createdAt, table.id),
    uniqueIndex('contents_campaign_id_calendar_key_key').on(table.campaignId, table.calendarKey),
    index('contents_due_idx')
      .on(table.publishAt)
      .where(sql`status = 'scheduled'`),
  ],
);

export const contentVersions = pgTable(
  'content_versions',
  {
    id: id(),
    businessId: businessId(),
    contentId: uuid('content_id')
      .notNull()
      .references(() => contents.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    body: jsonb('body').$type<Record<string, unknown>>().notNull(),
    /** ai | edit | restore */
    source: text('source').notNull(),
    jobId: uuid('job_id'),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('content_versions_content_id_version_key').on(table.contentId, table.version),
    index('content_versions_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
  ],
);

/** One row per published piece; the unique content_id makes a second publish impossible. */
export const publications = pgTable(
  'publications',
  {
    id: id(),
    businessId: businessId(),
    contentId: uuid('content_id')
      .notNull()
      .references(() => contents.id, { onDelete: 'cascade' }),
    channel: text('channel').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('publications_content_id_key').on(table.contentId),
    index('publications_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
  ],
);

export const publishAttempts = pgTable(
  'publish_attempts',
  {
    id: id(),
    businessId: businessId(),
    contentId: uuid('content_id')
      .notNull()
      .references(() => contents.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    channel: text('channel').notNull(),
    /** success | failed */
    outcome: text('outcome').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    /** Email channel: how many were sent and which addresses were skipped, and why. */
    recipients: jsonb('recipients').$type<{
      sent: number;
      skipped: { address: string; reason: string }[];
    }>(),
    worker: text('worker').notNull(),
    durationMs: integer('duration_ms').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index('publish_attempts_content_id_idx').on(table.contentId),
    index('publish_attempts_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
  ],
);

export const contentMetrics = pgTable(
  'content_metrics',
  {
    id: id(),
    businessId: businessId(),
    contentId: uuid('content_id')
      .notNull()
      .references(() => contents.id, { onDelete: 'cascade' }),
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    source: text('source').notNull().default('manual'),
    impressions: bigint('impressions', { mode: 'number' }).notNull().default(0),
    clicks: bigint('clicks', { mode: 'number' }).notNull().default(0),
    reactions: bigint('reactions', { mode: 'number' }).notNull().default(0),
    shares: bigint('shares', { mode: 'number' }).notNull().default(0),
    conversions: bigint('conversions', { mode: 'number' }).notNull().default(0),
    spendCents: bigint('spend_cents', { mode: 'number' }).notNull().default(0),
    revenueCents: bigint('revenue_cents', { mode: 'number' }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('content_metrics_content_id_day_source_key').on(
      table.contentId,
      table.day,
      table.source,
    ),
    index('content_metrics_campaign_id_idx').on(table.campaignId),
    index('content_metrics_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: id(),
    businessId: businessId(),
    channel: text('channel').notNull(),
    /** inbound | outbound */
    direction: text('direction').notNull(),
    subject: text('subject'),
    body: text('body').notNull().default(''),
    status: text('status').notNull().default('sent'),
    customerRef: text('customer_ref'),
    contentId: uuid('content_id').references(() => contents.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [
    index('messages_business_id_created_at_idx').on(table.businessId, table.createdAt, table.id),
    index('messages_business_id_customer_ref_idx').on(table.businessId, table.customerRef),
  ],
);

/** Who moved a content piece from one state to another, and when: the review trail. */
export const contentTransitions = pgTable(
  'content_transitions',
  {
    id: id(),
    businessId: businessId(),
    contentId: uuid('content_id')
      .notNull()
      .references(() => contents.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status').notNull(),
    toStatus: text('to_status').notNull(),
    /** Null for the system's own moves (the publisher) and for a since-deleted user. */
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [
    index('content_transitions_content_id_created_at_idx').on(
      table.contentId,
      table.createdAt,
      table.id,
    ),
  ],
);

// Where Herald reaches out: outgoing webhooks (a business's subscriptions, each event once, one
// delivery per subscription and event with its attempt log) and the Slack app a business
// installs (its bot token stored encrypted, the channel for notifications, the messages posted
// for approvals so a decision can update them).
import { sql } from 'drizzle-orm';
import {
  boolean,
  doublePrecision,
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
import { contents } from './campaigns.ts';

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    /** The event types delivered (platform/events.ts); empty: none. */
    eventTypes: text('event_types').array().notNull(),
    /** `whsec_` + base64 of the signing key (Standard Webhooks); shown to the owner, never logged. */
    secret: text('secret').notNull(),
    active: boolean('active').notNull().default(true),
    /** Why it was disabled automatically (repeated failures); null when active or paused by hand. */
    disabledReason: text('disabled_reason'),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    /** Deliveries in a row that failed for good; reset by a success. */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('webhook_endpoints_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
  ],
);

/** Each Herald event once: its id is the `webhook-id` every delivery of it carries. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: text('id').primaryKey(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    /** What happened, stably named (HeraldEvent.key): the same happening twice is one event. */
    key: text('key').notNull(),
    /** The JSON body sent: { type, timestamp, data }. */
    payload: jsonb('payload').$type<unknown>().notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('webhook_events_business_id_key_idx').on(table.businessId, table.key),
    index('webhook_events_business_id_occurred_at_idx').on(table.businessId, table.occurredAt),
  ],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventId: text('event_id')
      .notNull()
      .references(() => webhookEvents.id, { onDelete: 'cascade' }),
    /** pending (waiting for its next attempt) | delivered | failed (gave up) */
    status: text('status').$type<'pending' | 'delivered' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set while a worker holds the delivery; a claim older than the timeout is taken over. */
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('webhook_deliveries_endpoint_id_event_id_idx').on(table.endpointId, table.eventId),
    index('webhook_deliveries_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.status} = 'pending'`),
    index('webhook_deliveries_endpoint_id_created_at_idx').on(
      table.endpointId,
      table.createdAt,
      table.id,
    ),
  ],
);

/** The delivery log: every attempt, with what the receiver answered. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attemptedAt: timestamp('attempted_at', { withTimezone: true }).notNull().defaultNow(),
    /** The HTTP status; null when no answer came (refused, timeout, network, breaker open). */
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms'),
    /** The first bytes of the answer's body. */
    responseExcerpt: text('response_excerpt'),
    error: text('error'),
    /** manual: a redelivery asked for by the owner. */
    manual: boolean('manual').notNull().default(false),
  },
  (table) => [
    index('webhook_attempts_delivery_id_attempted_at_idx').on(table.deliveryId, table.attemptedAt),
  ],
);

export interface SlackNotificationChoices {
  jobs: boolean;
  publishing: boolean;
  bounces: boolean;
  budget: boolean;
  approvals: boolean;
}

/** A business's Slack connection: the app installed (OAuth v2) or an incoming webhook only. */
export const slackConnections = pgTable('slack_connections', {
  businessId: uuid('business_id')
    .primaryKey()
    .references(() => businesses.id, { onDelete: 'cascade' }),
  /** app: installed with a bot token (notifications, approvals, /herald) | webhook: notifications only */
  kind: text('kind').$type<'app' | 'webhook'>().notNull(),
  teamId: text('team_id'),
  teamName: text('team_name'),
  /** The bot token (xoxb-…) or the incoming-webhook URL, encrypted (platform/secrets.ts). */
  credential: text('credential').notNull(),
  channelId: text('channel_id'),
  channelName: text('channel_name'),
  notifications: jsonb('notifications').$type<SlackNotificationChoices>().notNull(),
  /** A sequence step's bounce rate above which the channel is told (0..1). */
  bounceRateThreshold: doublePrecision('bounce_rate_threshold').notNull().default(0.05),
  installedBy: uuid('installed_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The approval messages posted for pieces in review, so a decision updates the message. */
export const slackApprovalMessages = pgTable(
  'slack_approval_messages',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    contentId: uuid('content_id')
      .notNull()
      .references(() => contents.id, { onDelete: 'cascade' }),
    channelId: text('channel_id').notNull(),
    /** Slack's message timestamp: its id in the channel. */
    ts: text('ts').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('slack_approval_messages_content_id_idx').on(table.contentId)],
);

/** Slack messages to send (notifications, approval requests), kept until Slack has them. */
export const slackNotifications = pgTable(
  'slack_notifications',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    /** The Herald event it tells of (HeraldEvent.key): one message per event. */
    eventKey: text('event_key').notNull(),
    eventType: text('event_type').notNull(),
    /** The message: text and Block Kit blocks, as chat.postMessage takes them. */
    message: jsonb('message').$type<Record<string, unknown>>().notNull(),
    /** For an approval request: the piece, so its message can be stored and updated. */
    contentId: uuid('content_id').references(() => contents.id, { onDelete: 'cascade' }),
    /** pending | sent | failed (gave up) */
    status: text('status').$type<'pending' | 'sent' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('slack_notifications_business_id_event_key_idx').on(
      table.businessId,
      table.eventKey,
    ),
    index('slack_notifications_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.status} = 'pending'`),
  ],
);

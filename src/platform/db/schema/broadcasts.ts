// One-off email broadcasts: reusable templates (and blocks other templates include by name), the
// broadcasts themselves with their A/B variants, and one delivery row per (broadcast, subscriber)
// — materialised once, so each subscriber gets a broadcast at most once across crashes/retries.
import { sql } from 'drizzle-orm';
import {
  boolean,
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
import { subscribers } from './sequences.ts';

export const emailTemplates = pgTable(
  'email_templates',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    /** email: a whole email; block: a piece other templates include with {% render 'name' %}. */
    kind: text('kind').notNull().default('email'),
    name: text('name').notNull(),
    subject: text('subject').notNull().default(''),
    preheader: text('preheader').notNull().default(''),
    html: text('html').notNull(),
    /** The Markdown the HTML was made from; null when written in HTML. */
    markdown: text('markdown'),
    text: text('text').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('email_templates_business_id_kind_name_key').on(
      table.businessId,
      table.kind,
      table.name,
    ),
    index('email_templates_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
  ],
);

/** One version of a broadcast's email (A/B tests have 2–4). */
export interface BroadcastVariant {
  key: string;
  subject: string;
  preheader: string;
  html: string;
  markdown: string | null;
  text: string;
}

export type BroadcastAudience = { type: 'all' } | { type: 'segment'; segmentId: string };

export interface BroadcastAbTest {
  /** What picks the winner. */
  metric: 'opens' | 'clicks';
  /** Share of the audience (percent) that receives the test variants. */
  testPercent: number;
  /** Minutes after the start before the winner is picked. */
  waitMinutes: number;
}

export interface BroadcastSender {
  name: string;
  email: string;
  replyTo?: string;
}

export const broadcasts = pgTable(
  'broadcasts',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** draft | scheduled | sending | sent | cancelled */
    status: text('status').notNull().default('draft'),
    templateId: uuid('template_id').references(() => emailTemplates.id, { onDelete: 'set null' }),
    variants: jsonb('variants').$type<BroadcastVariant[]>().notNull(),
    audience: jsonb('audience').$type<BroadcastAudience>().notNull().default({ type: 'all' }),
    sender: jsonb('sender').$type<BroadcastSender | null>(),
    abTest: jsonb('ab_test').$type<BroadcastAbTest | null>(),
    /** The variant the rest of the audience gets (A/B), or null until picked. */
    winner: text('winner'),
    /** When to send: the business's wall time for local-time sends. */
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    /** Send at the scheduled wall time in each recipient's own time zone when it is known. */
    localTime: boolean('local_time').notNull().default(false),
    /** When the A/B winner is picked automatically. */
    decideAt: timestamp('decide_at', { withTimezone: true }),
    materializedAt: timestamp('materialized_at', { withTimezone: true }),
    recipientCount: integer('recipient_count'),
    /** The latest send time of any recipient (local-time sends spread over a day). */
    lastSendAt: timestamp('last_send_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('broadcasts_business_id_created_at_idx').on(table.businessId, table.createdAt, table.id),
    index('broadcasts_due_idx')
      .on(table.scheduledAt)
      .where(sql`status in ('scheduled', 'sending')`),
  ],
);

export const broadcastDeliveries = pgTable(
  'broadcast_deliveries',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    /** The variant sent; null while held for the A/B winner. */
    variant: text('variant'),
    /** held | pending | claimed | sent | suppressed | bounced | failed | cancelled */
    status: text('status').notNull().default('pending'),
    sendAt: timestamp('send_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    claimedBy: text('claimed_by'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    openCount: integer('open_count').notNull().default(0),
    clickedAt: timestamp('clicked_at', { withTimezone: true }),
    clickCount: integer('click_count').notNull().default(0),
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
    /** When a mailbox provider's feedback loop reported it as spam (POST …/email/feedback). */
    complainedAt: timestamp('complained_at', { withTimezone: true }),
    error: text('error'),
  },
  (table) => [
    uniqueIndex('broadcast_deliveries_broadcast_id_subscriber_id_key').on(
      table.broadcastId,
      table.subscriberId,
    ),
    index('broadcast_deliveries_broadcast_id_status_idx').on(table.broadcastId, table.status),
    index('broadcast_deliveries_subscriber_id_idx').on(table.subscriberId),
    index('broadcast_deliveries_due_idx')
      .on(table.sendAt)
      .where(sql`status = 'pending'`),
    index('broadcast_deliveries_claimed_idx')
      .on(table.claimedAt)
      .where(sql`status = 'claimed'`),
  ],
);

/** Sends started per business per minute: the throttle's budget (config.email.sendPerMinute). */
export const broadcastSendMinutes = pgTable(
  'broadcast_send_minutes',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    minute: timestamp('minute', { withTimezone: true }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (table) => [uniqueIndex('broadcast_send_minutes_key').on(table.businessId, table.minute)],
);

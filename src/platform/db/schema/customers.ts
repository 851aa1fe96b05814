// Customer data: the Segment-compatible event stream (rotated-out write keys, the append-only events table
// partitioned by month of receipt, the messageId ledger that deduplicates it for ever and doubles
// as the processing inbox), the customer profiles built from it (identities, traits, orders, a
// daily activity rollup) and saved segments with their members.
//
// `events` is declared here so queries are typed, but the migration creates it as a partitioned
// table (PARTITION BY RANGE (received_at)); its partitions are made ahead by the tracking
// module's maintenance job, and a DEFAULT partition catches anything else so nothing is lost.
import { sql } from 'drizzle-orm';
import {
  bigint,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { users } from './accounts.ts';
import { businesses } from './businesses.ts';
import { subscribers } from './sequences.ts';

/** The Segment call types Herald stores. */
export type EventType = 'track' | 'identify' | 'page' | 'screen' | 'group' | 'alias';

/**
 * Write keys rotated out of use that still work until `expiresAt` (the grace period), so
 * senders can be redeployed. The current key is `businesses.write_key`. Write keys are
 * publishable (analytics.js puts them in every page), so they are stored as they are.
 */
export const previousWriteKeys = pgTable(
  'previous_write_keys',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** When it was rotated out. */
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('previous_write_keys_key_key').on(table.key),
    index('previous_write_keys_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
  ],
);

/** Every accepted event, append-only. Partitioned by `received_at` (see the file comment). */
export const events = pgTable(
  'events',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    messageId: text('message_id').notNull(),
    type: text('type').$type<EventType>().notNull(),
    /** The track event's name, or the page/screen name. */
    event: text('event'),
    userId: text('user_id'),
    anonymousId: text('anonymous_id'),
    /** Lower-cased, from traits.email or context.traits.email: links events to subscribers. */
    email: text('email'),
    groupId: text('group_id'),
    /** alias: the identity being merged into userId. */
    previousId: text('previous_id'),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull().default({}),
    traits: jsonb('traits').$type<Record<string, unknown>>(),
    context: jsonb('context').$type<Record<string, unknown>>().notNull().default({}),
    integrations: jsonb('integrations').$type<Record<string, unknown>>(),
    /** When it happened, skew-corrected: receivedAt − (sentAt − originalTimestamp). */
    timestamp: timestamp('timestamp', { withTimezone: true }).notNull(),
    originalTimestamp: timestamp('original_timestamp', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // The live debugger: a business's newest events.
    index('events_business_id_received_at_idx').on(table.businessId, table.receivedAt),
    // A customer's timeline, through each kind of identity.
    index('events_business_id_user_id_timestamp_idx')
      .on(table.businessId, table.userId, table.timestamp)
      .where(sql`user_id IS NOT NULL`),
    index('events_business_id_anonymous_id_timestamp_idx')
      .on(table.businessId, table.anonymousId, table.timestamp)
      .where(sql`anonymous_id IS NOT NULL`),
    index('events_business_id_email_timestamp_idx')
      .on(table.businessId, table.email, table.timestamp)
      .where(sql`email IS NOT NULL`),
    // The processor loads a claimed batch by its message ids.
    index('events_business_id_message_id_idx').on(table.businessId, table.messageId),
  ],
);

/**
 * One row per messageId ever accepted: the deduplication (insert … ON CONFLICT DO NOTHING
 * decides which events of a batch are new) and the processing inbox (`processedAt` is null
 * until the customer processor has resolved the event's identity and run the listeners).
 */
export const eventIds = pgTable(
  'event_ids',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    messageId: text('message_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (table) => [
    primaryKey({ columns: [table.businessId, table.messageId] }),
    index('event_ids_unprocessed_idx')
      .on(table.receivedAt)
      .where(sql`processed_at IS NULL`),
    // The Sources page's processing lag: one business's oldest unprocessed event.
    index('event_ids_business_id_unprocessed_idx')
      .on(table.businessId, table.receivedAt)
      .where(sql`processed_at IS NULL`),
  ],
);

/**
 * Identities whose events ingestion drops (a privacy deletion asked for it). Only a SHA-256 of
 * `<kind>:<value>` is kept, so the list itself holds nothing that names the person.
 */
export const trackingSuppressions = pgTable(
  'tracking_suppressions',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    identityHash: text('identity_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.businessId, table.identityHash] })],
);

/** Events accepted and rejected per business and minute, for the Sources page. */
export const trackingMinuteStats = pgTable(
  'tracking_minute_stats',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    minute: timestamp('minute', { withTimezone: true }).notNull(),
    accepted: integer('accepted').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.businessId, table.minute] })],
);

/** A person the business knows from events: one or more identities, traits, stats. */
export const customers = pgTable(
  'customers',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    /** The business's own id for the person; two different userIds are never merged. */
    userId: text('user_id'),
    /** Lower-cased, from the email trait. */
    email: text('email'),
    /** From the name trait, or first and last name. */
    name: text('name'),
    traits: jsonb('traits').$type<Record<string, unknown>>().notNull().default({}),
    /** When each trait was last set (ISO time per trait): traits merge latest-wins. */
    traitTimes: jsonb('trait_times').$type<Record<string, string>>().notNull().default({}),
    subscriberId: uuid('subscriber_id').references(() => subscribers.id, {
      onDelete: 'set null',
    }),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    eventCount: integer('event_count').notNull().default(0),
    orderCount: integer('order_count').notNull().default(0),
    /** Net of refunds, in minor units (cents). */
    revenueCents: bigint('revenue_cents', { mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('customers_business_id_user_id_key')
      .on(table.businessId, table.userId)
      .where(sql`user_id IS NOT NULL`),
    index('customers_business_id_created_at_idx').on(table.businessId, table.createdAt, table.id),
    index('customers_business_id_last_seen_at_idx').on(
      table.businessId,
      table.lastSeenAt,
      table.id,
    ),
    index('customers_business_id_email_idx').on(table.businessId, table.email),
    index('customers_subscriber_id_idx').on(table.subscriberId),
    // The list's search: the start of an email, of its domain or of a userId; part of a name.
    index('customers_business_id_email_prefix_idx').on(
      table.businessId,
      table.email.op('text_pattern_ops'),
    ),
    index('customers_business_id_email_domain_idx').on(
      table.businessId,
      sql`split_part(${table.email}, '@', 2) text_pattern_ops`,
    ),
    index('customers_business_id_user_id_prefix_idx').on(
      table.businessId,
      table.userId.op('text_pattern_ops'),
    ),
    index('customers_name_trgm_idx').using('gin', table.name.op('gin_trgm_ops')),
  ],
);

/** kind: userId | anonymousId | email. One identity belongs to one customer of a business. */
export const customerIdentities = pgTable(
  'customer_identities',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'userId' | 'anonymousId' | 'email'>().notNull(),
    value: text('value').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.businessId, table.kind, table.value] }),
    index('customer_identities_customer_id_idx').on(table.customerId),
  ],
);

/** One row per order_id (Segment e-commerce spec); a repeat updates it, refunds subtract. */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    orderId: text('order_id').notNull(),
    /** completed | partially_refunded | refunded */
    status: text('status').notNull().default('completed'),
    totalCents: bigint('total_cents', { mode: 'number' }).notNull(),
    refundedCents: bigint('refunded_cents', { mode: 'number' }).notNull().default(0),
    currency: text('currency').notNull().default('USD'),
    products: jsonb('products').$type<unknown[]>().notNull().default([]),
    placedAt: timestamp('placed_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('orders_business_id_order_id_key').on(table.businessId, table.orderId),
    index('orders_customer_id_placed_at_idx').on(table.customerId, table.placedAt),
    index('orders_business_id_placed_at_idx').on(table.businessId, table.placedAt),
  ],
);

/**
 * Events per customer, name and day, kept by the processor: segment rules over event
 * occurrences ("did X at least N times in the last D days") read this instead of the events.
 */
export const customerActivity = pgTable(
  'customer_activity',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    event: text('event').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (table) => [
    primaryKey({ columns: [table.customerId, table.event, table.day] }),
    index('customer_activity_business_id_event_day_idx').on(
      table.businessId,
      table.event,
      table.day,
    ),
  ],
);

export const segments = pgTable(
  'segments',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** The validated rule document (segments/schemas.ts), compiled to SQL by the repository. */
    rules: jsonb('rules').$type<unknown>().notNull(),
    size: integer('size').notNull().default(0),
    refreshedAt: timestamp('refreshed_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('segments_business_id_created_at_idx').on(table.businessId, table.createdAt, table.id),
  ],
);

export const segmentMembers = pgTable(
  'segment_members',
  {
    segmentId: uuid('segment_id')
      .notNull()
      .references(() => segments.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.segmentId, table.customerId] }),
    index('segment_members_customer_id_idx').on(table.customerId),
    // The member list: latest to enter first, a keyset range of this index.
    index('segment_members_segment_id_entered_at_idx').on(
      table.segmentId,
      table.enteredAt,
      table.customerId,
    ),
  ],
);

export const segmentSizes = pgTable(
  'segment_sizes',
  {
    segmentId: uuid('segment_id')
      .notNull()
      .references(() => segments.id, { onDelete: 'cascade' }),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    measuredAt: timestamp('measured_at', { withTimezone: true }).notNull(),
    size: integer('size').notNull(),
  },
  (table) => [primaryKey({ columns: [table.segmentId, table.measuredAt] })],
);

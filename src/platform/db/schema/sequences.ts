// Email sequences: subscribers and their suppression list, drip sequences with their steps,
// enrollments, and one delivery row per (enrollment, step) — the row that makes "each step is
// sent at most once" a database guarantee rather than a hope.
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { businesses } from './businesses.ts';

/** A send window in the business's timezone: ISO weekdays (1 = Monday) and HH:MM bounds. */
export interface SendWindow {
  days: number[];
  start: string;
  end: string;
}

/** A property condition on an event: equality per property, or a list of comparisons. */
export type PropertyCondition = {
  property: string;
  op: 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'exists';
  value?: string | number | boolean | null;
};
export type PropertyFilter = Record<string, string | number | boolean | null> | PropertyCondition[];

/** An event by name, optionally narrowed by its properties. */
export interface EventMatch {
  event: string;
  where?: PropertyFilter | undefined;
}

export type SequenceTrigger =
  | { type: 'manual' }
  | { type: 'event'; event: string; where?: PropertyFilter | undefined }
  | { type: 'segment'; segmentId: string };

/**
 * A "wait for event" step: waits up to `limitMinutes` for `event` (whose `sameAs` properties
 * equal the triggering event's); on it, goes to step `goToStep` (1-based) or ends (null);
 * without it, continues with the next step.
 */
export interface WaitForEvent extends EventMatch {
  sameAs: string[];
  limitMinutes: number;
  goToStep: number | null;
}

/**
 * One version of an email step in an A/B test (keys A–D in order). A null part is the step's
 * own: a variant may change the subject only, the body only, or both.
 */
export interface StepVariant {
  key: string;
  subject: string | null;
  preheader: string | null;
  html: string | null;
  markdown: string | null;
  text: string | null;
}

/** How a step's A/B test is decided (see docs/sequences.md). */
export interface StepAbTest {
  /** What picks the winner: unique opens or unique clicks per delivered email. */
  metric: 'opens' | 'clicks';
  /** Minutes after the test's first delivery before the winner is picked. */
  waitMinutes: number;
}

export const subscribers = pgTable(
  'subscribers',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    /** Normalised: trimmed and lower-cased. */
    email: text('email').notNull(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    /** subscribed | unsubscribed | pending */
    consentStatus: text('consent_status').notNull().default('subscribed'),
    source: text('source').notNull().default('api'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('subscribers_business_id_email_key').on(table.businessId, table.email),
    index('subscribers_business_id_created_at_idx').on(table.businessId, table.createdAt, table.id),
    // The list's search: part of an address or a name (ILIKE '%…%'), through pg_trgm.
    index('subscribers_search_trgm_idx').using(
      'gin',
      table.email.op('gin_trgm_ops'),
      table.firstName.op('gin_trgm_ops'),
      table.lastName.op('gin_trgm_ops'),
    ),
  ],
);

export const suppressions = pgTable(
  'suppressions',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    /** unsubscribed | bounced | complained | manual */
    reason: text('reason').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('suppressions_business_id_email_key').on(table.businessId, table.email),
    index('suppressions_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
  ],
);

/** A CSV file waiting for (or being read by) its import job. */
export const subscriberImports = pgTable(
  'subscriber_imports',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    csv: text('csv').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('subscriber_imports_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
  ],
);

export const sequences = pgTable(
  'sequences',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** draft | active | paused | archived */
    status: text('status').notNull().default('draft'),
    trigger: jsonb('trigger').$type<SequenceTrigger>().notNull().default({ type: 'manual' }),
    /** The customer event that ends an enrollment (status 'exited'). */
    exitEvent: jsonb('exit_event').$type<EventMatch | null>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('sequences_business_id_created_at_idx').on(table.businessId, table.createdAt, table.id),
  ],
);

export const sequenceSteps = pgTable(
  'sequence_steps',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    sequenceId: uuid('sequence_id')
      .notNull()
      .references(() => sequences.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    /** email | wait_for_event (subject and bodies are empty for a wait). */
    kind: text('kind').notNull().default('email'),
    waitFor: jsonb('wait_for').$type<WaitForEvent | null>(),
    /** Delay after the previous step (after enrollment for the first), in minutes. */
    delayMinutes: integer('delay_minutes').notNull().default(0),
    sendWindow: jsonb('send_window').$type<SendWindow | null>(),
    subject: text('subject').notNull(),
    preheader: text('preheader').notNull().default(''),
    html: text('html').notNull(),
    /** The Markdown the HTML was made from; null when the step was written as HTML. */
    markdown: text('markdown'),
    text: text('text').notNull().default(''),
    /** 2–4 A/B variants of an email step; null when the step is not tested. */
    variants: jsonb('variants').$type<StepVariant[] | null>(),
    abTest: jsonb('ab_test').$type<StepAbTest | null>(),
    /** When the test's first delivery was claimed; null until then (and after a new test). */
    abStartedAt: timestamp('ab_started_at', { withTimezone: true }),
    /** The variant every later delivery gets; null while the test runs. */
    winner: text('winner'),
    winnerAt: timestamp('winner_at', { withTimezone: true }),
    /** auto (the metric, when the wait ended) | hand (picked by a member) */
    winnerPickedBy: text('winner_picked_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('sequence_steps_sequence_id_position_idx').on(table.sequenceId, table.position),
    // The dispatcher's look for A/B tests due for a decision, each round.
    index('sequence_steps_ab_running_idx')
      .on(table.abStartedAt)
      .where(sql`variants is not null and winner is null`),
    index('sequence_steps_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
  ],
);

export const enrollments = pgTable(
  'enrollments',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    sequenceId: uuid('sequence_id')
      .notNull()
      .references(() => sequences.id, { onDelete: 'cascade' }),
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    /** active | completed | exited | unsubscribed | cancelled */
    status: text('status').notNull().default('active'),
    /** Position of the next step to send (0-based index into the ordered steps). */
    nextStepIndex: integer('next_step_index').notNull().default(0),
    nextSendAt: timestamp('next_send_at', { withTimezone: true }),
    /** The customer event (messageId) that enrolled the subscriber; null when enrolled by hand. */
    triggerMessageId: text('trigger_message_id'),
    /** The triggering event ({ name, properties }): `{{ event.* }}` in steps, wait matching. */
    triggerEvent: jsonb('trigger_event').$type<{
      name: string;
      properties: Record<string, unknown>;
    } | null>(),
    /** Set while the enrollment waits at a "wait for event" step: when the wait times out. */
    waitUntil: timestamp('wait_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('enrollments_sequence_id_subscriber_id_key').on(
      table.sequenceId,
      table.subscriberId,
    ),
    index('enrollments_subscriber_id_idx').on(table.subscriberId),
    index('enrollments_business_id_created_at_idx').on(table.businessId, table.createdAt, table.id),
    index('enrollments_due_idx')
      .on(table.nextSendAt)
      .where(sql`status = 'active'`),
  ],
);

export const deliveries = pgTable(
  'deliveries',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    sequenceId: uuid('sequence_id')
      .notNull()
      .references(() => sequences.id, { onDelete: 'cascade' }),
    stepId: uuid('step_id')
      .notNull()
      .references(() => sequenceSteps.id, { onDelete: 'cascade' }),
    enrollmentId: uuid('enrollment_id')
      .notNull()
      .references(() => enrollments.id, { onDelete: 'cascade' }),
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    /** Fixed when the delivery is claimed; every retry sends with the same Message-ID. */
    messageId: text('message_id').notNull(),
    /** The A/B variant sent (fixed at claim, so a retry sends the same); null without a test. */
    variant: text('variant'),
    /** The rendered subject, set when sent (for the engagement events). */
    subject: text('subject'),
    /** claimed | sent | failed | suppressed | bounced */
    status: text('status').notNull().default('claimed'),
    attempts: integer('attempts').notNull().default(0),
    claimedAt: timestamp('claimed_at', { withTimezone: true }).notNull().defaultNow(),
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
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('deliveries_enrollment_id_step_id_key').on(table.enrollmentId, table.stepId),
    uniqueIndex('deliveries_message_id_key').on(table.messageId),
    index('deliveries_step_id_idx').on(table.stepId),
    index('deliveries_subscriber_id_idx').on(table.subscriberId),
    index('deliveries_sequence_id_idx').on(table.sequenceId),
    index('deliveries_business_id_created_at_idx').on(table.businessId, table.createdAt, table.id),
    index('deliveries_claimed_idx')
      .on(table.claimedAt)
      .where(sql`status = 'claimed'`),
  ],
);

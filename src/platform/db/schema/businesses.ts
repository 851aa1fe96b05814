// A business and its brand profile: the context every AI prompt is built from.
import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { users } from './accounts.ts';

export interface BrandVoice {
  tone: string;
  wordsToUse: string[];
  wordsToAvoid: string[];
}

export interface Product {
  name: string;
  description?: string | undefined;
  priceCents?: number | undefined;
}

export interface DefaultSender {
  name: string;
  email: string;
  replyTo?: string | undefined;
}

export const businesses = pgTable(
  'businesses',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    industry: text('industry').notNull().default(''),
    audience: text('audience').notNull().default(''),
    products: jsonb('products').$type<Product[]>().notNull().default([]),
    goals: jsonb('goals').$type<string[]>().notNull().default([]),
    brandVoice: jsonb('brand_voice')
      .$type<BrandVoice>()
      .notNull()
      .default({ tone: '', wordsToUse: [], wordsToAvoid: [] }),
    channels: jsonb('channels').$type<string[]>().notNull().default([]),
    timezone: text('timezone').notNull().default('UTC'),
    defaultSender: jsonb('default_sender').$type<DefaultSender | null>(),
    /** Segment-style tracking key (sent by browsers, so not a secret); rotatable. */
    writeKey: text('write_key').notNull(),
    /** Overrides AI_DAILY_BUDGET_USD for this business; null uses the default. */
    aiDailyBudgetUsd: numeric('ai_daily_budget_usd', { precision: 10, scale: 2 }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('businesses_write_key_key').on(table.writeKey),
    index('businesses_owner_id_created_at_idx').on(table.ownerId, table.createdAt, table.id),
  ],
);

/** owner | admin | editor | viewer: what each may do is src/shared/permissions.ts. */
export const businessMembers = pgTable(
  'business_members',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    /** May approve content and activate sequences without being an admin. */
    approver: boolean('approver').notNull().default(false),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.businessId, table.userId] }),
    index('business_members_user_id_idx').on(table.userId, table.createdAt),
  ],
);

/** An invitation to join a business; the link carries a token whose hash is kept here. */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    /** Stored lower-cased and trimmed, like users.email. */
    email: text('email').notNull(),
    role: text('role').notNull(),
    approver: boolean('approver').notNull().default(false),
    tokenHash: text('token_hash').notNull(),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    acceptedBy: uuid('accepted_by').references(() => users.id, { onDelete: 'set null' }),
    declinedAt: timestamp('declined_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('invitations_token_hash_key').on(table.tokenHash),
    index('invitations_business_id_created_at_idx').on(table.businessId, table.createdAt, table.id),
    index('invitations_email_idx').on(table.email),
  ],
);

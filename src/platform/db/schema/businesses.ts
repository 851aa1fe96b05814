// A business and its brand profile: the context every AI prompt is built from.
import { sql } from 'drizzle-orm';
import {
  index,
  jsonb,
  numeric,
  pgTable,
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

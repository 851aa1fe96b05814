// Customer intelligence: each run (fit the models on the orders as of a date, score every
// ordering customer) and its per-customer scores. A business's scores are those of its latest
// succeeded run; only the latest runs keep their score rows (older runs keep the model card
// and the figures), so a run of a million customers does not pile up a million rows a night.
import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { users } from './accounts.ts';
import { jobs } from './ai.ts';
import { businesses } from './businesses.ts';

export const intelligenceRuns = pgTable(
  'intelligence_runs',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    jobId: uuid('job_id').references(() => jobs.id, { onDelete: 'set null' }),
    /** running | succeeded | failed */
    status: text('status').$type<'running' | 'succeeded' | 'failed'>().notNull(),
    /** manual (the API) | schedule (the nightly run) */
    trigger: text('trigger').$type<'manual' | 'schedule'>().notNull(),
    /** The last calendar day (business time zone) whose orders count. */
    asOf: date('as_of', { mode: 'string' }).notNull(),
    horizonDays: integer('horizon_days').notNull(),
    annualDiscountRate: doublePrecision('annual_discount_rate').notNull(),
    timeZone: text('time_zone').notNull(),
    /** The model card (intelligence/schemas.ts ModelCard); null until the run succeeds. */
    model: jsonb('model').$type<unknown>(),
    /** The run's figures (RunFigures): segment sizes, CLV distribution, revenue at risk. */
    figures: jsonb('figures').$type<unknown>(),
    error: text('error'),
    /** Whether the run's per-customer scores are still kept (only the latest runs keep them). */
    scoresKept: boolean('scores_kept').notNull().default(true),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [
    index('intelligence_runs_business_id_created_at_idx').on(
      table.businessId,
      table.createdAt,
      table.id,
    ),
    // The latest succeeded run of a business: what the customer list and segments read.
    index('intelligence_runs_business_id_finished_at_idx')
      .on(table.businessId, table.finishedAt)
      .where(sql`status = 'succeeded'`),
    // One nightly run per business and day, however many workers schedule it.
    uniqueIndex('intelligence_runs_schedule_key')
      .on(table.businessId, table.asOf)
      .where(sql`"trigger" = 'schedule'`),
  ],
);

/**
 * One customer's scores in one run. The predictive columns are null when the run had too little
 * data to fit the models (RFM still holds); amounts are in minor units, times in days.
 *
 * Partitioned by run (LIST on run_id, migration 0014, hand-written: drizzle cannot express it).
 * A run loads its scores into a table of its own and attaches it (intelligence/repository.ts
 * storeRun); a run whose scores are no longer kept has its partition dropped, not a million rows
 * deleted. No foreign key to the run: the sweep drops partitions whose run is gone.
 */
export const customerScores = pgTable(
  'customer_scores',
  {
    runId: uuid('run_id').notNull(),
    /**
     * No foreign key: checking one per row tripled the COPY of a million scores. Erasure and
     * merges delete a customer's scores themselves (customers' repositories).
     */
    customerId: uuid('customer_id').notNull(),
    /** No foreign key: the run's already removes the scores with the business (a million rows a run). */
    businessId: uuid('business_id').notNull(),
    /** Repeat purchase days (x). */
    frequency: integer('frequency').notNull(),
    /** Days from the first purchase day to the last (t_x). */
    recencyDays: integer('recency_days').notNull(),
    /** Days from the first purchase day to the as-of date (T). */
    ageDays: integer('age_days').notNull(),
    /** Mean net value of the repeat purchase days (0 without repeats). */
    monetaryCents: doublePrecision('monetary_cents').notNull(),
    rfmR: smallint('rfm_r').notNull(),
    rfmF: smallint('rfm_f').notNull(),
    rfmM: smallint('rfm_m').notNull(),
    rfmSegment: text('rfm_segment').notNull(),
    pAlive: doublePrecision('p_alive'),
    churnRisk: doublePrecision('churn_risk'),
    /** low | medium | high */
    churnTier: text('churn_tier'),
    expectedPurchases: doublePrecision('expected_purchases'),
    expectedOrderValueCents: doublePrecision('expected_order_value_cents'),
    clvCents: doublePrecision('clv_cents'),
    /** 0–100: the share of the run's customers whose CLV is at most this one's. */
    clvPercentile: smallint('clv_percentile'),
  },
  (table) => [
    primaryKey({ columns: [table.runId, table.customerId] }),
    index('customer_scores_customer_id_idx').on(table.customerId),
  ],
);

// SQL of customer intelligence. The per-customer purchase summary the models need is computed by
// the database in one grouped query over `orders`: orders collapse to one transaction per
// calendar day in the business's time zone (as the literature does), refunds are netted and
// fully refunded orders dropped, and only days on or before the as-of date count. The same
// query serves a larger or distributed PostgreSQL unchanged.
import { and, desc, eq, lt, sql } from 'drizzle-orm';

import type { DatabaseHandle, Executor } from '../../platform/db/client.ts';
import { bulkTransaction, copyText } from '../../platform/db/copy.ts';
import { keysetPage } from '../../platform/db/pagination.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import { intelligenceRuns } from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';
import type { RfmSegment } from './models/rfm.ts';
import type { ScoreRow } from './run.ts';

export type RunRow = typeof intelligenceRuns.$inferSelect;

/** A row of a run's scores.csv, as the database answers it. */
export interface ScoreCsvRow {
  customer_id: string;
  user_id: string | null;
  email: string | null;
  frequency: number;
  recency_days: number;
  age_days: number;
  monetary_cents: number | string;
  rfm_segment: string;
  p_alive: number | null;
  churn_risk: number | null;
  expected_purchases: number | null;
  expected_order_value_cents: number | string | null;
  clv_cents: number | string | null;
}
export type NewRun = typeof intelligenceRuns.$inferInsert;

/** Runs whose per-customer scores are kept: the latest and the one before (for "what changed"). */
const KEPT_RUNS = 2;

export interface SummaryOptions {
  /** The last calendar day whose orders count (YYYY-MM-DD, in `timeZone`). */
  asOf: string;
  /** IANA zone the calendar days are read in (the business's). */
  timeZone: string;
}

/** One customer's purchase history as the models read it, in days. */
export interface CustomerPurchaseSummary {
  customerId: string;
  /** Repeat purchase days: purchase days − 1. */
  x: number;
  /** Days from the first purchase day to the last. */
  txDays: number;
  /** Days from the first purchase day to the as-of date. */
  tDays: number;
  /** Mean net value of the repeat purchase days, in minor units (0 without repeats). */
  repeatMeanCents: number;
  /** Net value of every purchase day, in minor units. */
  totalCents: number;
  /** Days from the last purchase day to the as-of date (RFM recency). */
  recencyDays: number;
}

const PURCHASE_DAYS = (businessId: string, { asOf, timeZone }: SummaryOptions) => sql`
  SELECT customer_id, (placed_at AT TIME ZONE ${timeZone})::date AS day,
    sum(total_cents - refunded_cents) AS cents
  FROM orders
  WHERE business_id = ${businessId} AND status <> 'refunded'
    AND (placed_at AT TIME ZONE ${timeZone})::date <= ${asOf}::date
  GROUP BY customer_id, day`;

export function createIntelligenceRepository(db: Executor) {
  return {
    /** Every customer with a purchase day on or before `asOf`, summarised. */
    async purchaseSummaries(
      businessId: string,
      options: SummaryOptions,
    ): Promise<CustomerPurchaseSummary[]> {
      const rows = rowsOf<{
        customer_id: string;
        x: number;
        tx_days: number;
        t_days: number;
        repeat_mean_cents: number | string;
        total_cents: number | string;
        recency_days: number;
      }>(
        // Its sorts and hashes spill to disk at the default 4 MB work_mem with a million
        // customers (15.9 s against 10.5 s at 256 MB, s28 bench notes): raised for this query.
        await db.transaction(async (tx) => {
          await tx.execute(sql`SET LOCAL work_mem = '256MB'`);
          return tx.execute(sql`
          WITH days AS (${PURCHASE_DAYS(businessId, options)})
          SELECT customer_id,
            (count(*) - 1)::int AS x,
            (max(day) - min(day))::int AS tx_days,
            (${options.asOf}::date - min(day))::int AS t_days,
            CASE WHEN count(*) > 1
              THEN (sum(cents) - (array_agg(cents ORDER BY day))[1])::float8 / (count(*) - 1)
              ELSE 0 END AS repeat_mean_cents,
            sum(cents)::float8 AS total_cents,
            (${options.asOf}::date - max(day))::int AS recency_days
          FROM days GROUP BY customer_id ORDER BY customer_id`);
        }),
      );
      return rows.map((row) => ({
        customerId: row.customer_id,
        x: row.x,
        txDays: row.tx_days,
        tDays: row.t_days,
        repeatMeanCents: Number(row.repeat_mean_cents),
        totalCents: Number(row.total_cents),
        recencyDays: row.recency_days,
      }));
    },
    /** The business's time zone and the currency most of its orders are in. */
    async businessSettings(businessId: string): Promise<{ timeZone: string; currency: string }> {
      const [row] = rowsOf<{ timezone: string; currency: string | null }>(
        await db.execute(sql`
          SELECT b.timezone,
            (SELECT currency FROM orders WHERE business_id = b.id
             GROUP BY currency ORDER BY count(*) DESC LIMIT 1) AS currency
          FROM businesses b WHERE b.id = ${businessId}`),
      );
      return { timeZone: row?.timezone ?? 'UTC', currency: row?.currency ?? 'USD' };
    },

    /** A new run; a scheduled one answers undefined when that day's run already exists. */
    async insertRun(values: NewRun): Promise<RunRow | undefined> {
      const rows = await db
        .insert(intelligenceRuns)
        .values(values)
        .onConflictDoNothing({
          target: [intelligenceRuns.businessId, intelligenceRuns.asOf],
          where: sql`"trigger" = 'schedule'`,
        })
        .returning();
      return rows[0];
    },

    async findRun(businessId: string, runId: string): Promise<RunRow | undefined> {
      const [row] = await db
        .select()
        .from(intelligenceRuns)
        .where(and(eq(intelligenceRuns.id, runId), eq(intelligenceRuns.businessId, businessId)));
      return row;
    },

    async findRunOfJob(businessId: string, jobId: string): Promise<RunRow | undefined> {
      const [row] = await db
        .select()
        .from(intelligenceRuns)
        .where(and(eq(intelligenceRuns.jobId, jobId), eq(intelligenceRuns.businessId, businessId)));
      return row;
    },

    async listRuns(businessId: string, page: PageRequest): Promise<RunRow[]> {
      return keysetPage(
        db.select().from(intelligenceRuns).$dynamic(),
        intelligenceRuns,
        page,
        eq(intelligenceRuns.businessId, businessId),
      );
    },

    /** The business's latest succeeded run (optionally: finished before `before`). */
    async latestSucceeded(businessId: string, before?: Date): Promise<RunRow | undefined> {
      const [row] = await db
        .select()
        .from(intelligenceRuns)
        .where(
          and(
            eq(intelligenceRuns.businessId, businessId),
            eq(intelligenceRuns.status, 'succeeded'),
            before ? lt(intelligenceRuns.finishedAt, before) : undefined,
          ),
        )
        .orderBy(desc(intelligenceRuns.finishedAt))
        .limit(1);
      return row;
    },

    async failRun(runId: string, error: string): Promise<void> {
      await db
        .update(intelligenceRuns)
        .set({ status: 'failed', error, scoresKept: false, finishedAt: sql`now()` })
        .where(eq(intelligenceRuns.id, runId));
    },

    /**
     * Businesses with orders whose local clock has passed `hour` and whose night (as of the day
     * before, in their zone) has no scheduled run yet; a few per pass.
     */
    async dueForNightlyRun(hour: number): Promise<{ businessId: string; asOf: string }[]> {
      const rows = rowsOf<{ id: string; as_of: string }>(
        await db.execute(sql`
          SELECT b.id, ((now() AT TIME ZONE b.timezone)::date - 1)::text AS as_of
          FROM businesses b
          WHERE extract(hour FROM now() AT TIME ZONE b.timezone) >= ${hour}
            AND EXISTS (SELECT 1 FROM orders o WHERE o.business_id = b.id)
            AND NOT EXISTS (
              SELECT 1 FROM intelligence_runs r
              WHERE r.business_id = b.id AND r."trigger" = 'schedule'
                AND r.as_of = (now() AT TIME ZONE b.timezone)::date - 1)
          LIMIT 20`),
      );
      return rows.map((row) => ({ businessId: row.id, asOf: row.as_of }));
    },

    /** The run's high-churn-tier customers, most valuable (CLV) first. */
    async atRisk(runId: string, limit: number) {
      return rowsOf<{
        customer_id: string;
        user_id: string | null;
        email: string | null;
        name: string | null;
        rfm_segment: string;
        churn_risk: number;
        clv_cents: number;
        days_since: number;
        frequency: number;
      }>(
        await db.execute(sql`
          SELECT s.customer_id, c.user_id, c.email, c.name, s.rfm_segment, s.churn_risk,
            s.clv_cents, (s.age_days - s.recency_days) AS days_since, s.frequency
          FROM customer_scores s JOIN customers c ON c.id = s.customer_id
          WHERE s.run_id = ${runId} AND s.churn_tier = 'high'
          ORDER BY s.clv_cents DESC, s.customer_id LIMIT ${limit}`),
      );
    },

    /** One page of a run's scores with the customer's userId and email, in customer id order. */
    async scorePage(
      runId: string,
      afterCustomerId: string | null,
      limit: number,
    ): Promise<ScoreCsvRow[]> {
      return rowsOf(
        await db.execute(sql`
          SELECT s.customer_id, c.user_id, c.email, s.frequency, s.recency_days, s.age_days,
            s.monetary_cents, s.rfm_segment, s.p_alive, s.churn_risk, s.expected_purchases,
            s.expected_order_value_cents, s.clv_cents
          FROM customer_scores s JOIN customers c ON c.id = s.customer_id
          WHERE s.run_id = ${runId}
            ${afterCustomerId ? sql`AND s.customer_id > ${afterCustomerId}` : sql``}
          ORDER BY s.customer_id LIMIT ${limit}`),
      );
    },
  };
}

const SCORE_COLUMNS =
  'run_id, customer_id, business_id, frequency, recency_days, age_days, monetary_cents, ' +
  'rfm_r, rfm_f, rfm_m, rfm_segment, p_alive, churn_risk, churn_tier, expected_purchases, ' +
  'expected_order_value_cents, clv_cents, clv_percentile';

const nullable = (value: number | string | null) => (value === null ? '\\N' : String(value));

/**
 * Stores a run's scores (COPY) and its results in one transaction, and drops the score rows of
 * the business's runs older than the last KEPT_RUNS: the run is succeeded with all its scores
 * or not at all.
 */
export interface RunChanges {
  /** Customers who moved between RFM segments, largest moves first. */
  moves: { from: RfmSegment; to: RfmSegment; customers: number }[];
  /** Customers scored now who were not in the previous run. */
  newCustomers: number;
}

export interface StoreSession {
  /** Against `previousRunId`'s scores, with this run's scores already written. */
  changesSince(previousRunId: string): Promise<RunChanges>;
}

export async function storeRun(
  database: DatabaseHandle,
  run: { id: string; businessId: string },
  scores: readonly ScoreRow[],
  finish: (session: StoreSession) => Promise<{ model: unknown; figures: unknown }>,
): Promise<void> {
  const lines: string[] = [];
  for (const row of scores) {
    lines.push(
      [
        run.id,
        row.customerId,
        run.businessId,
        row.frequency,
        row.recencyDays,
        row.ageDays,
        row.monetaryCents,
        row.rfmR,
        row.rfmF,
        row.rfmM,
        copyText(row.rfmSegment),
        nullable(row.pAlive),
        nullable(row.churnRisk),
        nullable(row.churnTier),
        nullable(row.expectedPurchases),
        nullable(row.expectedOrderValueCents),
        nullable(row.clvCents),
        nullable(row.clvPercentile),
      ].join('\t'),
    );
  }
  await bulkTransaction(database, async (session) => {
    if (lines.length > 0) {
      await session.copy('customer_scores', SCORE_COLUMNS, lines.join('\n') + '\n');
    }
    const results = await finish({
      async changesSince(previousRunId) {
        const moves = await session.query<RunChanges['moves'][number]>(
          `SELECT before.rfm_segment AS "from", now.rfm_segment AS "to", count(*)::int AS customers
           FROM customer_scores now
           JOIN customer_scores before
             ON before.run_id = $2 AND before.customer_id = now.customer_id
           WHERE now.run_id = $1 AND before.rfm_segment <> now.rfm_segment
           GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 20`,
          [run.id, previousRunId],
        );
        const [fresh] = await session.query<{ customers: number }>(
          `SELECT count(*)::int AS customers FROM customer_scores now
           WHERE now.run_id = $1 AND NOT EXISTS (
             SELECT 1 FROM customer_scores before
             WHERE before.run_id = $2 AND before.customer_id = now.customer_id)`,
          [run.id, previousRunId],
        );
        return { moves, newCustomers: fresh?.customers ?? 0 };
      },
    });
    await session.query(
      `UPDATE intelligence_runs SET status = 'succeeded', model = $2, figures = $3,
         finished_at = clock_timestamp() WHERE id = $1`,
      [run.id, JSON.stringify(results.model), JSON.stringify(results.figures)],
    );
    const older = await session.query<{ id: string }>(
      `UPDATE intelligence_runs SET scores_kept = false
       WHERE business_id = $1 AND scores_kept AND id IN (
         SELECT id FROM intelligence_runs WHERE business_id = $1 AND status = 'succeeded'
         ORDER BY finished_at DESC OFFSET $2)
       RETURNING id`,
      [run.businessId, KEPT_RUNS],
    );
    if (older.length > 0) {
      await session.query('DELETE FROM customer_scores WHERE run_id = ANY($1::uuid[])', [
        older.map((row) => row.id),
      ]);
    }
  });
}

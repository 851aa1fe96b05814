// SQL of customer intelligence. The per-customer purchase summary the models need is computed by
// the database in one grouped query over `orders`: orders collapse to one transaction per
// calendar day in the business's time zone (as the literature does), refunds are netted and
// fully refunded orders dropped, and only days on or before the as-of date count. The same
// query serves a larger or distributed PostgreSQL unchanged.
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { escapeLiteral } from 'pg';

import type { DatabaseHandle, Executor } from '../../platform/db/client.ts';
import { BinaryCopyReader, BinaryCopyWriter, bulkTransaction } from '../../platform/db/copy.ts';
import { keysetPage } from '../../platform/db/pagination.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import { intelligenceRuns } from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';
import type { Logger } from '../../platform/logger.ts';
import { RFM_SEGMENTS } from '../../shared/scores.ts';
import type { RfmSegment } from './models/rfm.ts';
import { churnTierOf, type RunScores } from './run.ts';

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

/**
 * Every customer's purchase history as the models read it, in days: one column per field, and
 * customer i at position i of each.
 */
export interface PurchaseSummaries {
  /** Customers in all: the length of every column. */
  customers: number;
  /** Customer i's id is bytes 16i to 16i + 16 (a million uuids as text cost more than the rest). */
  customerIds: Buffer;
  /** Repeat purchase days: purchase days − 1. */
  x: Int32Array;
  /** Days from the first purchase day to the last. */
  txDays: Int32Array;
  /** Days from the first purchase day to the as-of date. */
  tDays: Int32Array;
  /** Days from the last purchase day to the as-of date (RFM recency). */
  recencyDays: Int32Array;
  /** Mean net value of the repeat purchase days, in minor units (0 without repeats). */
  repeatMeanCents: Float64Array;
  /** Net value of every purchase day, in minor units. */
  totalCents: Float64Array;
}

/** Customer i's id in its usual text form. */
export function customerIdAt(summaries: PurchaseSummaries, i: number): string {
  const hex = summaries.customerIds.toString('hex', i * 16, i * 16 + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Bytes of one summary row in COPY's binary format: a field count, 7 lengths, the values. */
const SUMMARY_ROW_BYTES = 2 + 7 * 4 + 16 + 4 + 4 + 4 + 8 + 8 + 4;

/**
 * Every customer with a purchase day on or before `asOf`, summarised, in customer id order. The
 * rows come back in COPY's binary format: for a million customers, turning numbers into text
 * and parsing them back into row objects cost more than the query.
 */
export async function purchaseSummaries(
  database: DatabaseHandle,
  businessId: string,
  { asOf, timeZone }: SummaryOptions,
): Promise<PurchaseSummaries> {
  // COPY takes no parameters: the values are checked, then quoted as literals.
  if (!/^[0-9a-f-]{36}$/.test(businessId) || !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
    throw new Error(`Bad purchase summary request: ${businessId} as of ${asOf}`);
  }
  const day = `${escapeLiteral(asOf)}::date`;
  const zone = escapeLiteral(timeZone);
  const bytes = await bulkTransaction(database, async (session) => {
    // Measured on a million customers (bench/intelligence.ts): sorting by (customer, day) and
    // grouping the sorted days is the fastest plan (hash tables of two million groups are
    // slower); at the default 4 MB work_mem the sort spills to disk, and the planner does not
    // split the scan and sort between two workers unless told that is cheap.
    await session.query(
      `SELECT set_config('work_mem', '256MB', true), set_config('enable_hashagg', 'off', true),
         set_config('parallel_setup_cost', '0', true), set_config('parallel_tuple_cost', '0', true)`,
      [],
    );
    // Days on or before `asOf` in the zone: orders placed before the zone's next midnight, a
    // bound the planner can estimate. The first day's value is the second element of the
    // lexicographically least [day, cents]: an ordinary aggregate, where array_agg(… ORDER BY
    // day) sorted each customer's days again. ORDER BY is free after the sort and keeps the
    // order (and the sums) the same on every run.
    return session.copyOut(`
      WITH days AS (
        SELECT customer_id, (placed_at AT TIME ZONE ${zone})::date AS day,
          sum(total_cents - refunded_cents)::int8 AS cents
        FROM orders
        WHERE business_id = ${escapeLiteral(businessId)} AND status <> 'refunded'
          AND placed_at < ((${day} + 1)::timestamp AT TIME ZONE ${zone})
        GROUP BY customer_id, day)
      SELECT customer_id,
        (count(*) - 1)::int AS x,
        (max(day) - min(day))::int AS tx_days,
        (${day} - min(day))::int AS t_days,
        CASE WHEN count(*) > 1
          THEN (sum(cents) - (min(ARRAY[day - DATE '2000-01-01', cents]))[2])::float8
            / (count(*) - 1)
          ELSE 0 END AS repeat_mean_cents,
        sum(cents)::float8 AS total_cents,
        (${day} - max(day))::int AS recency_days
      FROM days GROUP BY customer_id
      ORDER BY customer_id`);
  });
  // Every row has the same size (no field is null): the columns are allocated once.
  const capacity = Math.floor(bytes.length / SUMMARY_ROW_BYTES);
  const columns = {
    customerIds: Buffer.alloc(capacity * 16),
    x: new Int32Array(capacity),
    txDays: new Int32Array(capacity),
    tDays: new Int32Array(capacity),
    repeatMeanCents: new Float64Array(capacity),
    totalCents: new Float64Array(capacity),
    recencyDays: new Int32Array(capacity),
  };
  const reader = new BinaryCopyReader(bytes);
  let n = 0;
  for (; reader.nextRow(); n++) {
    reader.uuidBytes(columns.customerIds, n * 16);
    columns.x[n] = reader.int4();
    columns.txDays[n] = reader.int4();
    columns.tDays[n] = reader.int4();
    columns.repeatMeanCents[n] = reader.float8();
    columns.totalCents[n] = reader.float8();
    columns.recencyDays[n] = reader.int4();
  }
  return {
    customers: n,
    customerIds: columns.customerIds.subarray(0, n * 16),
    x: columns.x.subarray(0, n),
    txDays: columns.txDays.subarray(0, n),
    tDays: columns.tDays.subarray(0, n),
    repeatMeanCents: columns.repeatMeanCents.subarray(0, n),
    totalCents: columns.totalCents.subarray(0, n),
    recencyDays: columns.recencyDays.subarray(0, n),
  };
}

export function createIntelligenceRepository(db: Executor) {
  return {
    /** The business's time zone and the currency most of its latest 1,000 orders are in. */
    async businessSettings(businessId: string): Promise<{ timeZone: string; currency: string }> {
      const [row] = rowsOf<{ timezone: string; currency: string | null }>(
        await db.execute(sql`
          SELECT b.timezone,
            (SELECT currency FROM (
               SELECT currency FROM orders WHERE business_id = b.id
               ORDER BY placed_at DESC LIMIT 1000) latest
             GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1) AS currency
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

/** Rows per chunk: the database parses one chunk while the next is written. */
const ROWS_PER_CHUNK = 8192;

/** The run's score rows in COPY's binary format (SCORE_COLUMNS' order and types), in chunks. */
function* scoreChunks(
  run: { id: string; businessId: string },
  scores: RunScores,
): Generator<Buffer> {
  const { summaries, predictive } = scores;
  const writer = new BinaryCopyWriter();
  for (let i = 0; i < summaries.customers; i++) {
    writer
      .row(18)
      .uuid(run.id)
      .uuidBytes(summaries.customerIds, i * 16)
      .uuid(run.businessId)
      .int4(summaries.x[i] as number)
      .int4(summaries.txDays[i] as number)
      .int4(summaries.tDays[i] as number)
      .float8(summaries.repeatMeanCents[i] as number)
      .int2(scores.rfmR[i] as number)
      .int2(scores.rfmF[i] as number)
      .int2(scores.rfmM[i] as number)
      .text(RFM_SEGMENTS[scores.rfmSegment[i] as number] as string);
    if (predictive) {
      const pAlive = predictive.pAlive[i] as number;
      writer
        .float8(pAlive)
        .float8(1 - pAlive)
        .text(churnTierOf(1 - pAlive))
        .float8(predictive.expectedPurchases[i] as number)
        .float8(predictive.expectedOrderValueCents[i] as number)
        .float8(predictive.clvCents[i] as number)
        .int2(predictive.clvPercentile[i] as number);
    } else {
      writer.null().null().null().null().null().null().null();
    }
    if ((i + 1) % ROWS_PER_CHUNK === 0) yield writer.take();
  }
  yield writer.take(true);
}

/** The table holding a run's scores: customer_scores' partition for the run. */
export function scorePartition(runId: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(runId)) {
    throw new Error(`Not a run id: ${runId}`);
  }
  return `customer_scores_${runId.replaceAll('-', '')}`;
}

/** An empty partition for a run's scores, for rows inserted one by one (test fixtures). */
export async function addScorePartition(db: Executor, runId: string): Promise<void> {
  await db.execute(
    sql.raw(
      `CREATE TABLE ${scorePartition(runId)} PARTITION OF customer_scores FOR VALUES IN ('${runId}')`,
    ),
  );
}

export interface RunChanges {
  /** Customers who moved between RFM segments, largest moves first. */
  moves: { from: RfmSegment; to: RfmSegment; customers: number }[];
  /** Customers scored now who were not in the previous run. */
  newCustomers: number;
}

/** A run's customers, in id order, and each one's RFM segment: what "what changed" compares. */
export interface RunSegments {
  customers: number;
  /** Customer i's id is bytes 16i to 16i + 16. */
  customerIds: Buffer;
  /** Each customer's segment as its position in RFM_SEGMENTS. */
  segments: Uint8Array;
}

/** Bytes of one segment row in COPY's binary format: a field count, 2 lengths, the values. */
const SEGMENT_ROW_BYTES = 2 + 2 * 4 + 16 + 4;

/** A run's customers and their segments, read in COPY's binary format. */
export async function readRunSegments(
  database: DatabaseHandle,
  runId: string,
): Promise<RunSegments> {
  scorePartition(runId); // checks that it is a run id: COPY takes no parameters
  const names = RFM_SEGMENTS.map((name) => escapeLiteral(name)).join(', ');
  const bytes = await bulkTransaction(database, (session) =>
    session.copyOut(
      `SELECT customer_id, array_position(ARRAY[${names}], rfm_segment)::int4 - 1
       FROM customer_scores WHERE run_id = ${escapeLiteral(runId)} ORDER BY customer_id`,
    ),
  );
  const capacity = Math.floor(bytes.length / SEGMENT_ROW_BYTES);
  const customerIds = Buffer.alloc(capacity * 16);
  const segments = new Uint8Array(capacity);
  const reader = new BinaryCopyReader(bytes);
  let n = 0;
  for (; reader.nextRow(); n++) {
    reader.uuidBytes(customerIds, n * 16);
    segments[n] = reader.int4();
  }
  return {
    customers: n,
    customerIds: customerIds.subarray(0, n * 16),
    segments: segments.subarray(0, n),
  };
}

/**
 * What changed since the previous run: customers who moved between RFM segments (the largest
 * moves first) and customers new to this run. Both runs list their customers in id order (uuid
 * order is byte order), so one pass over the two lists pairs them.
 */
export function changesSince(scores: RunScores, previous: RunSegments): RunChanges {
  const segmentCount = RFM_SEGMENTS.length;
  const moved = new Int32Array(segmentCount * segmentCount);
  const { customerIds } = scores.summaries;
  let newCustomers = 0;
  let j = 0;
  for (let i = 0; i < scores.summaries.customers; i++) {
    let order = 1;
    while (j < previous.customers) {
      // > 0: this run's customer comes after the previous run's j-th.
      order = customerIds.compare(previous.customerIds, j * 16, j * 16 + 16, i * 16, i * 16 + 16);
      if (order <= 0) break;
      j += 1;
    }
    if (order === 0 && j < previous.customers) {
      const from = previous.segments[j] as number;
      const to = scores.rfmSegment[i] as number;
      if (from !== to) moved[from * segmentCount + to] = (moved[from * segmentCount + to] ?? 0) + 1;
      j += 1;
    } else {
      newCustomers += 1;
    }
  }
  const moves: RunChanges['moves'] = [];
  for (let cell = 0; cell < moved.length; cell++) {
    const customers = moved[cell] as number;
    if (customers === 0) continue;
    moves.push({
      from: RFM_SEGMENTS[Math.floor(cell / segmentCount)] as RfmSegment,
      to: RFM_SEGMENTS[cell % segmentCount] as RfmSegment,
      customers,
    });
  }
  moves.sort(
    (one, other) =>
      other.customers - one.customers ||
      one.from.localeCompare(other.from) ||
      one.to.localeCompare(other.to),
  );
  return { moves: moves.slice(0, 20), newCustomers };
}

/**
 * Stores a run's scores and its results in one transaction: the run is succeeded with all its
 * scores or not at all. The scores are COPYed into a new table of their own, with no index to
 * maintain row by row and frozen as they are written, which is then attached as the run's
 * partition (its indexes built once; a CHECK on run_id spares the attach a scan). The runs
 * older than the last KEPT_RUNS lose their scores: their partitions are dropped after the commit.
 */
export async function storeRun(
  database: DatabaseHandle,
  run: { id: string; businessId: string },
  scores: RunScores,
  finish: () => Promise<{ model: unknown; figures: unknown }>,
): Promise<void> {
  const table = scorePartition(run.id);
  await bulkTransaction(database, async (session) => {
    await session.query(
      `CREATE TABLE ${table} (LIKE customer_scores INCLUDING DEFAULTS,
         CONSTRAINT ${table}_run CHECK (run_id = '${run.id}'))`,
      [],
    );
    await session.copy(table, SCORE_COLUMNS, scoreChunks(run, scores), {
      binary: true,
      freeze: true,
    });
    await session.query(
      `ALTER TABLE customer_scores ATTACH PARTITION ${table} FOR VALUES IN ('${run.id}')`,
      [],
    );
    const results = await finish();
    await session.query(
      `UPDATE intelligence_runs SET status = 'succeeded', model = $2, figures = $3,
         finished_at = clock_timestamp() WHERE id = $1`,
      [run.id, JSON.stringify(results.model), JSON.stringify(results.figures)],
    );
    await session.query(
      `UPDATE intelligence_runs SET scores_kept = false
       WHERE business_id = $1 AND scores_kept AND id IN (
         SELECT id FROM intelligence_runs WHERE business_id = $1 AND status = 'succeeded'
         ORDER BY finished_at DESC OFFSET $2)`,
      [run.businessId, KEPT_RUNS],
    );
  });
}

/**
 * Drops the score partitions of runs whose scores are no longer kept, or that are gone (a deleted
 * business takes its runs with it). Dropping a partition briefly locks customer_scores as a whole:
 * a drop that waits longer than a moment gives way, and the next sweep drops it.
 */
export async function dropStaleScorePartitions(
  database: DatabaseHandle,
  logger?: Logger,
): Promise<number> {
  const stale = await database.query<{ name: string }>(
    `SELECT c.relname AS name
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'customer_scores'::regclass
       AND NOT EXISTS (
         SELECT 1 FROM intelligence_runs r
         WHERE r.status = 'succeeded' AND r.scores_kept
           AND c.relname = 'customer_scores_' || replace(r.id::text, '-', ''))`,
  );
  let dropped = 0;
  for (const { name } of stale) {
    try {
      await bulkTransaction(database, async (session) => {
        await session.query(`SET LOCAL lock_timeout = '2s'`, []);
        await session.query(`DROP TABLE IF EXISTS "${name}"`, []);
      });
      dropped += 1;
    } catch (error) {
      logger?.warn({ err: error, partition: name }, 'score partition not dropped; next sweep');
    }
  }
  return dropped;
}

// The publisher's SQL. It reads across businesses: a worker claims whatever is due (FOR UPDATE
// SKIP LOCKED, with a lease) and records each attempt by the content id it claimed. A write
// counts only while the claim is still the one that attempt made (`publish_attempts`).
// The claim passes Postgres arrays as parameters, so it runs with positional parameters
// (`DatabaseHandle.query`); the outcomes run in the caller's transaction (the piece's event is
// published in it), with arrays handed over as array literals.
import { sql } from 'drizzle-orm';

import type { DatabaseHandle, Executor } from '../../platform/db/client.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import type { RecipientReport } from './adapters.ts';
import type { ChannelTarget } from './schemas.ts';

export interface ClaimedRow {
  id: string;
  business_id: string;
  platform: string;
  body: Record<string, unknown> | null;
  channel: string;
  channel_target: ChannelTarget | null;
  publish_attempts: number;
  topic: string;
  campaign_id: string | null;
}

/** What one attempt to publish through an external channel came to. */
export interface AttemptRecord {
  worker: string;
  durationMs: number;
  statusCode: number | null;
  recipients: RecipientReport | undefined;
}

/** What became of a piece whose outcome was recorded: what its event tells. */
export interface RecordedOutcome {
  contentId: string;
  businessId: string;
  campaignId: string | null;
  platform: string;
  /** The publication written (success), or the final failed attempt (failure). */
  recordId: string;
}

interface OutcomeRow {
  id: string;
  business_id: string;
  campaign_id: string | null;
  platform: string;
  record_id: string;
}

const toOutcome = (row: OutcomeRow): RecordedOutcome => ({
  contentId: row.id,
  businessId: row.business_id,
  campaignId: row.campaign_id,
  platform: row.platform,
  recordId: row.record_id,
});

/** A Postgres array literal of uuids or integers (never text from users). */
const arrayLiteral = (values: (string | number)[]) => `{${values.join(',')}}`;

const CLAIM_SQL = `
UPDATE contents c
   SET lease_until = now() + make_interval(secs => $2::int),
       publish_attempts = c.publish_attempts + 1,
       updated_at = now()
  FROM (SELECT id FROM contents
         WHERE status = 'scheduled' AND publish_at <= now()
           AND (lease_until IS NULL OR lease_until <= now())
         ORDER BY publish_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED) due
 WHERE c.id = due.id
RETURNING c.id, c.business_id, c.platform, c.body, c.channel, c.channel_target,
          c.publish_attempts, c.topic, c.campaign_id`;

export function createPublishRepository(database: DatabaseHandle) {
  return {
    /** Claims up to `limit` due pieces for `leaseSeconds`, counting the attempt. */
    async claimDue(limit: number, leaseSeconds: number): Promise<ClaimedRow[]> {
      return database.query<ClaimedRow>(CLAIM_SQL, [limit, leaseSeconds]);
    },

    /** Publishes a batch of outbox pieces in one statement; answers the pieces published. */
    async publishToOutbox(
      tx: Executor,
      rows: ClaimedRow[],
      worker: string,
      durationMs: number,
    ): Promise<RecordedOutcome[]> {
      const ids = arrayLiteral(rows.map((row) => row.id));
      const attempts = arrayLiteral(rows.map((row) => row.publish_attempts));
      const published = await tx.execute(sql`
        WITH claimed AS (
           SELECT * FROM unnest(${ids}::uuid[], ${attempts}::int[]) AS t(id, attempt)
         ), done AS (
           UPDATE contents c
              SET status = 'published', published_at = now(), lease_until = NULL, updated_at = now()
             FROM claimed
            WHERE c.id = claimed.id AND c.status = 'scheduled' AND c.publish_attempts = claimed.attempt
           RETURNING c.id, c.business_id, c.platform, c.topic, c.campaign_id, c.body, claimed.attempt
         ), outbox AS (
           INSERT INTO publications (business_id, content_id, channel, payload)
           SELECT business_id, id, 'outbox',
                  jsonb_build_object('platform', platform, 'topic', topic, 'campaignId', campaign_id)
                    || coalesce(body, '{}'::jsonb)
             FROM done
           ON CONFLICT (content_id) DO NOTHING
           RETURNING id, content_id
         ), trail AS (
           INSERT INTO content_transitions (business_id, content_id, from_status, to_status)
           SELECT business_id, id, 'scheduled', 'published' FROM done
         ), attempt AS (
           INSERT INTO publish_attempts
             (business_id, content_id, attempt, channel, outcome, worker, duration_ms)
           SELECT business_id, id, attempt, 'outbox', 'success', ${worker}::text, ${durationMs}::int
             FROM done
         )
         SELECT done.id, done.business_id, done.campaign_id, done.platform, outbox.id AS record_id
           FROM done JOIN outbox ON outbox.content_id = done.id`);
      return rowsOf<OutcomeRow>(published).map(toOutcome);
    },

    /** Marks the piece published with its publication; undefined when the claim no longer holds. */
    async recordSuccess(
      tx: Executor,
      row: ClaimedRow,
      payload: Record<string, unknown>,
      attempt: AttemptRecord,
    ): Promise<RecordedOutcome | undefined> {
      const recipients = attempt.recipients ? JSON.stringify(attempt.recipients) : null;
      const result = await tx.execute(sql`
        WITH done AS (
           UPDATE contents
              SET status = 'published', published_at = now(), lease_until = NULL, updated_at = now()
            WHERE id = ${row.id}::uuid AND status = 'scheduled'
              AND publish_attempts = ${row.publish_attempts}::int
           RETURNING id, business_id, campaign_id, platform
         ), outbox AS (
           INSERT INTO publications (business_id, content_id, channel, payload)
           SELECT business_id, id, ${row.channel}::text, ${JSON.stringify(payload)}::jsonb FROM done
           ON CONFLICT (content_id) DO NOTHING
           RETURNING id, content_id
         ), trail AS (
           INSERT INTO content_transitions (business_id, content_id, from_status, to_status)
           SELECT business_id, id, 'scheduled', 'published' FROM done
         ), attempt AS (
           INSERT INTO publish_attempts
             (business_id, content_id, attempt, channel, outcome, status_code, worker, duration_ms,
              recipients)
           SELECT business_id, id, ${row.publish_attempts}::int, ${row.channel}::text, 'success',
                  ${attempt.statusCode}::int, ${attempt.worker}::text, ${attempt.durationMs}::int,
                  ${recipients}::jsonb
             FROM done
         )
         SELECT done.id, done.business_id, done.campaign_id, done.platform, outbox.id AS record_id
           FROM done JOIN outbox ON outbox.content_id = done.id`);
      const [published] = rowsOf<OutcomeRow>(result);
      return published && toOutcome(published);
    },

    /**
     * Records a failed attempt: the piece fails for good when `final`, else its lease runs to
     * `retryAt` so it is claimed again then. Answers the piece when it failed for good.
     */
    async recordFailure(
      tx: Executor,
      row: ClaimedRow,
      outcome: { final: boolean; retryAt: Date; error: string },
      attempt: AttemptRecord,
    ): Promise<RecordedOutcome | undefined> {
      const recipients = attempt.recipients ? JSON.stringify(attempt.recipients) : null;
      const result = await tx.execute(sql`
        WITH updated AS (
           UPDATE contents
              SET status = CASE WHEN ${outcome.final}::boolean THEN 'failed' ELSE status END,
                  lease_until = CASE WHEN ${outcome.final}::boolean THEN NULL
                                     ELSE ${outcome.retryAt.toISOString()}::timestamptz END,
                  updated_at = now()
            WHERE id = ${row.id}::uuid AND status = 'scheduled'
              AND publish_attempts = ${row.publish_attempts}::int
           RETURNING id, business_id, campaign_id, platform
         ), trail AS (
           INSERT INTO content_transitions (business_id, content_id, from_status, to_status)
           SELECT business_id, id, 'scheduled', 'failed' FROM updated WHERE ${outcome.final}::boolean
         ), attempt AS (
           INSERT INTO publish_attempts
             (business_id, content_id, attempt, channel, outcome, status_code, error, worker,
              duration_ms, recipients)
           SELECT business_id, id, ${row.publish_attempts}::int, ${row.channel}::text, 'failed',
                  ${attempt.statusCode}::int, ${outcome.error}::text, ${attempt.worker}::text,
                  ${attempt.durationMs}::int, ${recipients}::jsonb
             FROM updated
           RETURNING id, content_id
         )
         SELECT updated.id, updated.business_id, updated.campaign_id, updated.platform,
                attempt.id AS record_id
           FROM updated JOIN attempt ON attempt.content_id = updated.id
          WHERE ${outcome.final}::boolean`);
      const [failed] = rowsOf<OutcomeRow>(result);
      return failed && toOutcome(failed);
    },

    /** Not tried (its breaker is open): the claim's attempt is given back, due again at `retryAt`. */
    async recordDeferral(row: ClaimedRow, retryAt: Date): Promise<void> {
      await database.query(
        `UPDATE contents
            SET publish_attempts = publish_attempts - 1, lease_until = $1::timestamptz,
                updated_at = now()
          WHERE id = $2::uuid AND status = 'scheduled' AND publish_attempts = $3::int`,
        [retryAt.toISOString(), row.id, row.publish_attempts],
      );
    },

    /** When the earliest lease on a due piece runs out, if any is held. */
    async nextLeaseExpiry(): Promise<Date | undefined> {
      const [pending] = await database.query<{ next: Date | string | null }>(
        `SELECT min(lease_until) AS next FROM contents
          WHERE status = 'scheduled' AND lease_until IS NOT NULL AND publish_at <= now()`,
      );
      return pending?.next ? new Date(pending.next) : undefined;
    },
  };
}

export type PublishRepository = ReturnType<typeof createPublishRepository>;

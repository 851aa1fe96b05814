// The publisher's SQL. It reads across businesses: a worker claims whatever is due (FOR UPDATE
// SKIP LOCKED, with a lease) and records each attempt by the content id it claimed. A write
// counts only while the claim is still the one that attempt made (`publish_attempts`).
// Statements pass Postgres arrays as parameters, so they run with positional parameters
// (`DatabaseHandle.query`): drizzle's `sql` template would spread an array into a list.
import type { DatabaseHandle } from '../../platform/db/client.ts';
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

    /** Publishes a batch of outbox pieces in one statement; answers the ids published. */
    async publishToOutbox(
      rows: ClaimedRow[],
      worker: string,
      durationMs: number,
    ): Promise<string[]> {
      const ids = rows.map((row) => row.id);
      const attempts = rows.map((row) => row.publish_attempts);
      const published = await database.query<{ id: string }>(
        `WITH claimed AS (
           SELECT * FROM unnest($1::uuid[], $2::int[]) AS t(id, attempt)
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
         ), trail AS (
           INSERT INTO content_transitions (business_id, content_id, from_status, to_status)
           SELECT business_id, id, 'scheduled', 'published' FROM done
         ), attempt AS (
           INSERT INTO publish_attempts
             (business_id, content_id, attempt, channel, outcome, worker, duration_ms)
           SELECT business_id, id, attempt, 'outbox', 'success', $3, $4 FROM done
         )
         SELECT id FROM done`,
        [ids, attempts, worker, durationMs],
      );
      return published.map((row) => row.id);
    },

    /** Marks the piece published with its publication; false when the claim no longer holds. */
    async recordSuccess(
      row: ClaimedRow,
      payload: Record<string, unknown>,
      attempt: AttemptRecord,
    ): Promise<boolean> {
      const rows = await database.query<{ id: string }>(
        `WITH done AS (
           UPDATE contents
              SET status = 'published', published_at = now(), lease_until = NULL, updated_at = now()
            WHERE id = $1 AND status = 'scheduled' AND publish_attempts = $2
           RETURNING id, business_id
         ), outbox AS (
           INSERT INTO publications (business_id, content_id, channel, payload)
           SELECT business_id, id, $3, $4::jsonb FROM done
           ON CONFLICT (content_id) DO NOTHING
         ), trail AS (
           INSERT INTO content_transitions (business_id, content_id, from_status, to_status)
           SELECT business_id, id, 'scheduled', 'published' FROM done
         )
         INSERT INTO publish_attempts
           (business_id, content_id, attempt, channel, outcome, status_code, worker, duration_ms,
            recipients)
         SELECT business_id, id, $2, $3, 'success', $5, $6, $7, $8::jsonb FROM done
         RETURNING id`,
        [
          row.id,
          row.publish_attempts,
          row.channel,
          JSON.stringify(payload),
          attempt.statusCode,
          attempt.worker,
          attempt.durationMs,
          attempt.recipients ? JSON.stringify(attempt.recipients) : null,
        ],
      );
      return rows.length > 0;
    },

    /**
     * Records a failed attempt: the piece fails for good when `final`, else its lease runs to
     * `retryAt` so it is claimed again then.
     */
    async recordFailure(
      row: ClaimedRow,
      outcome: { final: boolean; retryAt: Date; error: string },
      attempt: AttemptRecord,
    ): Promise<void> {
      await database.query(
        `WITH updated AS (
           UPDATE contents
              SET status = CASE WHEN $3::boolean THEN 'failed' ELSE status END,
                  lease_until = CASE WHEN $3::boolean THEN NULL ELSE $4::timestamptz END,
                  updated_at = now()
            WHERE id = $1 AND status = 'scheduled' AND publish_attempts = $2
           RETURNING id, business_id
         ), trail AS (
           INSERT INTO content_transitions (business_id, content_id, from_status, to_status)
           SELECT business_id, id, 'scheduled', 'failed' FROM updated WHERE $3::boolean
         )
         INSERT INTO publish_attempts
           (business_id, content_id, attempt, channel, outcome, status_code, error, worker, duration_ms,
            recipients)
         SELECT business_id, id, $2, $5, 'failed', $6, $7, $8, $9, $10::jsonb FROM updated`,
        [
          row.id,
          row.publish_attempts,
          outcome.final,
          outcome.retryAt.toISOString(),
          row.channel,
          attempt.statusCode,
          outcome.error,
          attempt.worker,
          attempt.durationMs,
          attempt.recipients ? JSON.stringify(attempt.recipients) : null,
        ],
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

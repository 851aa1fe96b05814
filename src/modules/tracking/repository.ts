// SQL for the event stream. Every write of events (the Segment API's batches and Herald's own
// email events) goes through `insertEvents`: the messageId ledger decides which rows are new,
// and only those reach the events table, in the caller's transaction.
import { sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import type { EventType } from '../../platform/db/schema/customers.ts';

/** One event ready to store: validated, timestamps corrected, messageId assigned. */
export interface EventRow {
  businessId: string;
  messageId: string;
  type: EventType;
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  email: string | null;
  groupId: string | null;
  previousId: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown> | null;
  context: Record<string, unknown>;
  integrations: Record<string, unknown> | null;
  timestamp: Date;
  originalTimestamp: Date | null;
  sentAt: Date | null;
  receivedAt: Date;
}

/**
 * Stores the rows whose (businessId, messageId) was never seen, and returns how many that was.
 * Both statements take the whole set as JSON (one parameter each, portable between PGlite and
 * node-postgres); a retry of the same rows stores nothing twice.
 */
export async function insertEvents(executor: Executor, rows: EventRow[]): Promise<number> {
  return (await insertNewEvents(executor, rows)).length;
}

/**
 * `insertEvents`, answering which rows were stored (the others were seen before). The ledger
 * rows go in key order, so concurrent writers of overlapping batches wait on each other instead
 * of deadlocking.
 */
export async function insertNewEvents(executor: Executor, rows: EventRow[]): Promise<EventRow[]> {
  if (rows.length === 0) return [];
  const ledger = rows.map((row) => ({
    b: row.businessId,
    m: row.messageId,
    r: row.receivedAt.toISOString(),
  }));
  const fresh = rowsOf<{ business_id: string; message_id: string }>(
    await executor.execute(sql`
      INSERT INTO event_ids (business_id, message_id, received_at)
      SELECT b, m, r FROM jsonb_to_recordset(${JSON.stringify(ledger)}::jsonb)
        AS x(b uuid, m text, r timestamptz)
      ORDER BY b, m
      ON CONFLICT DO NOTHING
      RETURNING business_id, message_id`),
  );
  if (fresh.length === 0) return [];
  const isFresh = new Set(fresh.map((row) => `${row.business_id}\u0000${row.message_id}`));
  // A batch may repeat a messageId: the ledger kept the first, so only the first is stored.
  const stored = rows.filter((row) => isFresh.delete(`${row.businessId}\u0000${row.messageId}`));
  const payload = stored.map((row) => ({
    business_id: row.businessId,
    message_id: row.messageId,
    type: row.type,
    event: row.event,
    user_id: row.userId,
    anonymous_id: row.anonymousId,
    email: row.email,
    group_id: row.groupId,
    previous_id: row.previousId,
    properties: row.properties,
    traits: row.traits,
    context: row.context,
    integrations: row.integrations,
    timestamp: row.timestamp.toISOString(),
    original_timestamp: row.originalTimestamp?.toISOString() ?? null,
    sent_at: row.sentAt?.toISOString() ?? null,
    received_at: row.receivedAt.toISOString(),
  }));
  await executor.execute(sql`
    INSERT INTO events (business_id, message_id, type, event, user_id, anonymous_id, email,
      group_id, previous_id, properties, traits, context, integrations, timestamp,
      original_timestamp, sent_at, received_at)
    SELECT business_id, message_id, type, event, user_id, anonymous_id, email, group_id,
      previous_id, coalesce(properties, '{}'::jsonb), traits, coalesce(context, '{}'::jsonb),
      integrations, timestamp, original_timestamp, sent_at, received_at
    FROM jsonb_populate_recordset(NULL::events, ${JSON.stringify(payload)}::jsonb)`);
  return stored;
}

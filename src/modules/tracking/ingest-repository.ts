// SQL of the Segment API write path: which business a write key names, the flush (suppression
// check, the ledger-deduplicated COPY, the per-minute counts) and the backlog's age for /health.
import { sql } from 'drizzle-orm';

import type { Database, DatabaseHandle } from '../../platform/db/client.ts';
import {
  type BulkSession,
  bulkTransaction,
  copyJson,
  copyNullable,
  copyText,
} from '../../platform/db/copy.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import { identityHash } from './identity-hash.ts';
import type { EventRow } from './repository.ts';
import type { FlushWork, RejectedCounts } from './writer.ts';

export interface FlushOutcome {
  stored: number;
  duplicates: number;
  suppressed: number;
}

/** The business a write key names: its current key, or a rotated-out one still in its grace. */
export async function businessOfWriteKey(db: Database, key: string): Promise<string | null> {
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      SELECT id FROM businesses WHERE write_key = ${key}
      UNION ALL
      SELECT business_id FROM previous_write_keys WHERE key = ${key} AND expires_at > now()
      LIMIT 1`),
  );
  return rows[0]?.id ?? null;
}

function identityHashesOf(row: EventRow): string[] {
  const hashes: string[] = [];
  if (row.userId !== null) hashes.push(identityHash('userId', row.userId));
  if (row.anonymousId !== null) hashes.push(identityHash('anonymousId', row.anonymousId));
  if (row.email !== null) hashes.push(identityHash('email', row.email));
  return hashes;
}

/** The rows whose person asked to be forgotten (one cheap query when no business has any). */
async function suppressedRows(session: BulkSession, rows: EventRow[]): Promise<Set<EventRow>> {
  const businessIds = [...new Set(rows.map((row) => row.businessId))];
  const listed = await session.query<{ business_id: string }>(
    `SELECT DISTINCT business_id FROM tracking_suppressions WHERE business_id = ANY($1::uuid[])`,
    [businessIds],
  );
  const dropped = new Set<EventRow>();
  if (listed.length === 0) return dropped;
  const withList = new Set(listed.map((row) => row.business_id));
  const candidates = rows.filter((row) => withList.has(row.businessId));
  const pairs = candidates.flatMap((row) =>
    identityHashesOf(row).map((hash) => ({ b: row.businessId, h: hash })),
  );
  const hits = await session.query<{ business_id: string; identity_hash: string }>(
    `SELECT s.business_id, s.identity_hash FROM tracking_suppressions s
     JOIN unnest($1::uuid[], $2::text[]) AS x(b, h)
       ON s.business_id = x.b AND s.identity_hash = x.h`,
    [pairs.map((pair) => pair.b), pairs.map((pair) => pair.h)],
  );
  const hit = new Set(hits.map((row) => `${row.business_id}:${row.identity_hash}`));
  for (const row of candidates) {
    if (identityHashesOf(row).some((hash) => hit.has(`${row.businessId}:${hash}`))) {
      dropped.add(row);
    }
  }
  return dropped;
}

/**
 * The rows whose (businessId, messageId) the ledger had not seen, in batch order (a batch that
 * repeats a messageId keeps its first). Ledger rows go in key order, so concurrent writers of
 * overlapping batches wait on each other instead of deadlocking.
 */
async function claimNew(session: BulkSession, rows: EventRow[]): Promise<EventRow[]> {
  if (rows.length === 0) return [];
  const businessIds: string[] = [];
  const messageIds: string[] = [];
  const receivedAts: string[] = [];
  const times = new IsoTimes();
  for (const row of rows) {
    businessIds.push(row.businessId);
    messageIds.push(row.messageId);
    receivedAts.push(times.of(row.receivedAt));
  }
  const fresh = await session.query<{ business_id: string; message_id: string }>(
    `INSERT INTO event_ids (business_id, message_id, received_at)
     SELECT b, m, r FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS x(b, m, r)
     ORDER BY b, m
     ON CONFLICT DO NOTHING
     RETURNING business_id, message_id`,
    [businessIds, messageIds, receivedAts],
  );
  if (fresh.length === rows.length) return rows;
  const isFresh = new Set(fresh.map((row) => `${row.business_id}\u0000${row.message_id}`));
  return rows.filter((row) => isFresh.delete(`${row.businessId}\u0000${row.messageId}`));
}

/** ISO strings of dates, each worked out once (the rows of one request share theirs). */
class IsoTimes {
  private readonly seen = new Map<number, string>();
  of(date: Date): string {
    const at = date.getTime();
    let iso = this.seen.get(at);
    if (iso === undefined) {
      iso = date.toISOString();
      this.seen.set(at, iso);
    }
    return iso;
  }
  ofNullable(date: Date | null): string {
    return date === null ? '\\N' : this.of(date);
  }
}

const EVENT_COLUMNS =
  'business_id, message_id, type, event, user_id, anonymous_id, email, group_id, previous_id, ' +
  'properties, traits, context, integrations, timestamp, original_timestamp, sent_at, received_at';

/** The rows as COPY text lines for `EVENT_COLUMNS`. */
function eventCopyText(rows: EventRow[]): string {
  const times = new IsoTimes();
  let text = '';
  for (const row of rows) {
    text +=
      `${row.businessId}\t${copyText(row.messageId)}\t${row.type}\t${copyNullable(row.event)}\t` +
      `${copyNullable(row.userId)}\t${copyNullable(row.anonymousId)}\t${copyNullable(row.email)}\t` +
      `${copyNullable(row.groupId)}\t${copyNullable(row.previousId)}\t` +
      `${copyJson(row.properties)}\t${copyJson(row.traits)}\t${copyJson(row.context)}\t` +
      `${copyJson(row.integrations)}\t${times.of(row.timestamp)}\t` +
      `${times.ofNullable(row.originalTimestamp)}\t${times.ofNullable(row.sentAt)}\t` +
      `${times.of(row.receivedAt)}\n`;
  }
  return text;
}

function minuteOf(date: Date): string {
  return new Date(Math.floor(date.getTime() / 60_000) * 60_000).toISOString();
}

/** Accepted (stored) and rejected counts per business and minute of receipt. */
function minuteCounts(stored: EventRow[], rejected: RejectedCounts, now: Date) {
  const counts = new Map<string, { b: string; m: string; a: number; r: number }>();
  const count = (businessId: string, minute: string) => {
    const key = `${businessId}:${minute}`;
    let entry = counts.get(key);
    if (!entry) {
      entry = { b: businessId, m: minute, a: 0, r: 0 };
      counts.set(key, entry);
    }
    return entry;
  };
  // Rows of one request share their receivedAt: the minute is worked out once per value.
  const minutes = new Map<number, string>();
  for (const row of stored) {
    const at = row.receivedAt.getTime();
    let minute = minutes.get(at);
    if (minute === undefined) {
      minute = minuteOf(row.receivedAt);
      minutes.set(at, minute);
    }
    count(row.businessId, minute).a += 1;
  }
  for (const [businessId, n] of rejected) count(businessId, minuteOf(now)).r += n;
  // Key order, so two flushes counting the same minutes wait instead of deadlocking.
  return [...counts.values()].sort((x, y) =>
    x.b === y.b ? x.m.localeCompare(y.m) : x.b.localeCompare(y.b),
  );
}

/**
 * The Segment API's store: one flush of the group-commit writer in one transaction. It drops
 * suppressed rows, claims the messageIds in the ledger (the ones seen before are skipped),
 * COPYs the new events in and adds the accepted/rejected counts of the minute.
 */
export function createEventStore(database: DatabaseHandle) {
  return {
    /** `collect` is called once the transaction has begun and answers the rows to write. */
    writeFlush(collect: () => FlushWork, now: Date): Promise<FlushOutcome> {
      return bulkTransaction(database, async (session) => {
        const { rows, rejected } = collect();
        const dropped = rows.length > 0 ? await suppressedRows(session, rows) : new Set();
        const kept = dropped.size > 0 ? rows.filter((row) => !dropped.has(row)) : rows;
        const stored = await claimNew(session, kept);
        if (stored.length > 0) await session.copy('events', EVENT_COLUMNS, eventCopyText(stored));
        const entries = minuteCounts(stored, rejected, now);
        if (entries.length > 0) {
          await session.query(
            `INSERT INTO tracking_minute_stats (business_id, minute, accepted, rejected)
             SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::int[])
             ON CONFLICT (business_id, minute) DO UPDATE SET
               accepted = tracking_minute_stats.accepted + excluded.accepted,
               rejected = tracking_minute_stats.rejected + excluded.rejected`,
            [
              entries.map((entry) => entry.b),
              entries.map((entry) => entry.m),
              entries.map((entry) => entry.a),
              entries.map((entry) => entry.r),
            ],
          );
        }
        return {
          stored: stored.length,
          duplicates: kept.length - stored.length,
          suppressed: dropped.size,
        };
      });
    },
  };
}

export type EventStore = ReturnType<typeof createEventStore>;

/** Seconds since the oldest event not yet processed by the customer processor was received. */
export async function processingLagSeconds(db: Database): Promise<number> {
  const rows = rowsOf<{ lag: number | string | null }>(
    await db.execute(sql`
      SELECT extract(epoch FROM now() - min(received_at))::float8 AS lag
      FROM event_ids WHERE processed_at IS NULL`),
  );
  const lag = rows[0]?.lag;
  return lag === null || lag === undefined ? 0 : Math.max(0, Number(lag));
}

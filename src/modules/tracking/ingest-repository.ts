// SQL of the Segment API write path: which business a write key names, the flush (suppression
// check, the ledger-deduplicated insert, the per-minute counts) and the backlog's age for /health.
import { sql } from 'drizzle-orm';

import type { Database, Executor } from '../../platform/db/client.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import { identityHash } from './identity-hash.ts';
import { type EventRow, insertNewEvents } from './repository.ts';
import type { RejectedCounts } from './writer.ts';

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
async function suppressedRows(tx: Executor, rows: EventRow[]): Promise<Set<EventRow>> {
  const businessIds = [...new Set(rows.map((row) => row.businessId))];
  const listed = rowsOf<{ business_id: string }>(
    await tx.execute(sql`
      SELECT DISTINCT business_id FROM tracking_suppressions
      WHERE business_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(businessIds)}::jsonb)::uuid)`),
  );
  const dropped = new Set<EventRow>();
  if (listed.length === 0) return dropped;
  const withList = new Set(listed.map((row) => row.business_id));
  const candidates = rows.filter((row) => withList.has(row.businessId));
  const pairs = candidates.flatMap((row) =>
    identityHashesOf(row).map((hash) => ({ b: row.businessId, h: hash })),
  );
  const hits = rowsOf<{ business_id: string; identity_hash: string }>(
    await tx.execute(sql`
      SELECT s.business_id, s.identity_hash FROM tracking_suppressions s
      JOIN jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) AS x(b uuid, h text)
        ON s.business_id = x.b AND s.identity_hash = x.h`),
  );
  const hit = new Set(hits.map((row) => `${row.business_id}:${row.identity_hash}`));
  for (const row of candidates) {
    if (identityHashesOf(row).some((hash) => hit.has(`${row.businessId}:${hash}`))) {
      dropped.add(row);
    }
  }
  return dropped;
}

function minuteOf(date: Date): string {
  return new Date(Math.floor(date.getTime() / 60_000) * 60_000).toISOString();
}

/**
 * One flush, in one transaction: drops suppressed rows, stores the new ones (the ledger skips
 * messageIds seen before) and adds the accepted/rejected counts of the minute.
 */
export async function writeFlush(
  db: Database,
  rows: EventRow[],
  rejected: RejectedCounts,
  now: Date,
): Promise<FlushOutcome> {
  return db.transaction(async (tx) => {
    const dropped = rows.length > 0 ? await suppressedRows(tx, rows) : new Set<EventRow>();
    const kept = dropped.size > 0 ? rows.filter((row) => !dropped.has(row)) : rows;
    const stored = await insertNewEvents(tx, kept);
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
    if (counts.size > 0) {
      // Key order, so two flushes counting the same minutes wait instead of deadlocking.
      const entries = [...counts.values()].sort((x, y) =>
        x.b === y.b ? x.m.localeCompare(y.m) : x.b.localeCompare(y.b),
      );
      await tx.execute(sql`
        INSERT INTO tracking_minute_stats (business_id, minute, accepted, rejected)
        SELECT b, m, a, r FROM jsonb_to_recordset(${JSON.stringify(entries)}::jsonb)
          AS x(b uuid, m timestamptz, a int, r int)
        ON CONFLICT (business_id, minute) DO UPDATE SET
          accepted = tracking_minute_stats.accepted + excluded.accepted,
          rejected = tracking_minute_stats.rejected + excluded.rejected`);
    }
    return {
      stored: stored.length,
      duplicates: kept.length - stored.length,
      suppressed: dropped.size,
    };
  });
}

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

// Upkeep of the events table's monthly partitions: make the current month's and the next two
// ahead of time (so events never pile up in the DEFAULT partition), and, with a retention set,
// drop whole months older than it (a DROP is instant where a DELETE of millions of rows is not).
// Runs at start and hourly wherever jobs are consumed; an advisory lock lets one process at a time.

import { sql } from 'drizzle-orm';

import { pollingLoop } from '../../platform/background-loop.ts';
import type { Executor } from '../../platform/db/client.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import type { Logger } from '../../platform/logger.ts';
import type { BackgroundLoop } from '../../platform/queue.ts';

const DAY_MS = 86_400_000;
/** The current month and this many after it. */
const MONTHS_AHEAD = 2;
const DEFAULT_INTERVAL_MS = 3_600_000;

export interface PartitionMaintenanceResult {
  created: string[];
  dropped: string[];
}

/** `events_YYYYMM` and its bounds (dates, as the migration writes them), for a UTC month. */
function monthPartition(year: number, month: number) {
  const start = new Date(Date.UTC(year, month, 1));
  const end = new Date(Date.UTC(year, month + 1, 1));
  const day = (date: Date) => date.toISOString().slice(0, 10);
  const name = `events_${day(start).slice(0, 4)}${day(start).slice(5, 7)}`;
  return { name, from: day(start), to: day(end) };
}

async function createMonth(
  tx: Executor,
  partition: { name: string; from: string; to: string },
): Promise<boolean> {
  const exists = rowsOf<{ found: boolean }>(
    await tx.execute(sql`SELECT to_regclass(${partition.name}) IS NOT NULL AS found`),
  )[0]?.found;
  if (exists) return false;
  const table = sql.identifier(partition.name);
  const bounds = sql.raw(`FROM ('${partition.from}') TO ('${partition.to}')`);
  // Events of that month already in DEFAULT (maintenance did not run in time) would make a plain
  // CREATE … PARTITION OF fail: move them into the new table first, then attach it.
  const strays = rowsOf<{ n: number }>(
    await tx.execute(sql`
      SELECT count(*)::int AS n FROM events_default
      WHERE received_at >= ${partition.from}::date AND received_at < ${partition.to}::date`),
  )[0]?.n;
  if (!strays) {
    await tx.execute(sql`CREATE TABLE ${table} PARTITION OF events FOR VALUES ${bounds}`);
    return true;
  }
  await tx.execute(sql`CREATE TABLE ${table} (LIKE events INCLUDING DEFAULTS)`);
  await tx.execute(sql`
    WITH moved AS (
      DELETE FROM events_default
      WHERE received_at >= ${partition.from}::date AND received_at < ${partition.to}::date
      RETURNING *)
    INSERT INTO ${table} SELECT * FROM moved`);
  await tx.execute(sql`ALTER TABLE events ATTACH PARTITION ${table} FOR VALUES ${bounds}`);
  return true;
}

/**
 * Creates the monthly partitions from `now`'s month to MONTHS_AHEAD after it (idempotent), and
 * with `retentionDays` > 0 drops every partition whose upper bound is more than that many days
 * before `now`. The DEFAULT partition has no bound and is never dropped.
 */
export async function maintainEventPartitions(
  db: Executor,
  options: { now: Date; retentionDays: number },
): Promise<PartitionMaintenanceResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('herald.events-partitions'))`);
    const created: string[] = [];
    for (let ahead = 0; ahead <= MONTHS_AHEAD; ahead++) {
      const partition = monthPartition(
        options.now.getUTCFullYear(),
        options.now.getUTCMonth() + ahead,
      );
      if (await createMonth(tx, partition)) created.push(partition.name);
    }
    const dropped: string[] = [];
    if (options.retentionDays > 0) {
      const cutoff = new Date(options.now.getTime() - options.retentionDays * DAY_MS);
      const expired = rowsOf<{ name: string }>(
        await tx.execute(sql`
          SELECT name FROM (
            SELECT c.relname AS name,
              (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]
                ::timestamptz AS upper_bound
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'events'::regclass) AS partitions
          WHERE upper_bound IS NOT NULL AND upper_bound <= ${cutoff.toISOString()}::timestamptz
          ORDER BY upper_bound`),
      );
      for (const { name } of expired) {
        await tx.execute(sql`DROP TABLE ${sql.identifier(name)}`);
        dropped.push(name);
      }
    }
    return { created, dropped };
  });
}

/** The hourly loop (and one run at start) wherever jobs are consumed. */
export function createEventMaintenance(deps: {
  db: Executor;
  logger: Logger;
  retentionDays: number;
  intervalMs?: number;
  now?: () => Date;
}): BackgroundLoop & { runOnce(): Promise<PartitionMaintenanceResult> } {
  const now = deps.now ?? (() => new Date());

  async function runOnce(): Promise<PartitionMaintenanceResult> {
    const result = await maintainEventPartitions(deps.db, {
      now: now(),
      retentionDays: deps.retentionDays,
    });
    if (result.created.length > 0 || result.dropped.length > 0) {
      deps.logger.info(result, 'event partitions maintained');
    }
    return result;
  }

  const loop = pollingLoop({
    name: 'event-partition-maintenance',
    intervalMs: deps.intervalMs ?? DEFAULT_INTERVAL_MS,
    logger: deps.logger,
    failureMessage: 'event partition maintenance failed',
    round: async () => {
      await runOnce();
      return false;
    },
  });

  return {
    name: loop.name,
    runOnce,
    start: loop.start,
    stop: loop.stop,
  };
}

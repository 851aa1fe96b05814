// The customer event processor: a background loop that takes new events from the ledger
// (event_ids with processed_at null, oldest first), and for each business in one transaction
// resolves them to customers in event-time order (resolve.ts), runs every CustomerEventListener
// and marks them processed — all of it or nothing. Several workers share the work: each
// business batch is locked with FOR UPDATE SKIP LOCKED. A business whose batch fails is backed
// off (others go on); after `maxAttempts` failures its events run one per transaction, and an
// event that still fails `maxAttempts` times alone is marked processed, logged and counted, so
// one poison event cannot hold a business back for ever.

import { setImmediate as yieldToIo } from 'node:timers/promises';

import { sql } from 'drizzle-orm';

import { pollingLoop } from '../../platform/background-loop.ts';
import type { Database, Executor } from '../../platform/db/client.ts';
import { rowsOf } from '../../platform/db/raw-sql.ts';
import type { EventType } from '../../platform/db/schema/customers.ts';
import { type HeraldEvents, noHeraldEvents } from '../../platform/events.ts';
import type { Logger } from '../../platform/logger.ts';
import type { CustomerEventListener, ResolvedEvent } from './index.ts';
import { createProfileRepository } from './profile-repository.ts';
import { applyEvent, type StoredEvent } from './resolve.ts';

export interface ProcessorOptions {
  db: Database;
  logger: Logger;
  listeners: CustomerEventListener[];
  /** customer.created for each customer the batch made (and did not merge away). */
  events?: HeraldEvents;
  /** Ledger rows claimed per round, across businesses. */
  batchSize?: number;
  intervalMs?: number;
  /** Failures of a business batch before its events run one by one; of one event before it is skipped. */
  maxAttempts?: number;
  /** The clock backoff is measured by (tests drive it). */
  now?: () => Date;
}

export interface ProcessRound {
  claimed: number;
  processed: number;
  /** Business batches that failed this round (rolled back, backed off). */
  failed: number;
  /** Poison events given up on. */
  skipped: number;
  /** Events that named two different known userIds, kept apart. */
  conflicts: number;
}

interface LedgerRow {
  business_id: string;
  message_id: string;
  received_at: Date | string;
}

interface EventRecord {
  business_id: string;
  message_id: string;
  type: EventType;
  event: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  email: string | null;
  previous_id: string | null;
  properties: Record<string, unknown> | string | null;
  traits: Record<string, unknown> | string | null;
  context: Record<string, unknown> | string | null;
  timestamp: Date | string;
  received_at: Date | string;
}

const json = <T>(value: T | string | null): T | null =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

function toStored(row: EventRecord): StoredEvent {
  return {
    businessId: row.business_id,
    messageId: row.message_id,
    type: row.type,
    event: row.event,
    userId: row.user_id,
    anonymousId: row.anonymous_id,
    email: row.email,
    previousId: row.previous_id,
    properties: json<Record<string, unknown>>(row.properties) ?? {},
    traits: json<Record<string, unknown>>(row.traits),
    context: json<Record<string, unknown>>(row.context) ?? {},
    timestamp: new Date(row.timestamp),
    receivedAt: new Date(row.received_at),
  };
}

const idsJson = (ids: string[]) => sql`${JSON.stringify(ids)}::jsonb`;

export function createCustomerProcessor(options: ProcessorOptions) {
  const { db, listeners } = options;
  const events = options.events ?? noHeraldEvents;
  const log = options.logger.child({ component: 'customer-processor' });
  const batchSize = options.batchSize ?? 300;
  const maxAttempts = options.maxAttempts ?? 3;
  const now = options.now ?? (() => new Date());
  /** Per business: failed rounds in a row, and when to try again. */
  const backoff = new Map<string, { failures: number; until: number }>();
  /** Per event (business + messageId), failures when run alone. */
  const eventFailures = new Map<string, number>();

  /** Resolves `messageIds` of one business and runs the listeners, in the caller's transaction. */
  async function processEvents(
    tx: Executor,
    businessId: string,
    ledger: LedgerRow[],
    round: ProcessRound,
  ): Promise<number> {
    const ids = ledger.map((row) => row.message_id);
    const times = ledger.map((row) => new Date(row.received_at).getTime());
    // received_at bounds let the planner skip the partitions outside the batch.
    const records = rowsOf<EventRecord>(
      await tx.execute(sql`
        SELECT business_id, message_id, type, event, user_id, anonymous_id, email, previous_id,
          properties, traits, context, timestamp, received_at
        FROM events
        WHERE business_id = ${businessId}
          AND message_id IN (SELECT jsonb_array_elements_text(${idsJson(ids)}))
          AND received_at BETWEEN ${new Date(Math.min(...times)).toISOString()}
            AND ${new Date(Math.max(...times)).toISOString()}`),
    );
    const stored = records
      .map(toStored)
      .sort(
        (a, b) =>
          a.timestamp.getTime() - b.timestamp.getTime() ||
          a.receivedAt.getTime() - b.receivedAt.getTime() ||
          a.messageId.localeCompare(b.messageId),
      );
    const repo = createProfileRepository(tx);
    const redirect = new Map<string, string>();
    const resolved: ResolvedEvent[] = [];
    const created: string[] = [];
    for (const event of stored) {
      // On PGlite each query settles without returning to the event loop: let requests in.
      await yieldToIo();
      const outcome = await applyEvent(repo, event, (detail) => {
        log.warn(
          { businessId, messageId: event.messageId, ...detail },
          'identity conflict: two userIds kept apart',
        );
      });
      round.conflicts += outcome.conflicts;
      if (outcome.created) created.push(outcome.created);
      for (const [from, into] of outcome.merged) redirect.set(from, into);
      resolved.push({
        businessId,
        messageId: event.messageId,
        type: event.type,
        event: event.event,
        properties: event.properties,
        traits: event.traits,
        timestamp: event.timestamp,
        receivedAt: event.receivedAt,
        customerId: outcome.customerId,
        subscriberId: null,
      });
    }
    // An earlier event's customer may have been merged by a later one of the batch.
    const finalId = (id: string): string => {
      let current = id;
      for (let next = redirect.get(current); next; next = redirect.get(current)) current = next;
      return current;
    };
    for (const event of resolved) event.customerId = finalId(event.customerId);
    const customerIds = [...new Set(resolved.map((event) => event.customerId))];
    if (customerIds.length > 0) {
      const links = rowsOf<{ id: string; subscriber_id: string | null }>(
        await tx.execute(sql`
          SELECT id, subscriber_id FROM customers
          WHERE id IN (SELECT (jsonb_array_elements_text(${idsJson(customerIds)}))::uuid)`),
      );
      const subscriberOf = new Map(links.map((row) => [row.id, row.subscriber_id]));
      for (const event of resolved) event.subscriberId = subscriberOf.get(event.customerId) ?? null;
    }
    for (const listener of listeners) {
      if (resolved.length > 0) await listener.onEvents(tx, resolved);
    }
    await announceCreated(
      tx,
      businessId,
      created.filter((id) => finalId(id) === id),
    );
    await markProcessed(tx, businessId, ids);
    return ids.length;
  }

  /** customer.created for the batch's new customers, as they stand at its end. */
  async function announceCreated(tx: Executor, businessId: string, customerIds: string[]) {
    if (customerIds.length === 0) return;
    const rows = rowsOf<{ id: string; user_id: string | null; email: string | null }>(
      await tx.execute(sql`
        SELECT id, user_id, email FROM customers
        WHERE business_id = ${businessId}
          AND id IN (SELECT (jsonb_array_elements_text(${idsJson(customerIds)}))::uuid)`),
    );
    for (const row of rows) {
      await events.publish(tx, {
        businessId,
        type: 'customer.created',
        key: `customer.created:${row.id}`,
        data: { customerId: row.id, userId: row.user_id, email: row.email },
      });
    }
  }

  async function markProcessed(tx: Executor, businessId: string, ids: string[]): Promise<void> {
    await tx.execute(sql`
      UPDATE event_ids SET processed_at = now()
      WHERE business_id = ${businessId}
        AND message_id IN (SELECT jsonb_array_elements_text(${idsJson(ids)}))`);
  }

  /** Locks this worker's share of `ids` (those not processed nor locked by another worker). */
  async function lock(tx: Executor, businessId: string, ids: string[]): Promise<LedgerRow[]> {
    return rowsOf<LedgerRow>(
      await tx.execute(sql`
        SELECT business_id, message_id, received_at FROM event_ids
        WHERE business_id = ${businessId} AND processed_at IS NULL
          AND message_id IN (SELECT jsonb_array_elements_text(${idsJson(ids)}))
        FOR UPDATE SKIP LOCKED`),
    );
  }

  function failed(businessId: string, at: Date, error: unknown, round: ProcessRound): void {
    const failures = (backoff.get(businessId)?.failures ?? 0) + 1;
    const delayMs = Math.min(60_000, 1000 * 2 ** (failures - 1));
    backoff.set(businessId, { failures, until: at.getTime() + delayMs });
    round.failed += 1;
    log.error({ err: error, businessId, failures, retryInMs: delayMs }, 'customer batch failed');
  }

  /** After repeated failures: one event per transaction, in order, giving up on a poison one. */
  async function processAlone(
    businessId: string,
    ledger: LedgerRow[],
    at: Date,
    round: ProcessRound,
  ) {
    for (const row of ledger) {
      const key = `${businessId}\u0000${row.message_id}`;
      try {
        round.processed += await db.transaction(async (tx) => {
          const mine = await lock(tx, businessId, [row.message_id]);
          return mine.length === 0 ? 0 : processEvents(tx, businessId, mine, round);
        });
        eventFailures.delete(key);
      } catch (error) {
        const failures = (eventFailures.get(key) ?? 0) + 1;
        if (failures < maxAttempts) {
          eventFailures.set(key, failures);
          failed(businessId, at, error, round);
          return;
        }
        eventFailures.delete(key);
        await db.transaction((tx) => markProcessed(tx, businessId, [row.message_id]));
        round.skipped += 1;
        log.error(
          { err: error, businessId, messageId: row.message_id, attempts: failures },
          'customer event given up after repeated failures',
        );
      }
    }
    backoff.delete(businessId);
  }

  async function processOnce(at: Date = now()): Promise<ProcessRound> {
    const round: ProcessRound = { claimed: 0, processed: 0, failed: 0, skipped: 0, conflicts: 0 };
    // A look at the inbox (without the businesses backing off, so they cannot crowd the others
    // out); each business's share is locked again in its own transaction.
    const waiting = [...backoff]
      .filter(([, state]) => state.until > at.getTime())
      .map(([id]) => id);
    const candidates = rowsOf<LedgerRow>(
      await db.execute(sql`
        SELECT business_id, message_id, received_at FROM event_ids
        WHERE processed_at IS NULL
          AND business_id::text NOT IN (SELECT jsonb_array_elements_text(${idsJson(waiting)}))
        ORDER BY received_at
        LIMIT ${batchSize}
        FOR UPDATE SKIP LOCKED`),
    );
    round.claimed = candidates.length;
    const byBusiness = new Map<string, LedgerRow[]>();
    for (const row of candidates) {
      const list = byBusiness.get(row.business_id) ?? [];
      list.push(row);
      byBusiness.set(row.business_id, list);
    }
    for (const [businessId, ledger] of byBusiness) {
      const state = backoff.get(businessId);
      if (state && state.until > at.getTime()) continue;
      if (state && state.failures >= maxAttempts) {
        await processAlone(businessId, ledger, at, round);
        continue;
      }
      try {
        round.processed += await db.transaction(async (tx) => {
          const mine = await lock(
            tx,
            businessId,
            ledger.map((row) => row.message_id),
          );
          return mine.length === 0 ? 0 : processEvents(tx, businessId, mine, round);
        });
        backoff.delete(businessId);
      } catch (error) {
        failed(businessId, at, error, round);
      }
    }
    if (round.claimed > 0) log.debug({ ...round }, 'customer processing round');
    return round;
  }

  const loop = pollingLoop({
    name: 'customer-processor',
    intervalMs: options.intervalMs ?? 500,
    logger: log,
    failureMessage: 'customer processing round failed',
    round: async () => {
      const round = await processOnce();
      return round.claimed >= batchSize && round.processed > 0;
    },
  });

  return {
    processOnce,
    /** Starts the background loop (workers and `herald serve`). */
    start: loop.start,
    stop: loop.stop,
  };
}

export type CustomerProcessor = ReturnType<typeof createCustomerProcessor>;

// Test events for the customer processor: rows written with the core's insertEvents (the same
// write path as the Segment API), and a processor driven by the test's clock.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { sql } from 'drizzle-orm';

import type { CustomerEventListener } from '../../src/modules/customers/index.ts';
import { createCustomerProcessor } from '../../src/modules/customers/processor.ts';
import { type EventRow, insertEvents } from '../../src/modules/tracking/repository.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import type { TestApp } from '../helpers/app.ts';

export type TestEvent = Partial<EventRow> & Pick<EventRow, 'type'> & { at?: string };

export function eventRow(businessId: string, event: TestEvent): EventRow {
  const timestamp = new Date(event.at ?? event.timestamp ?? new Date());
  return {
    businessId,
    messageId: event.messageId ?? `test-${randomUUID()}`,
    type: event.type,
    event: event.event ?? null,
    userId: event.userId ?? null,
    anonymousId: event.anonymousId ?? null,
    email: event.email ?? null,
    groupId: null,
    previousId: event.previousId ?? null,
    properties: event.properties ?? {},
    traits: event.traits ?? null,
    context: event.context ?? {},
    integrations: null,
    timestamp,
    originalTimestamp: null,
    sentAt: null,
    receivedAt: event.receivedAt ?? new Date(),
  };
}

export async function sendEvents(
  ctx: TestApp,
  businessId: string,
  events: TestEvent[],
): Promise<EventRow[]> {
  const rows = events.map((event) => eventRow(businessId, event));
  await insertEvents(ctx.runtime.database.db, rows);
  return rows;
}

/** A processor on the app's database whose clock the test moves. */
export function testProcessor(ctx: TestApp, listeners: CustomerEventListener[] = []) {
  let clock = new Date('2026-06-01T00:00:00Z').getTime();
  const processor = createCustomerProcessor({
    db: ctx.runtime.database.db,
    logger: ctx.runtime.logger,
    listeners,
    now: () => new Date(clock),
  });
  return {
    processOnce: () => processor.processOnce(),
    advance(ms: number) {
      clock += ms;
    },
  };
}

/**
 * Processes until none of the business's events waits: where a worker's own processor loop runs
 * too (tests with a worker, the browser tests' server), it may hold some rows for a moment.
 */
export async function drainEvents(
  db: Database,
  businessId: string,
  processOnce: () => Promise<unknown>,
): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    await processOnce();
    const waiting = rowsOf<{ n: number }>(
      await db.execute(sql`
        SELECT count(*)::int AS n FROM event_ids
        WHERE business_id = ${businessId} AND processed_at IS NULL`),
    )[0]?.n;
    if (waiting === 0) return;
    await sleep(25);
  }
  throw new Error('events still unprocessed');
}

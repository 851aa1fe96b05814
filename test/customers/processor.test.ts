// The processor's contract with its listeners: each event reaches every listener once, inside
// the transaction that resolved it; a listener that throws rolls the whole business batch back
// (no customer, no processed mark) for a retry after a backoff, without holding up other
// businesses; an event that fails on its own every time is given up after a few attempts.
import { randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ResolvedEvent } from '../../src/modules/customers/index.ts';
import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser } from '../helpers/fixtures.ts';
import { sendEvents, testProcessor } from './events.ts';

describe('customer processor listeners', () => {
  let ctx: TestApp;
  let businessId: string;
  let otherBusinessId: string;

  beforeAll(async () => {
    ctx = await buildTestApp();
    const owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    otherBusinessId = (await newBusiness(ctx.app, owner)).id;
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function count(query: ReturnType<typeof sql>): Promise<number> {
    return rowsOf<{ n: number }>(await ctx.runtime.database.db.execute(query))[0]?.n ?? 0;
  }
  const customersOf = (id: string) =>
    count(sql`SELECT count(*)::int AS n FROM customers WHERE business_id = ${id}`);
  const unprocessed = (id: string) =>
    count(
      sql`SELECT count(*)::int AS n FROM event_ids WHERE business_id = ${id} AND processed_at IS NULL`,
    );

  it('calls each listener once per event in the transaction; a failure rolls back and retries', async () => {
    const seen: ResolvedEvent[] = [];
    let failNext = true;
    const processor = testProcessor(ctx, [
      {
        name: 'recorder',
        async onEvents(tx, events) {
          // The customers the batch made are visible inside its transaction.
          for (const event of events) {
            const found = rowsOf<{ id: string }>(
              await tx.execute(sql`SELECT id FROM customers WHERE id = ${event.customerId}`),
            );
            expect(found).toHaveLength(1);
          }
          seen.push(...events);
        },
      },
      {
        name: 'flaky',
        onEvents(_tx, events) {
          if (failNext && events.some((event) => event.businessId === businessId)) {
            failNext = false;
            return Promise.reject(new Error('listener down'));
          }
          return Promise.resolve();
        },
      },
    ]);
    const user = `user-${randomUUID()}`;
    const rows = await sendEvents(ctx, businessId, [
      { type: 'identify', userId: user, at: '2026-05-01T10:00:00Z' },
      { type: 'track', event: 'Viewed', userId: user, at: '2026-05-01T10:01:00Z' },
      { type: 'track', event: 'Viewed', userId: user, at: '2026-05-01T10:02:00Z' },
    ]);
    await sendEvents(ctx, otherBusinessId, [{ type: 'track', event: 'Other', userId: 'x' }]);

    const first = await processor.processOnce();
    expect(first.failed).toBe(1);
    // Rolled back: no customer, nothing processed; the other business went on.
    expect(await customersOf(businessId)).toBe(0);
    expect(await unprocessed(businessId)).toBe(3);
    expect(await unprocessed(otherBusinessId)).toBe(0);
    expect(ctx.logs.text()).toContain('customer batch failed');

    // Backed off: the next round right away leaves it alone.
    expect((await processor.processOnce()).processed).toBe(0);
    processor.advance(5_000);
    const retry = await processor.processOnce();
    expect(retry.processed).toBe(3);
    expect(await unprocessed(businessId)).toBe(0);
    expect(await customersOf(businessId)).toBe(1);
    const mine = seen.filter((event) => event.businessId === businessId);
    // The rolled-back attempt's calls happened too, but the committed run saw each event once,
    // in event-time order.
    const committed = mine.slice(-3);
    expect(committed.map((event) => event.messageId)).toEqual(rows.map((row) => row.messageId));
    expect(new Set(committed.map((event) => event.customerId)).size).toBe(1);
    expect((await processor.processOnce()).processed).toBe(0);
  });

  it('gives up on an event that fails alone every time, and processes the rest', async () => {
    const poisonId = `poison-${randomUUID()}`;
    const processor = testProcessor(ctx, [
      {
        name: 'picky',
        onEvents(_tx, events) {
          return events.some((event) => event.messageId === poisonId)
            ? Promise.reject(new Error('poison'))
            : Promise.resolve();
        },
      },
    ]);
    const user = `user-${randomUUID()}`;
    await sendEvents(ctx, businessId, [
      { type: 'track', event: 'Fine', userId: user, at: '2026-05-02T10:00:00Z' },
      {
        type: 'track',
        event: 'Bad',
        userId: user,
        messageId: poisonId,
        at: '2026-05-02T10:01:00Z',
      },
      { type: 'track', event: 'Fine', userId: user, at: '2026-05-02T10:02:00Z' },
    ]);
    let skipped = 0;
    for (let round = 0; round < 12 && (await unprocessed(businessId)) > 0; round += 1) {
      skipped += (await processor.processOnce()).skipped;
      processor.advance(120_000);
    }
    expect(skipped).toBe(1);
    expect(await unprocessed(businessId)).toBe(0);
    expect(ctx.logs.text()).toContain('customer event given up after repeated failures');
    const activity = await count(
      sql`SELECT coalesce(sum(count), 0)::int AS n FROM customer_activity
          WHERE business_id = ${businessId} AND event = 'Fine'`,
    );
    expect(activity).toBe(2);
  });
});

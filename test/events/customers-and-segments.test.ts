// Herald's events from customer data: a new customer (once, as it stands when its events are
// processed; a profile merged away in the same batch is not one), a customer entering a segment
// (once per entry, capped per refresh), an intelligence run completed.
import { randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RunOptions } from '../../src/modules/intelligence/schemas.ts';
import { SEGMENT_ENTERED_EVENTS_PER_REFRESH } from '../../src/modules/segments/service.ts';
import { drainEvents, sendEvents, type TestEvent } from '../customers/events.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newSegment, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type EventRecorder, eventRecorder } from './recorder.ts';

describe('customer, segment and intelligence events', () => {
  let ctx: TestApp;
  let recorder: EventRecorder;
  let owner: TestUser;
  let businessId: string;
  let otherBusinessId: string;

  beforeAll(async () => {
    recorder = eventRecorder();
    ctx = await buildTestApp({ eventListeners: [recorder] });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    otherBusinessId = (await newBusiness(ctx.app, owner)).id;
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function process(business: string, events: TestEvent[]): Promise<void> {
    await sendEvents(ctx, business, events);
    await drainEvents(ctx.runtime.database.db, business, () =>
      ctx.runtime.services.customerProcessor.processOnce(),
    );
  }

  async function customerIdOf(business: string, userId: string): Promise<string | undefined> {
    const [row] = await ctx.runtime.database.query<{ id: string }>(
      `SELECT id FROM customers WHERE business_id = $1 AND user_id = $2`,
      [business, userId],
    );
    return row?.id;
  }

  it('tells of a new customer once, with its userId and email', async () => {
    const userId = `ann-${randomUUID()}`;
    await process(businessId, [
      { type: 'identify', userId, traits: { email: 'Ann@Example.org', plan: 'pro' } },
    ]);
    await process(businessId, [{ type: 'track', event: 'Viewed', userId }]); // known already

    const customerId = await customerIdOf(businessId, userId);
    const heard = recorder
      .of('customer.created', businessId)
      .filter((event) => event.data.userId === userId);
    expect(heard).toEqual([
      {
        businessId,
        type: 'customer.created',
        key: `customer.created:${customerId}`,
        data: { customerId, userId, email: 'ann@example.org' },
      },
    ]);
  });

  it('does not tell of a profile merged into another in the same batch', async () => {
    const userId = `bob-${randomUUID()}`;
    const anonymousId = `anon-${randomUUID()}`;
    const email = `bob-${randomUUID()}@example.org`;
    const before = recorder.of('customer.created', businessId).length;
    await process(businessId, [
      { type: 'page', anonymousId, at: '2026-05-01T10:00:00Z' },
      { type: 'track', event: 'Signed Up', email, at: '2026-05-01T10:01:00Z' },
      { type: 'identify', userId, anonymousId, email, at: '2026-05-01T10:02:00Z' },
    ]);

    const customerId = await customerIdOf(businessId, userId);
    const heard = recorder.of('customer.created', businessId).slice(before);
    expect(heard.map((event) => event.data)).toEqual([{ customerId, userId, email }]);
  });

  it('tells of each customer entering a segment once, with the segment by name', async () => {
    const users = [`carla-${randomUUID()}`, `dan-${randomUUID()}`];
    await process(
      otherBusinessId,
      users.map((userId) => ({ type: 'identify', userId, traits: { plan: 'pro' } })),
    );
    // Saving the segment refreshes it at once; a second refresh finds no one new.
    const segment = await newSegment(ctx.app, owner, otherBusinessId);
    await ctx.runtime.services.segments.refreshSegment(segment.id);

    const customerIds = await Promise.all(
      users.map((userId) => customerIdOf(otherBusinessId, userId)),
    );
    const heard = recorder.of('segment.entered', otherBusinessId);
    expect(
      heard
        .map((event) => event.data)
        .sort((a, b) => String(a.customerId).localeCompare(String(b.customerId))),
    ).toEqual(
      customerIds.sort().map((customerId) => ({
        segmentId: segment.id,
        segmentName: 'Pro plan',
        customerId,
      })),
    );
    for (const event of heard) {
      expect(event.key).toMatch(
        new RegExp(
          `^segment\\.entered:${segment.id}:${String(event.data.customerId)}:\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`,
        ),
      );
    }
    // Only the segment's own business hears of it.
    expect(recorder.events.filter((event) => event.data.segmentId === segment.id)).toHaveLength(2);
  });

  it(`tells of at most ${SEGMENT_ENTERED_EVENTS_PER_REFRESH} entries per refresh, and logs the rest`, async () => {
    const crowd = (await newBusiness(ctx.app, owner)).id;
    const size = SEGMENT_ENTERED_EVENTS_PER_REFRESH + 5;
    await ctx.runtime.database.db.execute(sql`
      INSERT INTO customers (business_id, traits, first_seen_at, last_seen_at)
      SELECT ${crowd}::uuid, '{"plan":"pro"}'::jsonb, now(), now() FROM generate_series(1, ${size})`);
    const segment = await newSegment(ctx.app, owner, crowd);

    expect(recorder.of('segment.entered', crowd)).toHaveLength(SEGMENT_ENTERED_EVENTS_PER_REFRESH);
    const members = await ctx.runtime.database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM segment_members WHERE segment_id = $1`,
      [segment.id],
    );
    expect(members[0]?.n).toBe(size);
    const capped = ctx.logs.entries.find(
      (entry) => entry.msg === 'segment entries over the event cap not published',
    );
    expect(capped).toMatchObject({ segmentId: segment.id, entered: size, untold: 5 });
  });

  it('tells once that an intelligence run completed, with how many customers it scored', async () => {
    const orders: TestEvent[] = [1, 2, 3].flatMap((customer) =>
      Array.from({ length: customer }, (_, order) => ({
        type: 'track' as const,
        event: 'Order Completed',
        userId: `buyer-${customer}`,
        properties: { order_id: `o-${customer}-${order}`, total: 10 * customer, currency: 'USD' },
        at: new Date(Date.UTC(2026, 0, 1 + order * 20 + customer)).toISOString(),
      })),
    );
    await process(businessId, orders);
    const run = await ctx.runtime.services.intelligenceRunner.execute({
      businessId,
      trigger: 'manual',
      options: RunOptions.parse({ asOf: '2026-06-30' }),
    });

    const heard = recorder.of('intelligence.completed', businessId);
    expect(heard).toHaveLength(1);
    expect(heard[0]?.key).toBe(`intelligence.completed:${run?.id}`);
    expect(heard[0]?.data).toMatchObject({
      runId: run?.id,
      customersScored: 3,
      asOf: '2026-06-30',
      trigger: 'manual',
    });
    expect(recorder.of('intelligence.completed', otherBusinessId)).toEqual([]);
  });
});

// Customer profiles built by the event processor from stored events: anonymous history merged
// into the identified customer (identify and alias), two userIds never merged, traits
// latest-wins by event time, orders with repeats and refunds, the subscriber link, and the
// API's tenancy.
import { randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type {
  Customer,
  CustomerEvent,
  CustomerSummary,
  Order,
} from '../../src/modules/customers/schemas.ts';
import type { Subscriber } from '../../src/modules/subscribers/schemas.ts';
import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { sendEvents, testProcessor } from './events.ts';

describe('customer profiles', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  let base: string;
  let processor: ReturnType<typeof testProcessor>;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    base = `/api/v1/businesses/${businessId}/customers`;
    processor = testProcessor(ctx);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const send = (events: Parameters<typeof sendEvents>[2]) => sendEvents(ctx, businessId, events);
  async function customersWith(query: string): Promise<CustomerSummary[]> {
    const { body } = await api<{ items: CustomerSummary[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}?limit=100&${query}`,
      undefined,
      200,
    );
    return body.items;
  }
  async function profile(id: string): Promise<Customer> {
    return (await api<Customer>(ctx.app, owner, 'GET', `${base}/${id}`, undefined, 200)).body;
  }
  async function timeline(id: string): Promise<CustomerEvent[]> {
    return (
      await api<{ items: CustomerEvent[] }>(
        ctx.app,
        owner,
        'GET',
        `${base}/${id}/events?limit=100`,
        undefined,
        200,
      )
    ).body.items;
  }

  it('merges anonymous page views into the customer an identify names; the timeline shows all', async () => {
    const anon = `anon-${randomUUID()}`;
    const user = `user-${randomUUID()}`;
    await send([
      { type: 'page', event: 'Pricing', anonymousId: anon, at: '2026-05-01T10:00:00Z' },
      { type: 'page', event: 'Home', anonymousId: anon, at: '2026-05-01T10:01:00Z' },
    ]);
    // The identified user's own earlier event, on another device: a second profile for now.
    await send([{ type: 'track', event: 'Signed Up', userId: user, at: '2026-05-01T09:00:00Z' }]);
    await processor.processOnce();
    expect(await customersWith(`search=${anon}`)).toHaveLength(0);
    const before = await customersWith(`userId=${user}`);
    expect(before).toHaveLength(1);

    await send([
      {
        type: 'identify',
        userId: user,
        anonymousId: anon,
        traits: { name: 'Ann Lee', plan: 'pro' },
        at: '2026-05-01T10:05:00Z',
      },
    ]);
    await processor.processOnce();

    const [customer] = await customersWith(`userId=${user}`);
    expect(customer?.id).toBe(before[0]?.id);
    expect(customer?.eventCount).toBe(4);
    expect(customer?.name).toBe('Ann Lee');
    const full = await profile(customer?.id ?? '');
    expect(full.identities).toEqual(
      expect.arrayContaining([
        { kind: 'userId', value: user },
        { kind: 'anonymousId', value: anon },
      ]),
    );
    expect(full.firstSeenAt).toBe('2026-05-01T09:00:00.000Z');
    const events = await timeline(customer?.id ?? '');
    expect(events.map((event) => event.event ?? event.type)).toEqual([
      'identify',
      'Home',
      'Pricing',
      'Signed Up',
    ]);
    // One customer holds the anonymous identity: the anonymous profile is gone.
    const rows = rowsOf<{ n: number }>(
      await ctx.runtime.database.db.execute(
        sql`SELECT count(*)::int AS n FROM customer_identities WHERE value = ${anon}`,
      ),
    );
    expect(rows[0]?.n).toBe(1);
    expect(
      rowsOf<{ n: number }>(
        await ctx.runtime.database.db.execute(
          sql`SELECT count(*)::int AS n FROM customers WHERE business_id = ${businessId}`,
        ),
      )[0]?.n,
    ).toBe(1);
  });

  it('alias merges the previous anonymous identity into the userId', async () => {
    const anon = `anon-${randomUUID()}`;
    const user = `user-${randomUUID()}`;
    await send([
      { type: 'track', event: 'Product Viewed', anonymousId: anon, at: '2026-05-02T10:00:00Z' },
    ]);
    await processor.processOnce();
    await send([{ type: 'alias', userId: user, previousId: anon, at: '2026-05-02T10:10:00Z' }]);
    await processor.processOnce();
    const found = await customersWith(`userId=${user}`);
    expect(found).toHaveLength(1);
    const full = await profile(found[0]?.id ?? '');
    expect(full.identities).toContainEqual({ kind: 'anonymousId', value: anon });
    expect((await timeline(full.id)).map((event) => event.type)).toEqual(['alias', 'track']);
  });

  it('never merges two different userIds, even through a shared anonymousId', async () => {
    const anon = `anon-${randomUUID()}`;
    const first = `user-${randomUUID()}`;
    const second = `user-${randomUUID()}`;
    await send([
      { type: 'identify', userId: first, anonymousId: anon, at: '2026-05-03T10:00:00Z' },
    ]);
    await processor.processOnce();
    await send([
      { type: 'identify', userId: second, anonymousId: anon, at: '2026-05-03T11:00:00Z' },
    ]);
    const round = await processor.processOnce();
    expect(round.conflicts).toBe(1);
    const a = await customersWith(`userId=${first}`);
    const b = await customersWith(`userId=${second}`);
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(a[0]?.id).not.toBe(b[0]?.id);
    expect(ctx.logs.text()).toContain('identity conflict');
  });

  it('merges traits latest-wins per trait by event time, whatever the arrival order', async () => {
    const user = `user-${randomUUID()}`;
    await send([
      { type: 'identify', userId: user, traits: { plan: 'pro' }, at: '2026-05-04T12:00:00Z' },
    ]);
    await processor.processOnce();
    // Sent later, happened earlier: its plan is older, its city is new.
    await send([
      {
        type: 'identify',
        userId: user,
        traits: { plan: 'free', city: 'Lyon' },
        at: '2026-05-04T08:00:00Z',
      },
    ]);
    await processor.processOnce();
    const [customer] = await customersWith(`userId=${user}`);
    expect((await profile(customer?.id ?? '')).traits).toEqual({ plan: 'pro', city: 'Lyon' });
  });

  it('keeps one order per order_id: a repeat updates it, refunds subtract', async () => {
    const user = `user-${randomUUID()}`;
    const orderId = `order-${randomUUID()}`;
    const completed = (total: number | string, at: string) => ({
      type: 'track' as const,
      event: 'Order Completed',
      userId: user,
      properties: { order_id: orderId, total, currency: 'eur', products: [{ sku: 'B-1' }] },
      at,
    });
    await send([
      completed(50, '2026-05-05T10:00:00Z'),
      {
        type: 'track',
        event: 'Order Completed',
        userId: user,
        properties: { order_id: `${orderId}-2`, revenue: '12.5' },
        at: '2026-05-05T10:30:00Z',
      },
    ]);
    await processor.processOnce();
    let [customer] = await customersWith(`userId=${user}`);
    expect(customer).toMatchObject({ orderCount: 2, revenueCents: 6250 });

    await send([completed('60.00', '2026-05-05T11:00:00Z')]);
    await processor.processOnce();
    [customer] = await customersWith(`userId=${user}`);
    expect(customer).toMatchObject({ orderCount: 2, revenueCents: 7250 });

    const refund = (properties: Record<string, unknown>, at: string) => ({
      type: 'track' as const,
      event: 'Order Refunded',
      userId: user,
      properties: { order_id: orderId, ...properties },
      at,
    });
    await send([refund({ total: 10 }, '2026-05-06T10:00:00Z')]);
    await processor.processOnce();
    const orders = async () =>
      (
        await api<{ items: Order[] }>(
          ctx.app,
          owner,
          'GET',
          `${base}/${customer?.id ?? ''}/orders`,
          undefined,
          200,
        )
      ).body.items;
    let order = (await orders()).find((item) => item.orderId === orderId);
    expect(order).toMatchObject({
      status: 'partially_refunded',
      totalCents: 6000,
      refundedCents: 1000,
      currency: 'EUR',
    });
    [customer] = await customersWith(`userId=${user}`);
    expect(customer?.revenueCents).toBe(6250);

    await send([refund({}, '2026-05-07T10:00:00Z')]);
    await processor.processOnce();
    order = (await orders()).find((item) => item.orderId === orderId);
    expect(order).toMatchObject({ status: 'refunded', refundedCents: 6000 });
    [customer] = await customersWith(`userId=${user}`);
    expect(customer?.revenueCents).toBe(1250);
    expect(await customersWith(`userId=${user}&hasOrders=true`)).toHaveLength(1);
    expect(await customersWith(`userId=${user}&hasOrders=false`)).toHaveLength(0);
  });

  it('links the subscriber with the email trait, and one added later on the next read', async () => {
    const email = `ann-${randomUUID()}@example.com`;
    const subscriber = (
      await api<Subscriber>(
        ctx.app,
        owner,
        'POST',
        `/api/v1/businesses/${businessId}/subscribers`,
        { email },
        201,
      )
    ).body;
    expect(subscriber.customerId).toBeNull();
    const user = `user-${randomUUID()}`;
    await send([{ type: 'identify', userId: user, email, traits: { email: email.toUpperCase() } }]);
    await processor.processOnce();
    const [customer] = await customersWith(`userId=${user}`);
    expect(customer).toMatchObject({ email, subscriberId: subscriber.id });
    expect((await profile(customer?.id ?? '')).subscriber).toEqual({
      id: subscriber.id,
      email,
      consentStatus: 'subscribed',
    });
    const read = await api<Subscriber>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/subscribers/${subscriber.id}`,
      undefined,
      200,
    );
    expect(read.body.customerId).toBe(customer?.id);

    // A customer first, the subscriber afterwards.
    const later = `bo-${randomUUID()}@example.com`;
    const laterUser = `user-${randomUUID()}`;
    await send([{ type: 'identify', userId: laterUser, email: later, traits: { email: later } }]);
    await processor.processOnce();
    const made = (
      await api<Subscriber>(
        ctx.app,
        owner,
        'POST',
        `/api/v1/businesses/${businessId}/subscribers`,
        { email: later },
        201,
      )
    ).body;
    const [laterCustomer] = await customersWith(`userId=${laterUser}`);
    expect(made.customerId).toBe(laterCustomer?.id);
    expect((await profile(laterCustomer?.id ?? '')).subscriber?.id).toBe(made.id);
  });

  it('searches by the start of an email, of its domain or of a userId, or part of a name', async () => {
    const user = `searchable-${randomUUID()}`;
    const stem = randomUUID().slice(0, 8);
    await send([
      {
        type: 'identify',
        userId: user,
        traits: { name: 'Zoé Quill', email: `Zoe.${stem}@Quill-${stem}.example` },
      },
    ]);
    await processor.processOnce();
    const found = async (search: string) =>
      (await customersWith(`search=${encodeURIComponent(search)}`)).map((c) => c.userId);
    expect(await found(user.slice(0, 20))).toEqual([user]);
    expect(await found('zoé qu')).toEqual([user]);
    expect(await found('QUILL')).toEqual([user]); // part of the name, any case
    expect(await found(`ZOE.${stem}`)).toEqual([user]); // the start of the email, any case
    expect(await found(`quill-${stem}`)).toEqual([user]); // the start of the domain
    // Not the middle of an email or userId, and LIKE's own characters are taken literally.
    expect(await found(`${stem}@quill`)).toEqual([]);
    expect(await found(user.slice(5))).toEqual([]);
    expect(await found('searchable_%')).toEqual([]);
  });

  it('answers 404 for a customer of another business', async () => {
    const stranger = await newUser(ctx.app);
    const otherBusiness = (await newBusiness(ctx.app, stranger)).id;
    const [customer] = await customersWith('');
    const id = customer?.id ?? '';
    for (const url of [
      `/api/v1/businesses/${otherBusiness}/customers/${id}`,
      `/api/v1/businesses/${otherBusiness}/customers/${id}/events`,
      `/api/v1/businesses/${otherBusiness}/customers/${id}/orders`,
    ]) {
      expect((await api(ctx.app, stranger, 'GET', url)).status).toBe(404);
    }
    expect(
      (
        await api(
          ctx.app,
          stranger,
          'DELETE',
          `/api/v1/businesses/${otherBusiness}/customers/${id}`,
        )
      ).status,
    ).toBe(404);
    expect((await api(ctx.app, stranger, 'GET', `${base}/${id}`)).status).toBe(404);
    expect((await api(ctx.app, owner, 'GET', `${base}/${id}`)).status).toBe(200);
  });
});

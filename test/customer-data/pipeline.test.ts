// The whole customer-data path as a user wires it: events sent to the Segment API become one
// customer (anonymous history merged at identify), linked to the subscriber with that address;
// a "Signed Up" event enrolls that subscriber in an event-triggered sequence once even when the
// SDK delivers it twice; a segment over the events counts the customer; an exit event ends the
// enrollment.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { drainEvents } from '../customers/events.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newBusiness,
  newSubscriber,
  newUser,
  type TestBusiness,
  type TestUser,
} from '../helpers/fixtures.ts';

describe('customer data, end to end', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    business = await newBusiness(ctx.app, owner);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const basic = () => `Basic ${Buffer.from(`${business.writeKey}:`).toString('base64')}`;
  async function track(path: string, payload: Record<string, unknown>) {
    const response = await ctx.app.inject({
      method: 'POST',
      url: path,
      headers: { authorization: basic() },
      payload,
    });
    expect(response.statusCode, response.body).toBe(200);
  }
  async function api<T>(method: 'GET' | 'POST', url: string, payload?: object) {
    const response = await ctx.app.inject({
      method,
      url: `/api/v1/businesses/${business.id}${url}`,
      headers: owner.headers,
      ...(payload ? { payload } : {}),
    });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json<T>();
  }
  const process = () =>
    drainEvents(ctx.runtime.database.db, business.id, () =>
      ctx.runtime.services.customerProcessor.processOnce(),
    );

  it('turns Segment events into a customer, an enrollment and a segment member', async () => {
    const email = `ada-${randomUUID()}@example.org`;
    const subscriber = await newSubscriber(ctx.app, owner, business.id, { email });
    const sequence = await api<{ id: string }>('POST', '/sequences', {
      name: 'Welcome on sign-up',
      trigger: { type: 'event', event: 'Signed Up', where: { plan: 'pro' } },
      exitEvent: { event: 'Order Completed' },
      steps: [
        { subject: 'Welcome', html: '<p>Hi</p>' },
        { delayMinutes: 60 * 24, subject: 'Tips', html: '<p>More</p>' },
      ],
    });
    await api('POST', `/sequences/${sequence.id}/activate`);
    const segment = await api<{ id: string }>('POST', '/segments', {
      name: 'Signed up',
      rules: { all: [{ event: 'Signed Up', count: { op: 'gte', value: 1 } }] },
    });

    // Browsing anonymously, then identifying with the subscriber's address.
    const anonymousId = `anon-${randomUUID()}`;
    await track('/v1/page', { anonymousId, name: 'Pricing' });
    await track('/v1/identify', {
      anonymousId,
      userId: 'user-ada',
      traits: { email, plan: 'pro' },
    });
    // The SDK retries a batch: the same messageId arrives twice.
    const signedUp = {
      type: 'track',
      userId: 'user-ada',
      event: 'Signed Up',
      messageId: `signup-${randomUUID()}`,
      properties: { plan: 'pro' },
    };
    await track('/v1/batch', { batch: [signedUp] });
    await track('/v1/batch', { batch: [signedUp] });
    await process();

    // One customer with the anonymous history, linked to the subscriber.
    const customers = await api<{ items: { id: string; userId: string | null }[] }>(
      'GET',
      '/customers?userId=user-ada',
    );
    expect(customers.items).toHaveLength(1);
    const customerId = customers.items[0]?.id ?? '';
    const profile = await api<{ subscriber: { id: string } | null; email: string | null }>(
      'GET',
      `/customers/${customerId}`,
    );
    expect(profile.email).toBe(email);
    expect(profile.subscriber?.id).toBe(subscriber.id);
    const timeline = await api<{ items: { type: string; event: string | null }[] }>(
      'GET',
      `/customers/${customerId}/events`,
    );
    expect(timeline.items.map((event) => event.type).sort()).toEqual(['identify', 'page', 'track']);

    // Enrolled once, although the event arrived twice.
    const enrollments = await ctx.runtime.database.query<{ status: string }>(
      'SELECT status FROM enrollments WHERE sequence_id = $1 AND subscriber_id = $2',
      [sequence.id, subscriber.id],
    );
    expect(enrollments).toEqual([{ status: 'active' }]);

    // The segment counts the customer once the refresh has run.
    await ctx.runtime.services.segments.refreshSegment(segment.id);
    const members = await api<{ items: { id: string }[] }>(
      'GET',
      `/segments/${segment.id}/customers`,
    );
    expect(members.items.map((member) => member.id)).toEqual([customerId]);

    // Buying ends the sequence early.
    await track('/v1/track', {
      userId: 'user-ada',
      event: 'Order Completed',
      properties: { order_id: 'o-1', total: 30 },
    });
    await process();
    const after = await ctx.runtime.database.query<{ status: string }>(
      'SELECT status FROM enrollments WHERE sequence_id = $1 AND subscriber_id = $2',
      [sequence.id, subscriber.id],
    );
    expect(after).toEqual([{ status: 'exited' }]);
    const orders = await api<{ items: { orderId: string }[] }>(
      'GET',
      `/customers/${customerId}/orders`,
    );
    expect(orders.items.map((order) => order.orderId)).toEqual(['o-1']);
  });
});

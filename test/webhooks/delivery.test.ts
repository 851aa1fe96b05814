// Outgoing webhooks end to end: Herald's events reach a real receiver on loopback, signed so it
// verifies them with only the documented algorithm; a 500 is retried on the backoff schedule
// with the same webhook-id; redelivery and test events; an endpoint whose deliveries keep
// failing is turned off with a notice; private targets are refused at delivery time too.
// Time is driven by the test: each round of the deliverer runs at the time the test gives it.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type {
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '../../src/modules/webhooks/schemas.ts';
import { webhookEndpoints } from '../../src/platform/db/schema/index.ts';
import type { HeraldEvent } from '../../src/platform/events.ts';
import { suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver, verifyWebhook } from './receiver.ts';

const HOUR = 3_600_000;

function published(businessId: string, contentId = randomUUID()): HeraldEvent {
  const publicationId = randomUUID();
  return {
    businessId,
    type: 'content.published',
    key: `content.published:${publicationId}`,
    data: {
      contentId,
      campaignId: null,
      platform: 'linkedin',
      publicationId,
      url: 'https://example.com/p/1',
    },
  };
}

describe('outgoing webhooks to a loopback receiver (private targets allowed)', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let receiver: Receiver;
  const api = suiteApi(() => ({ app: ctx.app, user: owner }));
  // The deliverer's "now": moved on by the test, and never behind the database's clock, so a
  // delivery made just now is due.
  let now = new Date(Date.now() + 1000);
  const later = (ms: number) => {
    now = new Date(Math.max(now.getTime() + ms, Date.now() + 1000));
    return now;
  };

  beforeAll(async () => {
    receiver = await startReceiver();
    ctx = await buildTestApp({
      env: { PUBLISH_WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_DISABLE_AFTER_FAILURES: '2' },
    });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  const publish = (event: HeraldEvent) =>
    ctx.runtime.services.heraldEvents.publish(ctx.runtime.database.db, event);
  const deliverAt = (at: Date) => ctx.runtime.services.webhookDeliverer.deliverDue(at);

  async function newEndpoint(businessId: string, eventTypes = ['content.published']) {
    const created = await api<WebhookEndpointWithSecret>(
      'POST',
      `/api/v1/businesses/${businessId}/webhooks`,
      { url: receiver.url, eventTypes, description: 'Our CRM' },
    );
    expect(created.status).toBe(201);
    return created.body;
  }

  async function deliveriesOf(businessId: string, endpointId: string) {
    const { body } = await api<{ items: WebhookDelivery[] }>(
      'GET',
      `/api/v1/businesses/${businessId}/webhooks/${endpointId}/deliveries`,
    );
    return body.items;
  }

  it('delivers an event the receiver verifies with the documented algorithm, once per happening', async () => {
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const endpoint = await newEndpoint(businessId);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    receiver.received.length = 0;

    const event = published(businessId);
    await publish(event);
    await publish(event); // the same happening again (a retried publisher): one event
    await publish({
      ...published(businessId),
      type: 'email.opened',
      key: `email.opened:${randomUUID()}`,
    });
    expect(await deliverAt(later(0))).toBe(1);

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    if (!request) throw new Error('nothing received');
    expect(verifyWebhook(endpoint.secret, request, request.body)).toBe(true);
    expect(verifyWebhook(endpoint.secret, request, `${request.body} `)).toBe(false);
    expect(Math.abs(Number(request.timestamp) - Date.now() / 1000)).toBeLessThan(300);
    expect(JSON.parse(request.body)).toEqual({
      type: 'content.published',
      timestamp: expect.any(String) as unknown,
      data: event.data,
    });

    const [delivery, ...others] = await deliveriesOf(businessId, endpoint.id);
    expect(others).toEqual([]);
    expect(delivery).toMatchObject({
      eventId: request.id,
      eventType: 'content.published',
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 204,
      attemptLog: [expect.objectContaining({ statusCode: 204, manual: false, error: null })],
    });
    expect(delivery?.attemptLog[0]?.latencyMs).toEqual(expect.any(Number));
  });

  it('retries a 500 on the backoff schedule with the same webhook-id, and logs both attempts', async () => {
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const endpoint = await newEndpoint(businessId);
    receiver.received.length = 0;
    receiver.answers.push(500);

    await publish(published(businessId));
    expect(await deliverAt(later(0))).toBe(1);
    let [delivery] = await deliveriesOf(businessId, endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    // The first retry comes about 5 s later (±10 %): not after 4 s, by 6 s.
    const wait = new Date(delivery?.nextAttemptAt ?? 0).getTime() - now.getTime();
    expect(wait).toBeGreaterThanOrEqual(4500);
    expect(wait).toBeLessThanOrEqual(5500);
    expect(await deliverAt(later(4000))).toBe(0);
    expect(await deliverAt(later(2000))).toBe(1);

    expect(receiver.received).toHaveLength(2);
    const [first, second] = receiver.received;
    expect(second?.id).toBe(first?.id);
    expect(second?.body).toBe(first?.body);
    if (!second) throw new Error('no retry received');
    expect(verifyWebhook(endpoint.secret, second, second.body)).toBe(true);
    [delivery] = await deliveriesOf(businessId, endpoint.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, eventId: first?.id });
    expect(delivery?.attemptLog).toEqual([
      expect.objectContaining({ statusCode: 204 }),
      expect.objectContaining({
        statusCode: 500,
        responseExcerpt: 'answered 500',
        error: 'the receiver answered 500',
      }),
    ]);
  });

  it('redelivers a delivery with the same webhook-id, logged as a manual attempt', async () => {
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const endpoint = await newEndpoint(businessId);
    receiver.received.length = 0;
    await publish(published(businessId));
    await deliverAt(later(1000));
    const [delivery] = await deliveriesOf(businessId, endpoint.id);
    if (!delivery) throw new Error('no delivery');

    const again = await api<WebhookDelivery>(
      'POST',
      `/api/v1/businesses/${businessId}/webhooks/deliveries/${delivery.id}/redeliver`,
    );
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('delivered');
    // (The scheduled attempt ran at the test's clock, ahead of the real one: order aside.)
    expect(again.body.attemptLog).toHaveLength(2);
    expect(again.body.attemptLog).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ manual: true, statusCode: 204 }),
        expect.objectContaining({ manual: false, statusCode: 204 }),
      ]),
    );
    expect(receiver.received.map((request) => request.id)).toEqual([
      delivery.eventId,
      delivery.eventId,
    ]);
  });

  it('sends a test event on request, signed with the current secret (a rotated one at once)', async () => {
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const endpoint = await newEndpoint(businessId);
    const base = `/api/v1/businesses/${businessId}/webhooks/${endpoint.id}`;
    const rotated = await api<WebhookEndpointWithSecret>('POST', `${base}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    receiver.received.length = 0;

    const test = await api<WebhookDelivery>('POST', `${base}/test`);
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ eventType: 'webhook.test', status: 'delivered' });
    const [request] = receiver.received;
    if (!request) throw new Error('nothing received');
    expect(JSON.parse(request.body)).toMatchObject({
      type: 'webhook.test',
      data: { endpointId: endpoint.id },
    });
    expect(verifyWebhook(rotated.body.secret, request, request.body)).toBe(true);
    expect(verifyWebhook(endpoint.secret, request, request.body)).toBe(false);
  });

  it('gives up after the whole schedule, and turns the endpoint off after failures in a row', async () => {
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const endpoint = await newEndpoint(businessId);
    const base = `/api/v1/businesses/${businessId}/webhooks/${endpoint.id}`;
    receiver.received.length = 0;
    // 4xx answers fail the delivery but say nothing of the host's health (no breaker).
    receiver.answers.push(...Array<number>(14).fill(400));
    await publish(published(businessId));
    await publish(published(businessId));

    // Seven attempts each: at once, then after 5 s, 5 min, 30 min, 2 h, 5 h and 10 h (±10 %).
    for (let round = 0; round < 7; round++) expect(await deliverAt(later(12 * HOUR))).toBe(2);
    expect(await deliverAt(later(12 * HOUR))).toBe(0);
    expect(receiver.received).toHaveLength(14);

    const deliveries = await deliveriesOf(businessId, endpoint.id);
    expect(deliveries.map((delivery) => [delivery.status, delivery.attempts])).toEqual([
      ['failed', 7],
      ['failed', 7],
    ]);
    const { body: disabled } = await api<WebhookEndpoint>('GET', base);
    expect(disabled.active).toBe(false);
    expect(disabled.disabledReason).toMatch(/2 deliveries in a row failed/);
    expect(disabled.disabledAt).toEqual(expect.any(String));

    // A turned-off endpoint gets no new deliveries.
    await publish(published(businessId));
    expect(await deliveriesOf(businessId, endpoint.id)).toHaveLength(2);

    // Turned back on, the notice is gone and new events are delivered again.
    const enabled = await api<WebhookEndpoint>('PATCH', base, { active: true });
    expect(enabled.body).toMatchObject({
      active: true,
      disabledReason: null,
      disabledAt: null,
      consecutiveFailures: 0,
    });
    await publish(published(businessId));
    expect(await deliverAt(later(1000))).toBe(1);
    expect((await deliveriesOf(businessId, endpoint.id))[0]?.status).toBe('delivered');
  });
});

describe('private targets refused at delivery time (the default)', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  it('refuses an endpoint whose host now resolves to a loopback address, and sends nothing', async () => {
    const businessId = (await newBusiness(ctx.app, owner)).id;
    // As if saved while the name resolved to a public address: the check at delivery catches it.
    const [endpoint] = await ctx.runtime.database.db
      .insert(webhookEndpoints)
      .values({
        businessId,
        url: `https://localhost:${receiver.port}/hooks/herald`,
        eventTypes: ['content.published'],
        secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==',
      })
      .returning();
    if (!endpoint) throw new Error('no endpoint');
    await ctx.runtime.services.heraldEvents.publish(ctx.runtime.database.db, published(businessId));
    expect(
      await ctx.runtime.services.webhookDeliverer.deliverDue(new Date(Date.now() + 1000)),
    ).toBe(1);

    const { body } = await suiteApi(() => ({ app: ctx.app, user: owner }))<{
      items: WebhookDelivery[];
    }>('GET', `/api/v1/businesses/${businessId}/webhooks/${endpoint.id}/deliveries`);
    expect(body.items).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempts: 1,
        lastError: expect.stringMatching(/refused to connect to localhost/) as unknown,
      }),
    ]);
    expect(receiver.received).toEqual([]);
  });
});

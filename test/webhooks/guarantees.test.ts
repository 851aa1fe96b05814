// What outgoing webhooks promise beyond the happy path: an event published in a transaction that
// rolls back is never sent; two deliverers working at once send each delivery once; and a host
// whose breaker is open is left alone — its deliveries wait without spending an attempt.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createWebhookDeliverer } from '../../src/modules/webhooks/index.ts';
import type {
  WebhookDelivery,
  WebhookEndpointWithSecret,
} from '../../src/modules/webhooks/schemas.ts';
import type { HeraldEvent } from '../../src/platform/events.ts';
import { suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from './receiver.ts';

function jobFailed(businessId: string): HeraldEvent {
  const jobId = randomUUID();
  return {
    businessId,
    type: 'job.failed',
    key: `job.failed:${jobId}`,
    data: { jobId, kind: 'content.generate', error: 'the model timed out' },
  };
}

describe('outgoing webhook guarantees', () => {
  let ctx: TestApp;
  let owner: TestUser;
  const api = suiteApi(() => ({ app: ctx.app, user: owner }));
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    ctx = await buildTestApp({
      env: { PUBLISH_WEBHOOK_ALLOW_PRIVATE: 'true', CIRCUIT_BREAKER_FAILURE_THRESHOLD: '5' },
    });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await Promise.all(receivers.map((receiver) => receiver.close()));
  });

  /** A business with an endpoint hearing job.failed at a receiver of its own (its own host). */
  async function setUp() {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const { body: endpoint } = await api<WebhookEndpointWithSecret>(
      'POST',
      `/api/v1/businesses/${businessId}/webhooks`,
      { url: receiver.url, eventTypes: ['job.failed'] },
    );
    const deliveries = async () =>
      (
        await api<{ items: WebhookDelivery[] }>(
          'GET',
          `/api/v1/businesses/${businessId}/webhooks/${endpoint.id}/deliveries`,
        )
      ).body.items;
    return { receiver, businessId, endpoint, deliveries };
  }

  const publish = (event: HeraldEvent) =>
    ctx.runtime.services.heraldEvents.publish(ctx.runtime.database.db, event);
  const soon = () => new Date(Date.now() + 1000);

  it('sends nothing for an event whose transaction rolled back', async () => {
    const { receiver, businessId, deliveries } = await setUp();
    await expect(
      ctx.runtime.database.db.transaction(async (tx) => {
        await ctx.runtime.services.heraldEvents.publish(tx, jobFailed(businessId));
        throw new Error('the job’s own write failed');
      }),
    ).rejects.toThrow('the job’s own write failed');
    await ctx.runtime.services.webhookDeliverer.deliverDue(soon());
    expect(await deliveries()).toEqual([]);
    expect(receiver.received).toEqual([]);
  });

  it('sends each delivery once when two deliverers work at the same time', async () => {
    const { receiver, businessId, deliveries } = await setUp();
    for (let index = 0; index < 6; index++) await publish(jobFailed(businessId));
    const second = createWebhookDeliverer({
      db: ctx.runtime.database.db,
      breakers: ctx.runtime.breakers,
      logger: ctx.runtime.logger,
      config: { ...ctx.config.webhooks, breakerRetryMs: 60_000 },
      batchSize: 4,
    });
    const now = soon();
    const [a, b] = await Promise.all([
      ctx.runtime.services.webhookDeliverer.deliverDue(now),
      second.deliverDue(now),
    ]);
    const [c, d] = await Promise.all([
      ctx.runtime.services.webhookDeliverer.deliverDue(now),
      second.deliverDue(now),
    ]);
    expect(a + b + c + d).toBe(6);
    expect(receiver.received).toHaveLength(6);
    expect(new Set(receiver.received.map((request) => request.id)).size).toBe(6);
    expect((await deliveries()).every((delivery) => delivery.status === 'delivered')).toBe(true);
  });

  it('leaves a host alone while its breaker is open: deliveries wait without spending an attempt', async () => {
    const { receiver, businessId, deliveries } = await setUp();
    receiver.answers.push(...Array<number>(10).fill(500));
    for (let index = 0; index < 5; index++) await publish(jobFailed(businessId));
    // Five 500s in a row from the host open its breaker.
    expect(await ctx.runtime.services.webhookDeliverer.deliverDue(soon())).toBe(5);
    expect(receiver.received).toHaveLength(5);

    await publish(jobFailed(businessId));
    expect(await ctx.runtime.services.webhookDeliverer.deliverDue(soon())).toBe(1);
    expect(receiver.received).toHaveLength(5);
    const waiting = (await deliveries()).find((delivery) => delivery.attemptLog.length === 0);
    expect(waiting).toMatchObject({
      status: 'pending',
      attempts: 0,
      lastError: expect.stringMatching(/circuit .* is open; deferred/) as unknown,
    });
    // It waits for the breaker's recovery time, not the retry schedule.
    const wait = new Date(waiting?.nextAttemptAt ?? 0).getTime() - Date.now();
    expect(wait).toBeGreaterThan(30_000);
  });
});

describe('the delivery log’s retention', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    ctx = await buildTestApp({ env: { PUBLISH_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  it('forgets events older than 30 days, but not one still being retried', async () => {
    const api = suiteApi(() => ({ app: ctx.app, user: owner }));
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const { body: endpoint } = await api<WebhookEndpointWithSecret>(
      'POST',
      `/api/v1/businesses/${businessId}/webhooks`,
      { url: receiver.url, eventTypes: ['job.failed'] },
    );
    const deliverer = ctx.runtime.services.webhookDeliverer;
    receiver.answers.push(204, 500);
    await ctx.runtime.services.heraldEvents.publish(ctx.runtime.database.db, jobFailed(businessId));
    await ctx.runtime.services.heraldEvents.publish(ctx.runtime.database.db, jobFailed(businessId));
    await deliverer.deliverDue(new Date(Date.now() + 1000));
    const log = async () =>
      (
        await api<{ items: WebhookDelivery[] }>(
          'GET',
          `/api/v1/businesses/${businessId}/webhooks/${endpoint.id}/deliveries`,
        )
      ).body.items.map((delivery) => delivery.status);
    expect((await log()).sort()).toEqual(['delivered', 'pending']);

    expect(await deliverer.purgeLog(new Date(Date.now() + 29 * 86_400_000))).toBe(0);
    expect(await deliverer.purgeLog(new Date(Date.now() + 31 * 86_400_000))).toBe(1);
    expect(await log()).toEqual(['pending']);
  });
});

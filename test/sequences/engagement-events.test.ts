// What recipients do with sequence email lands in the customer data as events with the
// subscriber's address: delivered, opened, link clicked, bounced (hard and soft), unsubscribed,
// marked as spam — each fact once, however often it is recorded.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

const MINUTE = 60_000;

describe('email engagement as customer events', () => {
  let receiver: SmtpReceiver;
  let ctx: TestApp;
  let owner: TestUser;
  const refusedOnce = new Set<string>();

  beforeAll(async () => {
    receiver = await startSmtpReceiver({
      refuseRecipient(address) {
        if (address.startsWith('bounce-')) return 550;
        if (address.startsWith('later-') && !refusedOnce.has(address)) {
          refusedOnce.add(address);
          return 451;
        }
        return undefined;
      },
    });
    ctx = await buildTestApp({ env: { SMTP_URL: receiver.url, PUBLIC_URL: 'http://herald.test' } });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  const api = suiteApi(() => ({ app: ctx.app, user: owner }));
  const dispatch = (at: number) => ctx.runtime.services.sequenceDispatcher.runOnce(new Date(at));
  const get = (url: string) =>
    ctx.app.inject({ method: 'GET', url: url.replace('http://herald.test', '') });

  interface StoredEvent {
    event: string;
    email: string;
    message_id: string;
    properties: Record<string, unknown>;
  }
  async function eventsOf(businessId: string) {
    return rowsOf<StoredEvent>(
      await ctx.runtime.database.db.execute(sql`
        select event, email, message_id, properties from events
        where business_id = ${businessId}::uuid order by received_at, event, email`),
    );
  }

  it('records delivered, opened, clicked, bounced, unsubscribed and spam events with the address, once each', async () => {
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    const tag = String(Date.now());
    const ok = `ok-${tag}@example.org`;
    const bounce = `bounce-${tag}@example.org`;
    const later = `later-${tag}@example.org`;
    for (const email of [ok, bounce, later]) {
      expect((await api('POST', `${path}/subscribers`, { email, firstName: 'Ann' })).status).toBe(
        201,
      );
    }
    const sequence = await api<{ id: string; steps: { id: string }[] }>(
      'POST',
      `${path}/sequences`,
      {
        name: 'Welcome',
        steps: [
          {
            subject: 'Hello {{ subscriber.first_name }}',
            html: '<p><a href="https://shop.example.com/bread">Bread</a> <a href="https://shop.example.com/cake">Cake</a></p>',
          },
        ],
      },
    );
    const base = `${path}/sequences/${sequence.body.id}`;
    await api('POST', `${base}/enrollments`, { filter: { all: true } });
    expect((await api('POST', `${base}/activate`)).status).toBe(200);

    const now = Date.now() + 1000;
    await dispatch(now);
    // The soft bounce is retried after its backoff and then delivered.
    await dispatch(now + 10 * MINUTE);

    const [mail] = await receiver.to(ok);
    const html = String(mail?.html ?? '');
    const clicks = [...html.matchAll(/href="(http:\/\/herald\.test\/e\/c\/[^"]+)"/g)].map(
      (match) => match[1] ?? '',
    );
    const pixel = /src="(http:\/\/herald\.test\/e\/o\/[^"]+)"/.exec(html)?.[1] ?? '';
    expect(clicks).toHaveLength(2);
    // Opened twice, the bread link clicked twice, the cake link once: each fact once.
    await get(pixel);
    await get(pixel);
    await get(clicks[0] ?? '');
    await get(clicks[0] ?? '');
    await get(clicks[1] ?? '');
    const unsubscribe = /href="(http:\/\/herald\.test\/e\/u\/[^"]+)"/.exec(html)?.[1] ?? '';
    for (let i = 0; i < 2; i++) {
      const response = await ctx.app.inject({
        method: 'POST',
        url: unsubscribe.replace('http://herald.test', ''),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(response.statusCode).toBe(200);
    }
    const [laterDelivery] = rowsOf<{ id: string }>(
      await ctx.runtime.database.db.execute(sql`
        select d.id from deliveries d join subscribers s on s.id = d.subscriber_id
        where s.email = ${later}`),
    );
    expect(await ctx.runtime.services.engagement.complaint(laterDelivery?.id ?? '')).toBe(true);
    expect(await ctx.runtime.services.engagement.complaint(laterDelivery?.id ?? '')).toBe(true);

    const events = await eventsOf(business.id);
    const summary = events.map((row) => [row.event, row.email]).sort();
    expect(summary).toEqual(
      [
        ['Email Bounced', bounce],
        ['Email Bounced', later],
        ['Email Delivered', later],
        ['Email Delivered', ok],
        ['Email Link Clicked', ok],
        ['Email Link Clicked', ok],
        ['Email Marked as Spam', later],
        ['Email Opened', ok],
        ['Unsubscribed', ok],
      ].sort(),
    );
    const stepId = sequence.body.steps[0]?.id;
    for (const row of events) {
      expect(row.properties).toEqual(
        expect.objectContaining({
          sequenceId: sequence.body.id,
          stepId,
          subject: 'Hello Ann',
        }),
      );
      expect(row.properties.deliveryId).toMatch(/^[0-9a-f-]{36}$/);
    }
    const bounces = events.filter((row) => row.event === 'Email Bounced');
    expect(
      Object.fromEntries(bounces.map((row) => [row.email, row.properties.bounceType])),
    ).toEqual({ [bounce]: 'hard', [later]: 'soft' });
    const clicked = events.filter((row) => row.event === 'Email Link Clicked');
    expect(clicked.map((row) => row.properties.url).sort()).toEqual([
      'https://shop.example.com/bread',
      'https://shop.example.com/cake',
    ]);
    const delivered = events.find((row) => row.event === 'Email Delivered' && row.email === ok);
    expect(delivered?.message_id).toBe(
      `herald:delivered:${String(delivered?.properties.deliveryId)}`,
    );
  });
});

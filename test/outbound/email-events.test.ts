// Herald's email.* events reach a listener (as the webhooks and Slack hear them): delivered when
// the SMTP server accepts a sequence or broadcast email, bounced when it refuses the address,
// opened, clicked and unsubscribed through the tracking links — each fact once, however often
// the recipient opens or clicks, with the subscriber, the address and where the email came from.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { HeraldEvent, HeraldEventListener } from '../../src/platform/events.ts';
import { suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

const SHOP = 'https://shop.example.com/bread';

describe('email events', () => {
  let receiver: SmtpReceiver;
  let ctx: TestApp;
  let owner: TestUser;
  const heard: HeraldEvent[] = [];
  const recorder: HeraldEventListener = {
    name: 'test-recorder',
    onEvent(_tx, event) {
      heard.push(event);
      return Promise.resolve();
    },
  };

  beforeAll(async () => {
    receiver = await startSmtpReceiver({
      refuseRecipient: (address) => (address.startsWith('gone-') ? 550 : undefined),
    });
    ctx = await buildTestApp({ env: { SMTP_URL: receiver.url }, eventListeners: [recorder] });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  const api = suiteApi(() => ({ app: ctx.app, user: owner }));
  const ofBusiness = (businessId: string, type?: string) =>
    heard.filter((event) => event.businessId === businessId && (!type || event.type === type));
  /** The path of a tracking link (the app is reached in-process, not at PUBLIC_URL). */
  const pathOf = (url: string) => new URL(url).pathname;

  it('a sequence email: delivered, opened once however often, clicked per link, unsubscribed; a refused address bounced', async () => {
    const tag = randomUUID().slice(0, 8);
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    const reader = `reader-${tag}@example.org`;
    const gone = `gone-${tag}@example.org`;
    const subscriberIds = new Map<string, string>();
    for (const email of [reader, gone]) {
      const created = await api<{ id: string }>('POST', `${path}/subscribers`, { email });
      subscriberIds.set(email, created.body.id);
    }
    const sequence = await api<{ id: string; steps: { id: string }[] }>(
      'POST',
      `${path}/sequences`,
      {
        name: 'Welcome',
        steps: [{ subject: 'Welcome', html: `<p>Hello <a href="${SHOP}">bread</a></p>` }],
      },
    );
    const sequencePath = `${path}/sequences/${sequence.body.id}`;
    await api('POST', `${sequencePath}/enrollments`, { filter: { all: true } });
    expect((await api('POST', `${sequencePath}/activate`)).status).toBe(200);

    const round = await ctx.runtime.services.sequenceDispatcher.runOnce(
      new Date(Date.now() + 1000),
    );
    expect(round).toMatchObject({ sent: 1, failed: 1 });

    const [delivered, ...moreDelivered] = ofBusiness(business.id, 'email.delivered');
    expect(moreDelivered).toHaveLength(0);
    if (!delivered) throw new Error('no email.delivered');
    const deliveryId = String(delivered.data.deliveryId);
    expect(delivered).toMatchObject({
      type: 'email.delivered',
      key: `email.delivered:${deliveryId}`,
      data: {
        subscriberId: subscriberIds.get(reader),
        email: reader,
        source: 'sequence',
        sequenceId: sequence.body.id,
        stepId: sequence.body.steps[0]?.id,
        subject: 'Welcome',
      },
    });

    const bounced = ofBusiness(business.id, 'email.bounced');
    expect(bounced).toHaveLength(1);
    expect(bounced[0]?.data).toMatchObject({
      subscriberId: subscriberIds.get(gone),
      email: gone,
      source: 'sequence',
      bounceType: 'hard',
    });

    // Opened twice, clicked twice: one email.opened, one email.clicked for the link.
    const links = ctx.runtime.services.trackingLinks;
    for (let i = 0; i < 2; i++) {
      const open = await ctx.app.inject({ method: 'GET', url: pathOf(links.openUrl(deliveryId)) });
      expect(open.statusCode).toBe(200);
      const click = await ctx.app.inject({
        method: 'GET',
        url: pathOf(links.clickUrl(deliveryId, SHOP)),
      });
      expect(click.statusCode).toBe(302);
    }
    const opened = ofBusiness(business.id, 'email.opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({
      key: `email.opened:${deliveryId}`,
      data: { subscriberId: subscriberIds.get(reader), email: reader, source: 'sequence' },
    });
    const clicked = ofBusiness(business.id, 'email.clicked');
    expect(clicked).toHaveLength(1);
    expect(clicked[0]?.data).toMatchObject({ email: reader, url: SHOP, source: 'sequence' });

    // One-click unsubscribe (RFC 8058), sent twice by an eager mail client: one event.
    for (let i = 0; i < 2; i++) {
      const unsubscribe = await ctx.app.inject({
        method: 'POST',
        url: pathOf(links.unsubscribeUrl(deliveryId)),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(unsubscribe.statusCode).toBe(200);
    }
    const unsubscribed = ofBusiness(business.id, 'email.unsubscribed');
    expect(unsubscribed).toHaveLength(1);
    expect(unsubscribed[0]).toMatchObject({
      key: `email.unsubscribed:${deliveryId}`,
      data: {
        subscriberId: subscriberIds.get(reader),
        email: reader,
        sequenceId: sequence.body.id,
      },
    });
    // Every event names its own business's subscriber, and keys are unique.
    const keys = ofBusiness(business.id).map((event) => event.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('a broadcast email: delivered and opened, labelled with the broadcast', async () => {
    const tag = randomUUID().slice(0, 8);
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    const email = `news-${tag}@example.org`;
    const subscriber = await api<{ id: string }>('POST', `${path}/subscribers`, { email });
    const broadcast = await api<{ id: string }>('POST', `${path}/broadcasts`, {
      name: 'News',
      variants: [{ subject: 'News', markdown: 'Fresh news' }],
      audience: { type: 'all' },
    });
    expect((await api('POST', `${path}/broadcasts/${broadcast.body.id}/schedule`, {})).status).toBe(
      200,
    );
    const round = await ctx.runtime.services.broadcastDispatcher.runOnce(
      new Date(Date.now() + 1000),
    );
    expect(round).toMatchObject({ sent: 1 });

    const delivered = ofBusiness(business.id, 'email.delivered');
    expect(delivered).toHaveLength(1);
    const deliveryId = String(delivered[0]?.data.deliveryId);
    expect(delivered[0]).toMatchObject({
      key: `email.delivered:${deliveryId}`,
      data: {
        subscriberId: subscriber.body.id,
        email,
        source: 'broadcast',
        broadcastId: broadcast.body.id,
      },
    });

    const open = ctx.runtime.services.trackingLinks.broadcastUrl('o', deliveryId);
    for (let i = 0; i < 2; i++) {
      expect((await ctx.app.inject({ method: 'GET', url: pathOf(open) })).statusCode).toBe(200);
    }
    const opened = ofBusiness(business.id, 'email.opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]?.data).toMatchObject({
      subscriberId: subscriber.body.id,
      source: 'broadcast',
      broadcastId: broadcast.body.id,
    });
  });
});

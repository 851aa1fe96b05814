// Broadcasts end to end through a real SMTP receiver on loopback: a segment's subscribers get the
// email once each (signed, one-click unsubscribe, tracked links), the suppressed and unsubscribed
// are skipped, a crashed worker's claims are resent without duplicates, templates' Liquid and
// blocks are checked at save, A/B tests send a test share and the winner to the rest, local-time
// sends follow each recipient's zone; tenancy and permissions.
import { generateKeyPairSync, randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { addMember, newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { rawHeader, type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

interface Broadcast {
  id: string;
  status: string;
  winner: string | null;
  recipientCount: number | null;
  estimatedFinishAt: string | null;
  progress: { done: number; total: number };
}

interface Counts {
  recipients: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
  skipped: number;
  openRate: number;
  clickRate: number;
}

interface Analytics {
  totals: Counts;
  variants: (Counts & { key: string })[];
  winner: string | null;
  held: number;
}

describe('broadcasts over SMTP', () => {
  let receiver: SmtpReceiver;
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    ctx = await buildTestApp({
      env: {
        SMTP_URL: receiver.url,
        PUBLIC_URL: 'http://herald.test',
        DKIM_DOMAIN: 'bakery.example',
        DKIM_SELECTOR: 'herald',
        DKIM_PRIVATE_KEY: privateKey,
      },
    });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  const db = () => ctx.runtime.database.db;
  const dispatch = (now: Date) => ctx.runtime.services.broadcastDispatcher.runOnce(now);
  const api = suiteApi(() => ({ app: ctx.app, user: owner }));

  async function subscriber(businessId: string, fields: Record<string, unknown>) {
    const { status, body } = await api<{ id: string }>(
      'POST',
      `/api/v1/businesses/${businessId}/subscribers`,
      fields,
    );
    expect(status).toBe(201);
    return body.id;
  }

  /** A segment whose members are the customers linked to these subscribers. */
  async function segmentOf(businessId: string, subscriberIds: string[]): Promise<string> {
    const [segment] = rowsOf<{ id: string }>(
      await db().execute(sql`
        insert into segments (business_id, name, rules) values (${businessId}::uuid, 'Bread lovers', '{}'::jsonb)
        returning id`),
    );
    const segmentId = segment?.id ?? '';
    for (const subscriberId of subscriberIds) {
      await db().execute(sql`
        with c as (
          insert into customers (business_id, email, subscriber_id, first_seen_at, last_seen_at)
          select business_id, email, id, now(), now() from subscribers where id = ${subscriberId}::uuid
          returning id, business_id)
        insert into segment_members (segment_id, customer_id, business_id)
        select ${segmentId}::uuid, c.id, c.business_id from c`);
    }
    return segmentId;
  }

  const emailOf = (name: string) => `${name}-${randomUUID()}@example.org`;
  const emailsOf = (...names: string[]): string[] => names.map(emailOf);

  it('sends to a segment once per subscriber, skipping the suppressed and the unsubscribed; tracks opens, clicks and one-click unsubscribes as customer events', async () => {
    const business = await newBusiness(ctx.app, owner, {
      defaultSender: { name: 'Blue Bottle', email: 'hello@bakery.example' },
    });
    const [ann = '', bob = '', cat = '', dan = '', eve = ''] = emailsOf(
      'ann',
      'bob',
      'cat',
      'dan',
      'eve',
    );
    const annId = await subscriber(business.id, { email: ann, firstName: 'Ann' });
    const bobId = await subscriber(business.id, { email: bob });
    const catId = await subscriber(business.id, { email: cat });
    const danId = await subscriber(business.id, { email: dan, consentStatus: 'unsubscribed' });
    await subscriber(business.id, { email: eve });
    const segmentId = await segmentOf(business.id, [annId, bobId, catId, danId]);
    const suppressed = await api('POST', `/api/v1/businesses/${business.id}/suppressions`, {
      email: cat,
      reason: 'manual',
    });
    expect(suppressed.status).toBe(201);

    const base = `/api/v1/businesses/${business.id}/broadcasts`;
    const created = await api<Broadcast>('POST', base, {
      name: 'Spring bake',
      variants: [
        {
          subject: 'Fresh bread, {{ subscriber.first_name | default: "friend" }}',
          markdown:
            'Hello **{{ subscriber.first_name | default: "there" }}**! [Order](https://shop.example.com/bread)',
        },
      ],
      audience: { type: 'segment', segmentId },
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('draft');
    const broadcast = `${base}/${created.body.id}`;
    expect((await dispatch(new Date(Date.now() + 1000))).claimed).toBe(0);

    const scheduled = await api<Broadcast>('POST', `${broadcast}/schedule`, {});
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.status).toBe('scheduled');
    expect(scheduled.body.recipientCount).toBe(2);
    expect(scheduled.body.estimatedFinishAt).not.toBeNull();

    const now = Date.now() + 1000;
    const round = await dispatch(new Date(now));
    expect(round).toMatchObject({ materialised: 1, sent: 2, finished: 1 });
    expect((await dispatch(new Date(now + 60_000))).sent).toBe(0);
    expect((await api<Broadcast>('GET', broadcast)).body).toMatchObject({
      status: 'sent',
      progress: { done: 2, total: 2 },
    });

    expect(await receiver.to(cat)).toHaveLength(0);
    expect(await receiver.to(dan)).toHaveLength(0);
    expect(await receiver.to(eve)).toHaveLength(0);
    expect(await receiver.to(bob)).toHaveLength(1);
    const [annMail] = await receiver.to(ann);
    if (!annMail) throw new Error('no email for Ann');
    expect(annMail.subject).toBe('Fresh bread, Ann');
    expect(annMail.from?.text).toBe('"Blue Bottle" <hello@bakery.example>');
    expect(rawHeader(annMail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const dkim = rawHeader(annMail, 'DKIM-Signature')?.replace(/\s+/g, '') ?? '';
    expect(dkim).toContain('d=bakery.example');
    const html = String(annMail.html);
    expect(html).toContain('Hello <strong>Ann</strong>!');
    expect(html).not.toContain('href="https://shop.example.com');

    const clickUrl = /href="http:\/\/herald\.test(\/e\/b\/[^"]+)"/.exec(html)?.[1] ?? '';
    const click = await ctx.app.inject({ method: 'GET', url: clickUrl });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://shop.example.com/bread');
    const pixel = /src="http:\/\/herald\.test(\/e\/b\/[^"]+)"/.exec(html)?.[1] ?? '';
    const open = await ctx.app.inject({ method: 'GET', url: pixel });
    expect(open.headers['content-type']).toBe('image/gif');
    await ctx.app.inject({ method: 'GET', url: pixel });

    const unsubscribePath = (rawHeader(annMail, 'List-Unsubscribe') ?? '')
      .slice(1, -1)
      .replace('http://herald.test', '');
    const landing = await ctx.app.inject({ method: 'GET', url: unsubscribePath });
    expect(landing.body).toContain(ann);
    const oneClick = await ctx.app.inject({
      method: 'POST',
      url: unsubscribePath,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode).toBe(200);

    const analytics = await api<Analytics>('GET', `${broadcast}/analytics`);
    expect(analytics.body.totals).toMatchObject({
      recipients: 2,
      sent: 2,
      delivered: 2,
      opened: 1,
      clicked: 1,
      unsubscribed: 1,
      openRate: 0.5,
      clickRate: 0.5,
    });

    const events = rowsOf<{ event: string; email: string; properties: Record<string, unknown> }>(
      await db().execute(sql`
        select event, email, properties from events where business_id = ${business.id}::uuid
        order by event, email`),
    );
    const named = (name: string) => events.filter((event) => event.event === name);
    expect(
      named('Email Delivered')
        .map((event) => event.email)
        .sort(),
    ).toEqual([ann, bob].sort());
    expect(named('Email Opened')).toHaveLength(1);
    expect(named('Email Link Clicked')[0]?.properties).toMatchObject({
      broadcastId: created.body.id,
      variant: 'A',
      subject: 'Fresh bread, {{ subscriber.first_name | default: "friend" }}',
      url: 'https://shop.example.com/bread',
    });
    const suppressionList = await api<{ items: { email: string; reason: string }[] }>(
      'GET',
      `/api/v1/businesses/${business.id}/suppressions`,
    );
    expect(suppressionList.body.items.map((item) => item.email)).toContain(ann);
  });

  it('re-running dispatch after a worker crash sends each subscriber once, with the same Message-ID', async () => {
    const business = await newBusiness(ctx.app, owner);
    const addresses = ['a', 'b', 'c', 'd'].map(emailOf);
    for (const email of addresses) await subscriber(business.id, { email });
    const base = `/api/v1/businesses/${business.id}/broadcasts`;
    const created = await api<Broadcast>('POST', base, {
      name: 'Crash',
      variants: [{ subject: 'Once', html: '<p>Once only</p>' }],
    });
    await api('POST', `${base}/${created.body.id}/schedule`, {});
    const now = Date.now() + 1000;
    const repository = await import('../../src/modules/broadcasts/dispatch-repository.ts');
    const dispatchSql = repository.createBroadcastDispatchRepository(db());
    await ctx.runtime.services.broadcastDispatcher.materialiseDue(new Date(now));
    const claimed = await dispatchSql.claimDue({
      now: new Date(now),
      batchSize: 3,
      perMinute: 1000,
      workerId: 'dead',
    });
    // The dead worker sent one of its three and crashed before marking any sent.
    expect(claimed).toHaveLength(3);
    const [first] = await dispatchSql.sendable([claimed[0] ?? '']);
    const { broadcastMessageId } = await import('../../src/modules/broadcasts/dispatcher.ts');
    const { createTransport } = await import('nodemailer');
    const transport = createTransport({
      host: '127.0.0.1',
      port: receiver.port,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: 'herald@bakery.example',
      to: first?.email,
      subject: 'Once',
      text: 'Once only',
      messageId: broadcastMessageId(claimed[0] ?? '', 'bakery.example'),
    });
    transport.close();

    // Before the claims go stale the fourth is sent; after, the three are reclaimed and sent.
    expect((await dispatch(new Date(now + 1000))).sent).toBe(1);
    const later = await dispatch(new Date(now + 10 * 60_000));
    expect(later.reclaimed).toBe(3);
    expect((await dispatch(new Date(now + 20 * 60_000))).sent).toBe(0);
    const perAddress = await Promise.all(
      addresses.map(async (email) => (await receiver.to(email)).length),
    );
    // The one sent before the crash is sent again under the same Message-ID (the documented window).
    const ids = (await Promise.all(addresses.map((email) => receiver.to(email))))
      .flat()
      .map((mail) => mail.messageId);
    expect(perAddress.reduce((sum, n) => sum + n, 0)).toBe(5);
    expect(new Set(ids).size).toBe(4);
    const rows = rowsOf<{ n: number }>(
      await db().execute(
        sql`select count(*)::int as n from broadcast_deliveries where broadcast_id = ${created.body.id}::uuid and status = 'sent'`,
      ),
    );
    expect(rows[0]?.n).toBe(4);
  });

  it('checks templates: Liquid errors and unknown blocks are 400s, blocks render by name, nesting is bounded', async () => {
    const business = await newBusiness(ctx.app, owner);
    const base = `/api/v1/businesses/${business.id}/templates`;
    const broken = await api<{
      error: { code: string; details: { issues: { path: string; line: number }[] } };
    }>('POST', base, {
      name: 'Broken',
      subject: 'Hi',
      html: '<p>ok</p>\n<p>{{ subscriber.name | shout }}</p>',
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.details.issues[0]).toMatchObject({ path: 'body.html', line: 2 });
    const unclosed = await api('POST', base, {
      name: 'Open',
      subject: '{% if x %}',
      html: '<p>x</p>',
    });
    expect(unclosed.status).toBe(400);
    const unknownBlock = await api('POST', base, {
      name: 'Footerless',
      subject: 'Hi',
      html: "<p>x</p>{% render 'footer' %}",
    });
    expect(unknownBlock.status).toBe(400);
    expect((await api('GET', base)).body).toMatchObject({ items: [] });

    const footer = await api<{ id: string }>('POST', base, {
      kind: 'block',
      name: 'footer',
      html: '<p>Blue Bottle, {{ business.name }}</p>',
    });
    expect(footer.status).toBe(201);
    const template = await api<{ id: string }>('POST', base, {
      name: 'Weekly',
      subject: 'This week',
      markdown: "Hello!\n\n{% render 'footer' %}",
    });
    expect(template.status).toBe(201);
    const preview = await api<{ html: string }>('POST', `${base}/preview`, {
      subject: 'x',
      html: "<p>Hi</p>{% render 'footer' %}",
    });
    expect(preview.status).toBe(200);
    expect(preview.body.html).toMatch(/<p>Blue Bottle, [^<]+<\/p>/);
    expect(preview.body.html).not.toContain('{{');
    // A block that includes itself never saves.
    const loop = await api('PATCH', `${base}/${footer.body.id}`, {
      html: "<p>x</p>{% render 'footer' %}",
    });
    expect(loop.status).toBe(400);
    // A broadcast made from the template sends the block in place.
    const created = await api<{ variants: { html: string }[] }>(
      'POST',
      `/api/v1/businesses/${business.id}/broadcasts`,
      { name: 'From template', templateId: template.body.id },
    );
    expect(created.status).toBe(201);
    expect(created.body.variants[0]?.html).toContain("{% render 'footer' %}");
    const badVariant = await api<{ error: { details: { issues: { path: string }[] } } }>(
      'POST',
      `/api/v1/businesses/${business.id}/broadcasts`,
      { name: 'Bad', variants: [{ subject: 'Hi {{ x | nope }}', html: '<p>x</p>' }] },
    );
    expect(badVariant.status).toBe(400);
    expect(badVariant.body.error.details.issues[0]?.path).toBe('body.variants.0.subject');
  });

  it('A/B: the test share is split over the variants, the winner by clicks goes to the rest', async () => {
    const business = await newBusiness(ctx.app, owner);
    const addresses = Array.from({ length: 20 }, (_, i) => emailOf(`ab${String(i)}`));
    for (const email of addresses) await subscriber(business.id, { email });
    const base = `/api/v1/businesses/${business.id}/broadcasts`;
    const created = await api<Broadcast>('POST', base, {
      name: 'Subject test',
      variants: [
        { subject: 'Plain subject', html: '<p><a href="https://shop.example.com/a">Shop</a></p>' },
        {
          subject: 'Exciting subject',
          html: '<p><a href="https://shop.example.com/b">Shop</a></p>',
        },
      ],
      abTest: { metric: 'clicks', testPercent: 50, waitMinutes: 60 },
    });
    expect(created.status).toBe(201);
    const broadcast = `${base}/${created.body.id}`;
    await api('POST', `${broadcast}/schedule`, {});
    const now = Date.now() + 1000;
    expect((await dispatch(new Date(now))).sent).toBe(10);
    let analytics = (await api<Analytics>('GET', `${broadcast}/analytics`)).body;
    expect(analytics.variants.map((variant) => variant.sent)).toEqual([5, 5]);
    expect(analytics.held).toBe(10);

    // Two of variant B's recipients click; one of A's.
    const mails = (await Promise.all(addresses.map((email) => receiver.to(email)))).flat();
    const bMails = mails.filter((mail) => mail.subject === 'Exciting subject');
    const aMails = mails.filter((mail) => mail.subject === 'Plain subject');
    for (const mail of [...bMails.slice(0, 2), ...aMails.slice(0, 1)]) {
      const url = /href="http:\/\/herald\.test(\/e\/b\/[^"]+)"/.exec(String(mail.html))?.[1] ?? '';
      expect((await ctx.app.inject({ method: 'GET', url })).statusCode).toBe(302);
    }
    // Before the wait is over nothing more goes out.
    expect((await dispatch(new Date(now + 30 * 60_000))).sent).toBe(0);
    const decided = await dispatch(new Date(now + 61 * 60_000));
    expect(decided).toMatchObject({ decided: 1, sent: 10, finished: 1 });
    analytics = (await api<Analytics>('GET', `${broadcast}/analytics`)).body;
    expect(analytics.winner).toBe('B');
    expect(
      analytics.variants.map((variant) => [variant.key, variant.sent, variant.clicked]),
    ).toEqual([
      ['A', 5, 1],
      ['B', 15, 2],
    ]);
    const perAddress = await Promise.all(
      addresses.map(async (email) => (await receiver.to(email)).length),
    );
    expect(perAddress.every((n) => n === 1)).toBe(true);
  });

  it('sends at each recipient\u2019s local time when their zone is known, the rest at the business time', async () => {
    const business = await newBusiness(ctx.app, owner);
    const [ny = '', tokyo = '', plain = ''] = emailsOf('ny', 'tokyo', 'plain');
    await subscriber(business.id, { email: ny, attributes: { timezone: 'America/New_York' } });
    await subscriber(business.id, { email: tokyo, attributes: { timezone: 'Asia/Tokyo' } });
    await subscriber(business.id, { email: plain, attributes: { timezone: 'Nowhere/Special' } });
    const base = `/api/v1/businesses/${business.id}/broadcasts`;
    const created = await api<Broadcast>('POST', base, {
      name: 'Morning',
      variants: [{ subject: 'Good morning', html: '<p>Coffee?</p>' }],
    });
    const at = '2027-01-15T09:00:00Z';
    const scheduled = await api<Broadcast>('POST', `${base}/${created.body.id}/schedule`, {
      at,
      localTime: true,
    });
    expect(scheduled.status).toBe(200);
    // 09:00Z is 10:00 in the business's zone (Europe/Paris): Tokyo's 10:00 is 01:00Z, New York's
    // 15:00Z; an unknown zone gets the business's time.
    expect((await dispatch(new Date('2027-01-15T00:59:00Z'))).sent).toBe(0);
    expect((await dispatch(new Date('2027-01-15T01:00:30Z'))).sent).toBe(1);
    expect(await receiver.to(tokyo)).toHaveLength(1);
    expect((await dispatch(new Date('2027-01-15T09:00:30Z'))).sent).toBe(1);
    expect(await receiver.to(plain)).toHaveLength(1);
    const view = await api<Broadcast>('GET', `${base}/${created.body.id}`);
    expect(view.body.status).toBe('sending');
    expect(new Date(view.body.estimatedFinishAt ?? 0).getTime()).toBeGreaterThanOrEqual(
      Date.parse('2027-01-15T15:00:00Z'),
    );
    expect((await dispatch(new Date('2027-01-15T15:00:30Z'))).sent).toBe(1);
    expect(await receiver.to(ny)).toHaveLength(1);
    expect((await api<Broadcast>('GET', `${base}/${created.body.id}`)).body.status).toBe('sent');
  });

  it('keeps broadcasts and templates to their business and sending to approvers; test sends go to the team only', async () => {
    const business = await newBusiness(ctx.app, owner);
    const base = `/api/v1/businesses/${business.id}/broadcasts`;
    const created = await api<Broadcast>('POST', base, {
      name: 'Private',
      variants: [{ subject: 'Hi', html: '<p>Hi</p>' }],
    });
    const stranger = await newUser(ctx.app);
    const asStranger = suiteApi(() => ({ app: ctx.app, user: stranger }));
    expect((await asStranger('GET', `${base}/${created.body.id}`)).status).toBe(404);
    const strangerBusiness = await newBusiness(ctx.app, stranger);
    expect(
      (await api('GET', `/api/v1/businesses/${strangerBusiness.id}/broadcasts/${created.body.id}`))
        .status,
    ).toBe(404);

    const editor = await newUser(ctx.app);
    const viewer = await newUser(ctx.app);
    await addMember(db(), business.id, editor, 'editor');
    await addMember(db(), business.id, viewer, 'viewer');
    const asEditor = suiteApi(() => ({ app: ctx.app, user: editor }));
    const asViewer = suiteApi(() => ({ app: ctx.app, user: viewer }));
    expect((await asViewer('GET', `${base}/${created.body.id}`)).status).toBe(200);
    expect(
      (await asViewer('POST', base, { name: 'x', variants: [{ subject: 'x', html: '<p>x</p>' }] }))
        .status,
    ).toBe(403);
    const drafted = await asEditor<Broadcast>('POST', base, {
      name: 'By the editor',
      variants: [{ subject: 'x', html: '<p>x</p>' }],
    });
    expect(drafted.status).toBe(201);
    expect((await asEditor('POST', `${base}/${drafted.body.id}/schedule`, {})).status).toBe(403);

    const toStranger = await api('POST', `${base}/${created.body.id}/test`, { to: stranger.email });
    expect(toStranger.status).toBe(400);
    const test = await api('POST', `${base}/${created.body.id}/test`, { to: editor.email });
    expect(test.status).toBe(200);
    const [mail] = await receiver.to(editor.email);
    expect(mail?.subject).toBe('[Test] Hi');

    expect((await api('POST', `${base}/${created.body.id}/cancel`)).status).toBe(200);
    expect((await api<Broadcast>('GET', `${base}/${created.body.id}`)).body.status).toBe(
      'cancelled',
    );
    expect((await api('POST', `${base}/${created.body.id}/schedule`, {})).status).toBe(409);
  });
});

// Sequences end to end through a real SMTP receiver on loopback: what arrives (headers, DKIM,
// rendered Liquid, tracked links), one-click unsubscribe, suppression, pause/resume, send
// windows across a daylight-saving change, and template errors at save time.
import { generateKeyPairSync, randomUUID } from 'node:crypto';

import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { rawHeader, type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

const DAY = 86_400_000;

describe('email sequences over SMTP', () => {
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

  const dispatch = (now: Date) => ctx.runtime.services.sequenceDispatcher.runOnce(now);

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

  async function mailTo(address: string): Promise<ParsedMail[]> {
    return receiver.to(address);
  }

  const steps = [
    {
      subject: 'Welcome, {{ subscriber.first_name | default: "friend" }}',
      preheader: 'Fresh bread inside',
      html: '<p>Hello {{ subscriber.first_name | default: "there" }} from {{ subscriber.city | default: "town" }}!</p><p><a href="https://shop.example.com/bread?x=1&amp;y=2">Order</a></p>',
      text: 'Hello {{ subscriber.first_name | default: "there" }}',
    },
    {
      delay: { value: 1, unit: 'days' },
      subject: 'Day two',
      html: '<p>Second email</p>',
    },
  ];

  it('sends each step once with signed one-click headers, rendered Liquid and tracked links; one-click unsubscribe stops the next step', async () => {
    const business = await newBusiness(ctx.app, owner, {
      defaultSender: {
        name: 'Blue Bottle',
        email: 'hello@bakery.example',
        replyTo: 'owner@bakery.example',
      },
    });
    const ann = `ann-${randomUUID()}@example.org`;
    const bob = `bob-${randomUUID()}@example.org`;
    await subscriber(business.id, {
      email: ` ${ann.toUpperCase()} `,
      firstName: '<b>Ann</b>',
      attributes: { city: 'Lyon' },
    });
    await subscriber(business.id, { email: bob });
    const created = await api<{ id: string; status: string }>(
      'POST',
      `/api/v1/businesses/${business.id}/sequences`,
      { name: 'Welcome', steps },
    );
    expect(created.status).toBe(201);
    const base = `/api/v1/businesses/${business.id}/sequences/${created.body.id}`;
    const enrolled = await api<{ enrolled: number }>('POST', `${base}/enrollments`, {
      filter: { all: true },
    });
    expect(enrolled.body.enrolled).toBe(2);
    // A draft sends nothing.
    expect((await dispatch(new Date(Date.now() + 1000))).claimed).toBe(0);
    expect((await api('POST', `${base}/activate`)).status).toBe(200);

    const now = Date.now() + 1000;
    const first = await dispatch(new Date(now));
    expect(first.sent).toBe(2);
    // Nothing more is due, and a second round does not re-send.
    expect((await dispatch(new Date(now + 1000))).sent).toBe(0);

    const [annMail] = await mailTo(ann);
    if (!annMail) throw new Error('no email for Ann');
    expect(annMail.subject).toBe('Welcome, <b>Ann</b>');
    expect(annMail.from?.text).toBe('"Blue Bottle" <hello@bakery.example>');
    expect(annMail.replyTo?.text).toBe('owner@bakery.example');
    expect(annMail.messageId).toMatch(/^<[0-9a-f-]{36}@bakery\.example>$/);
    const html = String(annMail.html);
    expect(html).toContain('Hello &lt;b&gt;Ann&lt;/b&gt; from Lyon!');
    expect(html).not.toContain('<b>Ann</b>');
    expect(annMail.text).toContain('Hello <b>Ann</b>');
    const listUnsubscribe = rawHeader(annMail, 'List-Unsubscribe') ?? '';
    expect(listUnsubscribe).toMatch(/^<http:\/\/herald\.test\/e\/u\/[^>]+>$/);
    expect(rawHeader(annMail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const dkim = rawHeader(annMail, 'DKIM-Signature')?.replace(/\s+/g, '') ?? '';
    expect(dkim).toContain('d=bakery.example');
    const signed = (/(?:^|;)h=([^;]+)/.exec(dkim)?.[1] ?? '').toLowerCase().split(':');
    expect(signed).toEqual(
      expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'message-id']),
    );
    // A visible unsubscribe link, and the shop link goes through the click redirect.
    const unsubscribeUrl = listUnsubscribe.slice(1, -1);
    expect(html).toContain(`href="${unsubscribeUrl}"`);
    const clickUrl = /href="(http:\/\/herald\.test\/e\/c\/[^"]+)"/.exec(html)?.[1] ?? '';
    expect(clickUrl).not.toBe('');
    expect(html).not.toContain('href="https://shop.example.com');
    const click = await ctx.app.inject({
      method: 'GET',
      url: clickUrl.replace('http://herald.test', ''),
    });
    expect(click.statusCode, `${clickUrl} ${click.body.slice(0, 200)}`).toBe(302);
    expect(click.headers.location).toBe('https://shop.example.com/bread?x=1&y=2');
    // A forged token (another URL under a copied signature) goes nowhere.
    const [, signature] = clickUrl.split('.').slice(-2);
    const forgedBody = Buffer.from(
      JSON.stringify({ k: 'c', d: randomUUID(), u: 'https://evil.example' }),
    ).toString('base64url');
    const forged = await ctx.app.inject({
      method: 'GET',
      url: `/e/c/${forgedBody}.${signature ?? ''}`,
    });
    expect(forged.statusCode).toBe(404);
    const pixel = /src="(http:\/\/herald\.test\/e\/o\/[^"]+)"/.exec(html)?.[1] ?? '';
    const open = await ctx.app.inject({
      method: 'GET',
      url: pixel.replace('http://herald.test', ''),
    });
    expect(open.headers['content-type']).toBe('image/gif');

    // The landing page does not unsubscribe by itself; the one-click POST does.
    const path = unsubscribeUrl.replace('http://herald.test', '');
    const landing = await ctx.app.inject({ method: 'GET', url: path });
    expect(landing.statusCode).toBe(200);
    expect(landing.body).toContain(ann);
    const oneClick = await ctx.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode).toBe(200);

    const second = await dispatch(new Date(now + 2 * DAY));
    expect(second.sent).toBe(1);
    expect((await mailTo(ann)).map((mail) => mail.subject)).toEqual(['Welcome, <b>Ann</b>']);
    expect((await mailTo(bob)).map((mail) => mail.subject)).toEqual(['Welcome, friend', 'Day two']);

    const suppressions = await api<{ items: { email: string; reason: string }[] }>(
      'GET',
      `/api/v1/businesses/${business.id}/suppressions`,
    );
    expect(suppressions.body.items).toEqual([
      expect.objectContaining({ email: ann, reason: 'unsubscribed' }),
    ]);
    const analytics = await api<{
      enrolled: number;
      totals: { delivered: number; opened: number; clicked: number; unsubscribed: number };
      steps: { delivered: number }[];
      series: { sent: number }[];
    }>('GET', `${base}/analytics`);
    expect(analytics.body.enrolled).toBe(2);
    expect(analytics.body.totals).toMatchObject({
      delivered: 3,
      opened: 1,
      clicked: 1,
      unsubscribed: 1,
    });
    expect(analytics.body.steps.map((step) => step.delivered)).toEqual([2, 1]);
    // Every delivery has its own Message-ID; none arrived twice.
    const ids = [...(await mailTo(ann)), ...(await mailTo(bob))].map((mail) => mail.messageId);
    expect(new Set(ids).size).toBe(3);
  });

  it('never sends to a suppressed address, whether suppressed before or after enrollment', async () => {
    const business = await newBusiness(ctx.app, owner);
    const carol = `carol-${randomUUID()}@example.org`;
    const dave = `dave-${randomUUID()}@example.org`;
    expect(
      (
        await api('POST', `/api/v1/businesses/${business.id}/suppressions`, {
          email: carol,
          reason: 'complained',
        })
      ).status,
    ).toBe(201);
    const carolId = await subscriber(business.id, { email: carol });
    const daveId = await subscriber(business.id, { email: dave });
    const created = await api<{ id: string }>(
      'POST',
      `/api/v1/businesses/${business.id}/sequences`,
      {
        name: 'Promo',
        steps: [steps[0]],
      },
    );
    const base = `/api/v1/businesses/${business.id}/sequences/${created.body.id}`;
    const enrolled = await api<{ enrolled: number; skipped: number }>(
      'POST',
      `${base}/enrollments`,
      {
        subscriberIds: [carolId, daveId],
      },
    );
    expect(enrolled.body).toEqual({ enrolled: 1, skipped: 1 });
    await api('POST', `/api/v1/businesses/${business.id}/suppressions`, {
      email: dave,
      reason: 'bounced',
    });
    await api('POST', `${base}/activate`);
    await dispatch(new Date(Date.now() + 1000));
    expect(await mailTo(carol)).toEqual([]);
    expect(await mailTo(dave)).toEqual([]);
  });

  it('pausing stops further sends and resuming continues without re-sending', async () => {
    const business = await newBusiness(ctx.app, owner);
    const erin = `erin-${randomUUID()}@example.org`;
    await subscriber(business.id, { email: erin, firstName: 'Erin' });
    const created = await api<{ id: string }>(
      'POST',
      `/api/v1/businesses/${business.id}/sequences`,
      {
        name: 'Drip',
        steps,
      },
    );
    const base = `/api/v1/businesses/${business.id}/sequences/${created.body.id}`;
    await api('POST', `${base}/enrollments`, { filter: { all: true } });
    await api('POST', `${base}/activate`);
    const now = Date.now() + 1000;
    const subjects = async () => (await mailTo(erin)).map((mail) => mail.subject);
    await dispatch(new Date(now));
    expect(await subjects()).toEqual(['Welcome, Erin']);
    expect((await api<{ status: string }>('POST', `${base}/pause`)).body.status).toBe('paused');
    await dispatch(new Date(now + 3 * DAY));
    expect(await subjects()).toEqual(['Welcome, Erin']);
    expect((await api('POST', `${base}/pause`)).status).toBe(200);
    expect((await api<{ status: string }>('POST', `${base}/resume`)).body.status).toBe('active');
    await dispatch(new Date(now + 3 * DAY));
    await dispatch(new Date(now + 9 * DAY));
    expect((await mailTo(erin)).map((mail) => mail.subject)).toEqual(['Welcome, Erin', 'Day two']);
  });

  it("holds a step outside its send window until the window opens in the business's timezone, across a DST change", async () => {
    const business = await newBusiness(ctx.app, owner, { timezone: 'America/New_York' });
    const fay = `fay-${randomUUID()}@example.org`;
    await subscriber(business.id, { email: fay });
    const created = await api<{ id: string }>(
      'POST',
      `/api/v1/businesses/${business.id}/sequences`,
      {
        name: 'Weekday news',
        steps: [
          {
            ...steps[1],
            delay: { value: 0, unit: 'minutes' },
            sendWindow: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
          },
        ],
      },
    );
    const base = `/api/v1/businesses/${business.id}/sequences/${created.body.id}`;
    await api('POST', `${base}/enrollments`, { filter: { all: true } });
    await api('POST', `${base}/activate`);
    // Saturday 13 March 2027, 15:00 in New York (EST, UTC−5); clocks go forward on Sunday 14.
    const saturday = new Date('2027-03-13T20:00:00Z');
    await dispatch(saturday);
    expect(await mailTo(fay)).toEqual([]);
    const enrollments = await api<{ items: { nextSendAt: string }[] }>(
      'GET',
      `${base}/enrollments`,
    );
    // Monday 15 March, 09:00 EDT (UTC−4) — not 14:00Z, which the winter offset would give.
    expect(enrollments.body.items[0]?.nextSendAt).toBe('2027-03-15T13:00:00.000Z');
    await dispatch(new Date('2027-03-15T12:59:00Z'));
    expect(await mailTo(fay)).toEqual([]);
    await dispatch(new Date('2027-03-15T13:00:00Z'));
    expect(await mailTo(fay)).toHaveLength(1);
  });

  it('reports a template error at save time with its line, and saves nothing', async () => {
    const business = await newBusiness(ctx.app, owner);
    const response = await api<{
      error: {
        code: string;
        message: string;
        details: { issues: { path: string; line: number }[] };
      };
    }>('POST', `/api/v1/businesses/${business.id}/sequences`, {
      name: 'Broken',
      steps: [{ subject: 'Hi', html: '<p>one</p>\n<p>{% if subscriber.first_name %}two</p>' }],
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(response.body.error.details.issues[0]).toMatchObject({ path: 'body.html', line: 2 });
    const list = await api<{ items: unknown[] }>(
      'GET',
      `/api/v1/businesses/${business.id}/sequences`,
    );
    expect(list.body.items).toEqual([]);
  });
});

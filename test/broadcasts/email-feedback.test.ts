// Complaints and bounces reported after sending (POST …/email/feedback): mail goes out through a
// real SMTP receiver on loopback, and the report is built around the message the receiver got —
// an ARF feedback report, a DSN, or a relay webhook's JSON — as an operator's relay would post it
// with a business API key. The report lands on the customer's timeline once, suppresses and stops
// as it should, counts in the analytics and feeds segment rules; another business's Message-ID,
// and malformed input, change nothing.
import { randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { drainEvents } from '../customers/events.ts';
import { suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newBusiness,
  newBusinessApiKey,
  newUser,
  type TestBusiness,
  type TestUser,
} from '../helpers/fixtures.ts';
import {
  type ReceivedMessage,
  type SmtpReceiver,
  startSmtpReceiver,
} from '../helpers/smtp-receiver.ts';

const CRLF = '\r\n';

/** An ARF report (RFC 5965) as a mailbox provider's feedback loop sends it. */
function arfReport(original: string, recipient: string, boundary = 'fbl-7f3a'): string {
  return [
    'From: Feedback Loop <fbl@mailbox.example>',
    'To: fbl@bakery.example',
    'Subject: FW: complaint',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=feedback-report;${CRLF}\tboundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset="US-ASCII"',
    '',
    'This is an email abuse report for an email message received from IP 192.0.2.1.',
    `--${boundary}`,
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: SomeGenerator/1.0',
    'Version: 1',
    `Original-Rcpt-To: <${recipient}>`,
    'Arrival-Date: Thu, 8 Mar 2026 14:00:00 +0000',
    '',
    `--${boundary}`,
    'Content-Type: message/rfc822',
    'Content-Disposition: inline',
    '',
    original,
    `--${boundary}--`,
    '',
  ].join(CRLF);
}

/** A DSN (RFC 3464) quoting the original's headers. */
function dsnReport(original: string, recipient: string, action: string, status: string): string {
  const headers = original.slice(0, original.indexOf('\r\n\r\n'));
  return [
    'From: Mail Delivery System <MAILER-DAEMON@relay.example>',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-b1"',
    '',
    '--dsn-b1',
    'Content-Type: text/plain',
    '',
    'I am sorry to have to inform you that your message could not be delivered.',
    '',
    '--dsn-b1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; relay.example',
    'Arrival-Date: Thu, 8 Mar 2026 14:00:00 +0000',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    `Original-Recipient: rfc822;${recipient}`,
    `Action: ${action}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${status.startsWith('5') ? '550 5.1.1 User unknown' : '451 4.4.7 Try later'}`,
    '',
    '--dsn-b1',
    'Content-Type: text/rfc822-headers',
    '',
    headers,
    '',
    '--dsn-b1--',
    '',
  ].join(CRLF);
}

describe('email feedback: complaints and bounces', () => {
  let receiver: SmtpReceiver;
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;
  let relay: { 'x-api-key': string };

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    ctx = await buildTestApp({ env: { SMTP_URL: receiver.url, PUBLIC_URL: 'http://herald.test' } });
    owner = await newUser(ctx.app);
  });
  // A business per test: a broadcast to everyone reaches only this test's subscribers.
  beforeEach(async () => {
    business = await newBusiness(ctx.app, owner);
    relay = (
      await newBusinessApiKey(ctx.runtime.database.db, owner, business.id, ['read', 'write'])
    ).headers;
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  const api = suiteApi(() => ({ app: ctx.app, user: owner }));
  const db = () => ctx.runtime.database.db;
  const path = () => `/api/v1/businesses/${business.id}`;
  const emailOf = (name: string) => `${name}-${randomUUID()}@example.org`;

  async function postFeedback(
    payload: string | object,
    contentType = 'message/rfc822',
    options: { businessId?: string; headers?: Record<string, string> } = {},
  ) {
    const response = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${options.businessId ?? business.id}/email/feedback`,
      headers: {
        ...(options.headers ?? relay),
        'content-type': typeof payload === 'string' ? contentType : 'application/json',
      },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  }

  function mailTo(address: string): ReceivedMessage & { text: string } {
    const message = receiver.messages.find((received) => received.envelopeTo.includes(address));
    if (!message) throw new Error(`no mail for ${address}`);
    return { ...message, text: message.raw.toString('utf8') };
  }

  async function subscriber(email: string) {
    const created = await api<{ id: string }>('POST', `${path()}/subscribers`, {
      email,
      firstName: 'Ann',
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  /** Sends step 1 of a two-step sequence to these addresses (step 2 keeps them enrolled). */
  async function sendSequence(emails: string[]) {
    const subscriberIds: string[] = [];
    for (const email of emails) subscriberIds.push(await subscriber(email));
    const sequence = await api<{ id: string }>('POST', `${path()}/sequences`, {
      name: `Welcome ${randomUUID()}`,
      steps: [
        { subject: 'Hello {{ subscriber.first_name }}', html: '<p>Fresh bread</p>' },
        { delayMinutes: 60 * 24, subject: 'Still hungry?', html: '<p>Cake</p>' },
      ],
    });
    const base = `${path()}/sequences/${sequence.body.id}`;
    await api('POST', `${base}/enrollments`, { subscriberIds });
    expect((await api('POST', `${base}/activate`)).status).toBe(200);
    await ctx.runtime.services.sequenceDispatcher.runOnce(new Date(Date.now() + 1000));
    return sequence.body.id;
  }

  async function sendBroadcast(emails: string[]) {
    for (const email of emails) await subscriber(email);
    const created = await api<{ id: string }>('POST', `${path()}/broadcasts`, {
      name: `Spring bake ${randomUUID()}`,
      variants: [{ subject: 'Fresh bread this week', markdown: 'Hello!' }],
      audience: { type: 'all' },
    });
    expect(created.status).toBe(201);
    expect((await api('POST', `${path()}/broadcasts/${created.body.id}/schedule`, {})).status).toBe(
      200,
    );
    await ctx.runtime.services.broadcastDispatcher.runOnce(new Date(Date.now() + 1000));
    return created.body.id;
  }

  async function eventsFor(email: string) {
    return rowsOf<{ event: string; message_id: string; properties: Record<string, unknown> }>(
      await db().execute(sql`
        select event, message_id, properties from events
        where business_id = ${business.id}::uuid and email = ${email} order by received_at, event`),
    );
  }
  async function suppressionOf(email: string) {
    return rowsOf<{ reason: string }>(
      await db().execute(sql`
        select reason from suppressions where business_id = ${business.id}::uuid and email = ${email}`),
    )[0]?.reason;
  }
  async function enrollmentStatuses(email: string) {
    return rowsOf<{ status: string }>(
      await db().execute(sql`
        select e.status from enrollments e join subscribers s on s.id = e.subscriber_id
        where s.business_id = ${business.id}::uuid and s.email = ${email}`),
    ).map((row) => row.status);
  }

  it('an ARF complaint about a sequence email suppresses the address, stops its enrollments, lands on the timeline once and matches a segment rule', async () => {
    const ann = emailOf('ann');
    const bob = emailOf('bob');
    const sequenceId = await sendSequence([ann, bob]);
    const mail = mailTo(ann);
    expect(mail.text).toMatch(/X-Herald-Delivery:/i);
    expect(await enrollmentStatuses(ann)).toEqual(['active']);

    const report = arfReport(mail.text, ann);
    const first = await postFeedback(report);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      type: 'complaint',
      bounceType: null,
      delivery: { kind: 'sequence' },
      duplicate: false,
    });
    const again = await postFeedback(report);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true });

    expect(await suppressionOf(ann)).toBe('complained');
    expect(await enrollmentStatuses(ann)).toEqual(['unsubscribed']);
    // Bob's mail was not complained about.
    expect(await suppressionOf(bob)).toBeUndefined();
    expect(await enrollmentStatuses(bob)).toEqual(['active']);
    const spam = (await eventsFor(ann)).filter((event) => event.event === 'Email Marked as Spam');
    expect(spam).toHaveLength(1);
    expect(spam[0]?.properties).toMatchObject({
      sequenceId,
      subject: 'Hello Ann',
      feedbackType: 'abuse',
    });

    const analytics = await api<{ totals: { complained: number; delivered: number } }>(
      'GET',
      `${path()}/sequences/${sequenceId}/analytics`,
    );
    expect(analytics.body.totals).toMatchObject({ complained: 1, delivered: 2 });

    // A segment "did Email Marked as Spam" has Ann, not Bob.
    await drainEvents(db(), business.id, () =>
      ctx.runtime.services.customerProcessor.processOnce(),
    );
    const segment = await api<{ id: string }>('POST', `${path()}/segments`, {
      name: 'Complainers',
      rules: { all: [{ event: 'Email Marked as Spam', count: { op: 'gte', value: 1 } }] },
    });
    expect(segment.status, JSON.stringify(segment.body)).toBe(201);
    await ctx.runtime.services.segments.refreshSegment(segment.body.id);
    const members = await api<{ items: { email: string | null }[] }>(
      'GET',
      `${path()}/segments/${segment.body.id}/customers`,
    );
    expect(members.body.items.map((member) => member.email)).toEqual([ann]);
  });

  it('an ARF complaint about a broadcast, posted as multipart/report, counts in its analytics', async () => {
    const cat = emailOf('cat');
    const dan = emailOf('dan');
    const broadcastId = await sendBroadcast([cat, dan]);
    const mail = mailTo(cat);
    expect(mail.text).toMatch(/X-Herald-Broadcast:/i);
    // A webhook posts the report's body with its Content-Type as the request's.
    const report = arfReport(mail.text, cat, 'webhook-b');
    const body = report.slice(report.indexOf('\r\n\r\n') + 4);
    const contentType = 'multipart/report; report-type=feedback-report; boundary="webhook-b"';
    const first = await postFeedback(body, contentType);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ type: 'complaint', delivery: { kind: 'broadcast' } });
    expect((await postFeedback(body, contentType)).body).toMatchObject({ duplicate: true });

    expect(await suppressionOf(cat)).toBe('complained');
    expect(await suppressionOf(dan)).toBeUndefined();
    const spam = (await eventsFor(cat)).filter((event) => event.event === 'Email Marked as Spam');
    expect(spam).toHaveLength(1);
    expect(spam[0]?.properties).toMatchObject({ broadcastId, subject: 'Fresh bread this week' });
    const analytics = await api<{ totals: { complained: number; delivered: number } }>(
      'GET',
      `${path()}/broadcasts/${broadcastId}/analytics`,
    );
    expect(analytics.body.totals).toMatchObject({ complained: 1, delivered: 2 });
  });

  it('a DSN: a hard bounce (5.x.x) suppresses and counts as bounced; a soft one (4.x.x) is recorded only', async () => {
    const eve = emailOf('eve');
    const fay = emailOf('fay');
    const sequenceId = await sendSequence([eve, fay]);

    const hard = dsnReport(mailTo(eve).text, eve, 'failed', '5.1.1');
    const first = await postFeedback(hard, 'text/plain');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ type: 'bounce', bounceType: 'hard', duplicate: false });
    expect((await postFeedback(hard, 'text/plain')).body).toMatchObject({ duplicate: true });
    expect(await suppressionOf(eve)).toBe('bounced');
    expect(await enrollmentStatuses(eve)).toEqual(['cancelled']);
    const bounced = (await eventsFor(eve)).filter((event) => event.event === 'Email Bounced');
    expect(bounced).toHaveLength(1);
    expect(bounced[0]?.properties).toMatchObject({ bounceType: 'hard', sequenceId });
    expect(String(bounced[0]?.properties.reason)).toContain('5.1.1');

    const soft = dsnReport(mailTo(fay).text, fay, 'delayed', '4.4.7');
    const softResult = await postFeedback(soft);
    expect(softResult.body).toMatchObject({ type: 'bounce', bounceType: 'soft', duplicate: false });
    expect((await postFeedback(soft)).body).toMatchObject({ duplicate: true });
    expect(await suppressionOf(fay)).toBeUndefined();
    expect(await enrollmentStatuses(fay)).toEqual(['active']);
    const softEvents = (await eventsFor(fay)).filter((event) => event.event === 'Email Bounced');
    expect(softEvents.map((event) => event.properties.bounceType)).toEqual(['soft']);

    const analytics = await api<{ totals: { bounced: number; delivered: number } }>(
      'GET',
      `${path()}/sequences/${sequenceId}/analytics`,
    );
    expect(analytics.body.totals).toMatchObject({ bounced: 1, delivered: 1 });
  });

  it("a relay webhook's JSON: complaint and bounces, once each", async () => {
    const gus = emailOf('gus');
    const hal = emailOf('hal');
    const broadcastId = await sendBroadcast([gus, hal]);
    const gusId = mailTo(gus).messageId;
    const halId = mailTo(hal).messageId;

    const soft = {
      type: 'bounce',
      bounceType: 'soft',
      messageId: halId,
      detail: '452 mailbox full',
    };
    expect((await postFeedback(soft)).body).toMatchObject({ bounceType: 'soft', duplicate: false });
    expect((await postFeedback(soft)).body).toMatchObject({ duplicate: true });
    expect(await suppressionOf(hal)).toBeUndefined();

    // Without the angle brackets, as some relays write it.
    const hard = {
      type: 'bounce',
      bounceType: 'hard',
      messageId: halId.slice(1, -1),
      occurredAt: '2026-03-08T14:00:00Z',
    };
    expect((await postFeedback(hard)).body).toMatchObject({ bounceType: 'hard', duplicate: false });
    expect(await suppressionOf(hal)).toBe('bounced');

    const complaint = { type: 'complaint', messageId: gusId, email: gus };
    expect((await postFeedback(complaint)).body).toMatchObject({
      type: 'complaint',
      delivery: { kind: 'broadcast' },
      duplicate: false,
    });
    expect((await postFeedback(complaint)).body).toMatchObject({ duplicate: true });
    expect(await suppressionOf(gus)).toBe('complained');

    const analytics = await api<{ totals: Record<string, number> }>(
      'GET',
      `${path()}/broadcasts/${broadcastId}/analytics`,
    );
    expect(analytics.body.totals).toMatchObject({ complained: 1, bounced: 1, delivered: 1 });
    const events = [...(await eventsFor(gus)), ...(await eventsFor(hal))]
      .map((event) => `${event.event}:${(event.properties.bounceType as string | undefined) ?? ''}`)
      .sort();
    expect(events).toEqual(
      [
        'Email Delivered:',
        'Email Delivered:',
        'Email Bounced:soft',
        'Email Bounced:hard',
        'Email Marked as Spam:',
      ].sort(),
    );
  });

  it("another business's Message-ID is a 404; malformed reports are 400s naming the problem; neither changes anything", async () => {
    const ivy = emailOf('ivy');
    await sendSequence([ivy]);
    const mail = mailTo(ivy);
    const before = await eventsFor(ivy);

    const other = await newBusiness(ctx.app, owner);
    const otherKey = await newBusinessApiKey(db(), owner, other.id, ['read', 'write']);
    const foreign = await postFeedback(arfReport(mail.text, ivy), 'message/rfc822', {
      businessId: other.id,
      headers: otherKey.headers,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    // This business's key cannot post to the other business either (it does not see it).
    const crossKey = await postFeedback(arfReport(mail.text, ivy), 'message/rfc822', {
      businessId: other.id,
    });
    expect(crossKey.status).toBe(404);

    const unknown = await postFeedback({
      type: 'complaint',
      messageId: `<${randomUUID()}@nowhere>`,
    });
    expect(unknown.status).toBe(404);

    const cases: [string | object, string, string][] = [
      ['Hello, this is not a report', 'text/plain', 'Content-Type'],
      [
        arfReport(mail.text, ivy).replace('Feedback-Type: abuse\r\n', ''),
        'message/rfc822',
        'Feedback-Type',
      ],
      [
        arfReport(mail.text, ivy).replace('Feedback-Type: abuse', 'Feedback-Type: not-spam'),
        'message/rfc822',
        'Feedback-Type',
      ],
      [arfReport('Subject: no id\r\n\r\nbody', ivy), 'message/rfc822', 'original.Message-ID'],
      [dsnReport(mail.text, ivy, 'delivered', '2.0.0'), 'message/rfc822', 'Action'],
      [{ type: 'complaint' }, '', 'body.messageId'],
      [{ type: 'unsubscribe', messageId: mail.messageId }, '', 'body.type'],
      [{ type: 'bounce', messageId: mail.messageId }, '', 'bounceType'],
      [{ type: 'complaint', messageId: 'no-at-sign' }, '', 'messageId'],
    ];
    for (const [payload, contentType, path] of cases) {
      const response = await postFeedback(payload, contentType);
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      const error = response.body.error as {
        code: string;
        details: { issues: { path: string }[] };
      };
      expect(error.code).toBe('VALIDATION_ERROR');
      expect(error.details.issues.map((issue) => issue.path)).toContain(path);
    }

    expect(await eventsFor(ivy)).toEqual(before);
    expect(await suppressionOf(ivy)).toBeUndefined();
    expect(await enrollmentStatuses(ivy)).toEqual(['active']);
  });
});

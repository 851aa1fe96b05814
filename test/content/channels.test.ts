// The Slack and email channels, and retries: Slack gets the piece's text on its incoming webhook
// (a loopback receiver here); the email channel sends one message per listed subscriber through
// the SMTP server (a loopback receiver, parsed with mailparser) — only to subscribers with consent
// `subscribed` who are not suppressed, each message DKIM-signed with one-click unsubscribe — and
// records the skipped addresses; a receiver that fails is retried with growing waits, every
// attempt is recorded, and after the last one the piece is `failed`.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ContentView, dueNow, untilStatus } from '../campaigns/helpers.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newContent, newUser, type TestUser } from '../helpers/fixtures.ts';
import { rawHeader, type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

interface Receiver {
  url: string;
  received: Received[];
  /** Statuses answered in order; the last one repeats. */
  answer(...statuses: number[]): void;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let statuses = [200];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const status = statuses.length > 1 ? (statuses.shift() ?? 200) : (statuses[0] ?? 200);
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer(...next) {
      statuses = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

interface AttemptView {
  attempt: number;
  channel: string;
  outcome: string;
  statusCode: number | null;
  error: string | null;
  recipients: { sent: number; skipped: { address: string; reason: string }[] } | null;
  createdAt: string;
}

const RETRY_BASE_MS = 400;
const MAX_ATTEMPTS = 3;

describe('publishing to Slack, email and failing receivers', () => {
  let ctx: TestApp;
  let smtp: SmtpReceiver;
  let owner: TestUser;
  let businessId: string;
  let base: string;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    ctx = await buildTestApp({
      worker: true,
      env: {
        PUBLISH_WEBHOOK_ALLOW_PRIVATE: 'true',
        PUBLISH_RETRY_BASE_MS: String(RETRY_BASE_MS),
        PUBLISH_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        SMTP_URL: smtp.url,
        EMAIL_FROM: 'Blue Bottle Bakery <news@bluebottle.example>',
        PUBLIC_URL: 'http://herald.test',
        DKIM_DOMAIN: 'bluebottle.example',
        DKIM_SELECTOR: 'herald',
        DKIM_PRIVATE_KEY: privateKey,
      },
    });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    base = `/api/v1/businesses/${businessId}/contents`;
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.close();
  });

  async function schedule(
    fields: Record<string, unknown>,
    target: { channel: string; channelTarget: Record<string, unknown> },
  ): Promise<string> {
    const piece = await newContent(ctx.app, owner, businessId, fields);
    await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'in_review' }, 200);
    await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'approved' }, 200);
    await api(
      ctx.app,
      owner,
      'POST',
      `${base}/${piece.id}/schedule`,
      { publishAt: dueNow(), ...target },
      200,
    );
    return piece.id;
  }

  /** Adds each address as a subscriber of the business; answers their ids. */
  async function subscribe(
    addresses: string[],
    consentStatus: 'subscribed' | 'unsubscribed' | 'pending' = 'subscribed',
  ): Promise<string[]> {
    const ids: string[] = [];
    for (const email of addresses) {
      const created = await api<{ id: string }>(
        ctx.app,
        owner,
        'POST',
        `/api/v1/businesses/${businessId}/subscribers`,
        { email, consentStatus },
        201,
      );
      ids.push(created.body.id);
    }
    return ids;
  }

  async function attemptsOf(contentId: string): Promise<AttemptView[]> {
    return (
      await api<{ items: AttemptView[] }>(
        ctx.app,
        owner,
        'GET',
        `${base}/${contentId}/attempts`,
        undefined,
        200,
      )
    ).body.items;
  }

  const finished = (contentId: string) =>
    untilStatus(ctx.app, owner, businessId, contentId, ['published', 'failed']);

  it('posts the text to the Slack incoming webhook', async () => {
    const slack = await startReceiver();
    try {
      const id = await schedule(
        { platform: 'linkedin', body: { text: 'Spring loaves are back.\nOrder for Saturday.' } },
        { channel: 'slack', channelTarget: { webhookUrl: `${slack.url}/services/T0/B0/XYZ` } },
      );
      const piece = await finished(id);
      expect(piece.status).toBe('published');
      expect(slack.received).toHaveLength(1);
      const [post] = slack.received;
      expect(post?.method).toBe('POST');
      expect(post?.path).toBe('/services/T0/B0/XYZ');
      expect(post?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(post?.body ?? '{}')).toEqual({
        text: 'Spring loaves are back.\nOrder for Saturday.',
      });
      const attempts = await attemptsOf(id);
      expect(attempts).toEqual([
        expect.objectContaining({
          attempt: 1,
          channel: 'slack',
          outcome: 'success',
          statusCode: 200,
        }),
      ]);
      const scheduled = await api<{ channelTarget: Record<string, unknown> }>(
        ctx.app,
        owner,
        'GET',
        `${base}/${id}`,
      );
      expect(scheduled.body.channelTarget).toEqual({
        webhookUrl: `${slack.url}/services/T0/B0/XYZ`,
      });
    } finally {
      await slack.close();
    }
  });

  it('posts an email piece to Slack as its subject and body', async () => {
    const slack = await startReceiver();
    try {
      const id = await schedule(
        {
          platform: 'email',
          body: { subject: 'Spring menu', preheader: 'Five new loaves', body: 'Hello neighbours!' },
        },
        { channel: 'slack', channelTarget: { webhookUrl: `${slack.url}/hook` } },
      );
      expect((await finished(id)).status).toBe('published');
      expect(JSON.parse(slack.received[0]?.body ?? '{}')).toEqual({
        text: 'Spring menu\n\nHello neighbours!',
      });
    } finally {
      await slack.close();
    }
  });

  it('sends an email piece to every subscribed recipient of the list, with its subject and body', async () => {
    const recipients = ['ann@example.org', 'ben@example.org', 'cleo@example.org'];
    const subscriberIds = await subscribe(recipients);
    const before = smtp.messages.length;
    const id = await schedule(
      {
        platform: 'email',
        body: {
          subject: 'The spring menu is here',
          preheader: 'Five new loaves',
          body: 'Hello neighbours,\n\nFive new loaves this spring. See you on Saturday!',
        },
      },
      { channel: 'email', channelTarget: { recipients } },
    );
    expect((await finished(id)).status).toBe('published');
    await smtp.waitFor(before + recipients.length);
    for (const [index, address] of recipients.entries()) {
      const mails = await smtp.to(address);
      expect(mails, address).toHaveLength(1);
      const [mail] = mails;
      expect(mail?.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([
        expect.objectContaining({ address }),
      ]);
      expect(mail?.from?.value).toEqual([
        { name: 'Blue Bottle Bakery', address: 'news@bluebottle.example' },
      ]);
      expect(mail?.subject).toBe('The spring menu is here');
      expect(mail?.text).toMatch(
        /^Hello neighbours,\n\nFive new loaves this spring\. See you on Saturday!\n\n--\nYou get this email as a subscriber of Blue Bottle Bakery\.\nUnsubscribe: http:\/\/herald\.test\/e\/u\/\S+\n?$/,
      );
      // A retried send would be the same message downstream.
      expect(mail?.messageId).toBe(`<${id}.${subscriberIds[index] ?? ''}@herald.content>`);
    }
    // Each message went to its own recipient only.
    const mine = smtp.messages.slice(before);
    expect(mine.map((message) => message.envelopeTo).sort()).toEqual(
      recipients.map((address) => [address]),
    );
    expect(await attemptsOf(id)).toEqual([
      expect.objectContaining({
        attempt: 1,
        channel: 'email',
        outcome: 'success',
        recipients: { sent: 3, skipped: [] },
      }),
    ]);
  });

  it('emails a social post with its first line as the subject', async () => {
    await subscribe(['dan@example.org']);
    const id = await schedule(
      { platform: 'linkedin', body: { text: 'Spring loaves are back\nCome by on Saturday.' } },
      { channel: 'email', channelTarget: { recipients: ['dan@example.org'] } },
    );
    expect((await finished(id)).status).toBe('published');
    const [mail] = await smtp.to('dan@example.org');
    expect(mail?.subject).toBe('Spring loaves are back');
    expect(mail?.text).toMatch(/^Spring loaves are back\nCome by on Saturday\.\n\n--\n/);
  });

  it('emails only subscribed, unsuppressed subscribers, records the skipped ones, and one-click unsubscribe works', async () => {
    const eve = 'eve@example.org';
    const eveId = (await subscribe(['eve@example.org']))[0] ?? '';
    await subscribe(['fred@example.org'], 'unsubscribed');
    await subscribe(['gina@example.org'], 'pending');
    await subscribe(['hal@example.org']);
    await api(
      ctx.app,
      owner,
      'POST',
      `/api/v1/businesses/${businessId}/suppressions`,
      { email: 'hal@example.org', reason: 'bounced' },
      201,
    );
    const listed = [
      'eve@example.org',
      'fred@example.org',
      'gina@example.org',
      'hal@example.org',
      'stranger@example.org',
    ];
    const send = () =>
      schedule(
        {
          platform: 'email',
          body: { subject: 'Saturday market', preheader: 'Stalls', body: 'See you there.' },
        },
        { channel: 'email', channelTarget: { recipients: listed } },
      );
    const before = smtp.messages.length;
    const first = await send();
    expect((await finished(first)).status).toBe('published');
    await smtp.waitFor(before + 1);
    // Only Eve: the unsubscribed, the pending, the suppressed and the stranger get nothing.
    expect(smtp.messages.slice(before).map((message) => message.envelopeTo)).toEqual([[eve]]);
    for (const address of listed.slice(1)) expect(await smtp.to(address), address).toEqual([]);
    expect(await attemptsOf(first)).toEqual([
      expect.objectContaining({
        outcome: 'success',
        recipients: {
          sent: 1,
          skipped: [
            { address: 'fred@example.org', reason: 'unsubscribed' },
            { address: 'gina@example.org', reason: 'pending' },
            { address: 'hal@example.org', reason: 'suppressed' },
            { address: 'stranger@example.org', reason: 'not_a_subscriber' },
          ],
        },
      }),
    ]);

    // Eve's message carries signed one-click unsubscribe (RFC 8058), as the sequences' do.
    const [mail] = await smtp.to('eve@example.org');
    if (!mail) throw new Error('no message for Eve');
    const listUnsubscribe = rawHeader(mail, 'List-Unsubscribe') ?? '';
    expect(listUnsubscribe).toMatch(/^<http:\/\/herald\.test\/e\/u\/[^>]+>$/);
    expect(rawHeader(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const dkim = rawHeader(mail, 'DKIM-Signature')?.replace(/\s+/g, '') ?? '';
    expect(dkim).toContain('d=bluebottle.example');
    const signed = (/(?:^|;)h=([^;]+)/.exec(dkim)?.[1] ?? '').toLowerCase().split(':');
    expect(signed).toEqual(
      expect.arrayContaining(['from', 'list-unsubscribe', 'list-unsubscribe-post']),
    );
    const unsubscribeUrl = listUnsubscribe.slice(1, -1);
    expect(mail.text).toContain(`Unsubscribe: ${unsubscribeUrl}`);

    // The landing page names her and changes nothing; the one-click POST unsubscribes her.
    const path = unsubscribeUrl.replace('http://herald.test', '');
    const landing = await ctx.app.inject({ method: 'GET', url: path });
    expect(landing.statusCode).toBe(200);
    expect(landing.body).toContain('eve@example.org');
    const oneClick = await ctx.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode).toBe(200);
    const eveNow = await api<{ consentStatus: string }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/subscribers/${eveId}`,
      undefined,
      200,
    );
    expect(eveNow.body.consentStatus).toBe('unsubscribed');
    const suppressions = await api<{ items: { email: string; reason: string }[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/suppressions?limit=100`,
    );
    expect(suppressions.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ email: eve, reason: 'unsubscribed' })]),
    );

    // The next piece to the same list reaches nobody: it fails, naming why.
    const second = await send();
    expect((await finished(second)).status).toBe('failed');
    expect(smtp.messages.length).toBe(before + 1);
    const [attempt] = await attemptsOf(second);
    expect(attempt?.error).toMatch(/none of the 5 recipients may be emailed/);
    expect(attempt?.recipients?.sent).toBe(0);
    expect(attempt?.recipients?.skipped).toContainEqual({
      address: 'eve@example.org',
      reason: 'suppressed',
    });
  });

  it('sends from the business sender with its display name exactly as typed', async () => {
    const reader = 'names@example.org';
    await subscribe([reader]);
    const names = ['Back\\', '"Quoted"', 'Ünïcode, Inc.', 'a <b@c>'];
    for (const name of names) {
      await api(
        ctx.app,
        owner,
        'PATCH',
        `/api/v1/businesses/${businessId}`,
        {
          defaultSender: {
            name,
            email: 'hello@bluebottle.example',
            replyTo: 'owner@bluebottle.example',
          },
        },
        200,
      );
      const before = smtp.messages.length;
      const id = await schedule(
        { platform: 'email', body: { subject: `From ${name}`, preheader: 'Hello', body: 'Hi.' } },
        { channel: 'email', channelTarget: { recipients: [reader] } },
      );
      expect((await finished(id)).status).toBe('published');
      await smtp.waitFor(before + 1);
      const mail = (await smtp.to(reader)).find((parsed) => parsed.subject === `From ${name}`);
      expect(mail?.from?.value, name).toEqual([{ name, address: 'hello@bluebottle.example' }]);
      expect(mail?.replyTo?.value, name).toEqual([
        { name: '', address: 'owner@bluebottle.example' },
      ]);
    }
  });

  it('retries after a 500 with a wait, records both attempts, and publishes once', async () => {
    const receiver = await startReceiver();
    receiver.answer(500, 200);
    try {
      const id = await schedule(
        { body: { text: 'Second time lucky.' } },
        { channel: 'webhook', channelTarget: { url: `${receiver.url}/hooks` } },
      );
      const piece = await finished(id);
      expect(piece.status).toBe('published');
      expect(receiver.received).toHaveLength(2);
      // The same delivery both times, so a receiver can tell a retry from a new post.
      const ids = receiver.received.map((r) => r.headers['x-herald-delivery']);
      expect(ids).toEqual([id, id]);
      const gap = (receiver.received[1]?.at ?? 0) - (receiver.received[0]?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual(RETRY_BASE_MS);
      const attempts = await attemptsOf(id);
      expect(attempts.map((a) => [a.attempt, a.outcome, a.statusCode])).toEqual([
        [1, 'failed', 500],
        [2, 'success', 200],
      ]);
      expect(attempts[0]?.error).toBe('the receiver answered 500');
      const outbox = await api<{ items: { contentId: string; channel: string }[] }>(
        ctx.app,
        owner,
        'GET',
        `/api/v1/businesses/${businessId}/publications?limit=100`,
      );
      expect(outbox.body.items.filter((item) => item.contentId === id)).toEqual([
        expect.objectContaining({ channel: 'webhook' }),
      ]);
    } finally {
      await receiver.close();
    }
  });

  it('backs off longer each time, then marks the piece failed with every attempt recorded', async () => {
    const slack = await startReceiver();
    slack.answer(503);
    try {
      const id = await schedule(
        { body: { text: 'Nobody is listening.' } },
        { channel: 'slack', channelTarget: { webhookUrl: `${slack.url}/down` } },
      );
      const piece = await finished(id);
      expect(piece.status).toBe('failed');
      expect(piece.publishedAt).toBeNull();
      expect(slack.received).toHaveLength(MAX_ATTEMPTS);
      const at = slack.received.map((r) => r.at);
      // Waits of at least base × 2^(n-1) between attempts: 400 ms, then 800 ms.
      expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(RETRY_BASE_MS);
      expect((at[2] ?? 0) - (at[1] ?? 0)).toBeGreaterThanOrEqual(RETRY_BASE_MS * 2);
      const attempts = await attemptsOf(id);
      expect(attempts.map((a) => [a.attempt, a.channel, a.outcome, a.statusCode])).toEqual([
        [1, 'slack', 'failed', 503],
        [2, 'slack', 'failed', 503],
        [3, 'slack', 'failed', 503],
      ]);
      const view = await api<ContentView & { publishAttempts: number }>(
        ctx.app,
        owner,
        'GET',
        `${base}/${id}`,
      );
      expect(view.body.publishAttempts).toBe(MAX_ATTEMPTS);
      const outbox = await api<{ items: { contentId: string }[] }>(
        ctx.app,
        owner,
        'GET',
        `/api/v1/businesses/${businessId}/publications?limit=100`,
      );
      expect(outbox.body.items.some((item) => item.contentId === id)).toBe(false);

      // Once the receiver is back, the failed piece can be scheduled again and goes out.
      slack.answer(200);
      await api(ctx.app, owner, 'POST', `${base}/${id}/schedule`, { publishAt: dueNow() }, 200);
      expect((await finished(id)).status).toBe('published');
      const history = await attemptsOf(id);
      expect(history.map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed', 'success']);
    } finally {
      await slack.close();
    }
  });

  it('does not retry an answer that will not change (a 4xx)', async () => {
    const receiver = await startReceiver();
    receiver.answer(404);
    try {
      const id = await schedule(
        { body: { text: 'Wrong address.' } },
        { channel: 'slack', channelTarget: { webhookUrl: `${receiver.url}/gone` } },
      );
      expect((await finished(id)).status).toBe('failed');
      expect(receiver.received).toHaveLength(1);
      expect((await attemptsOf(id)).map((a) => [a.outcome, a.statusCode])).toEqual([
        ['failed', 404],
      ]);
    } finally {
      await receiver.close();
    }
  });
});

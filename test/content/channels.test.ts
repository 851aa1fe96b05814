// The Slack and email channels, and retries: Slack gets the piece's text on its incoming webhook
// (a loopback receiver here); the email channel sends one message per recipient through the
// SMTP server (a loopback receiver, parsed with mailparser); a receiver that fails is retried
// with growing waits, every attempt is recorded, and after the last one the piece is `failed`.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api, type ContentView, dueNow, untilStatus } from '../campaigns/helpers.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newContent, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

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

  it('sends an email piece to every recipient of the list, with its subject and body', async () => {
    const recipients = ['ann@example.org', 'ben@example.org', 'cleo@example.org'];
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
      expect(mail?.text?.trim()).toBe(
        'Hello neighbours,\n\nFive new loaves this spring. See you on Saturday!',
      );
      // A retried send would be the same message downstream.
      expect(mail?.messageId).toBe(`<${id}.${index}@herald.content>`);
    }
    // Each message went to its own recipient only.
    const mine = smtp.messages.slice(before);
    expect(mine.map((message) => message.envelopeTo).sort()).toEqual(
      recipients.map((address) => [address]),
    );
    expect(await attemptsOf(id)).toEqual([
      expect.objectContaining({ attempt: 1, channel: 'email', outcome: 'success' }),
    ]);
  });

  it('emails a social post with its first line as the subject', async () => {
    const id = await schedule(
      { platform: 'linkedin', body: { text: 'Spring loaves are back\nCome by on Saturday.' } },
      { channel: 'email', channelTarget: { recipients: ['dan@example.org'] } },
    );
    expect((await finished(id)).status).toBe('published');
    const [mail] = await smtp.to('dan@example.org');
    expect(mail?.subject).toBe('Spring loaves are back');
    expect(mail?.text?.trim()).toBe('Spring loaves are back\nCome by on Saturday.');
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

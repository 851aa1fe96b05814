// The webhook channel: a receiver verifies the HMAC-SHA256 signature over timestamp and body;
// private, loopback and link-local targets are refused unless PUBLISH_WEBHOOK_ALLOW_PRIVATE.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isPublicAddress } from '../../src/modules/content/adapters.ts';
import { type ContentView, dueNow, untilStatus } from '../campaigns/helpers.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newContent, newUser, type TestUser } from '../helpers/fixtures.ts';

const SECRET = 'whsec-test-0123456789abcdef';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  verified: boolean;
}

/** What a receiver does: recompute the signature with the shared secret, compare in constant time. */
function verify(headers: IncomingHttpHeaders, body: string): boolean {
  const timestamp = String(headers['x-herald-timestamp'] ?? '');
  const signature = String(headers['x-herald-signature'] ?? '');
  const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`;
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return (
    fresh &&
    signature.length === expected.length &&
    timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
  );
}

async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: request.headers, body, verified: verify(request.headers, body) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks/herald`, received };
}

async function scheduleToWebhook(ctx: TestApp, owner: TestUser, url: string) {
  const businessId = (await newBusiness(ctx.app, owner)).id;
  const base = `/api/v1/businesses/${businessId}/contents`;
  const piece = await newContent(ctx.app, owner, businessId);
  await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'in_review' }, 200);
  await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'approved' }, 200);
  const scheduled = await api<ContentView & { channelTarget: Record<string, unknown> }>(
    ctx.app,
    owner,
    'POST',
    `${base}/${piece.id}/schedule`,
    { publishAt: dueNow(), channel: 'webhook', channelTarget: { url, secret: SECRET } },
    200,
  );
  expect(scheduled.body.channelTarget).toEqual({ url, hasSecret: true }); // the secret never leaves
  return { businessId, contentId: piece.id, base };
}

describe('webhook publishing to a loopback receiver (allowed by configuration)', () => {
  let ctx: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    ctx = await buildTestApp({ worker: true, env: { PUBLISH_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  });
  afterAll(async () => {
    await ctx.close();
    receiver.server.close();
  });

  it('delivers a body the receiver verifies with the shared secret', async () => {
    const owner = await newUser(ctx.app);
    const { businessId, contentId, base } = await scheduleToWebhook(ctx, owner, receiver.url);
    const piece = await untilStatus(ctx.app, owner, businessId, contentId, ['published', 'failed']);
    expect(piece.status).toBe('published');
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    expect(delivery?.verified).toBe(true);
    expect(delivery?.headers['x-herald-delivery']).toBe(contentId);
    expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({
      type: 'content.published',
      contentId,
      text: 'Spring loaves are here. Come by this weekend.',
    });
    // A tampered body does not verify.
    expect(verify(delivery?.headers ?? {}, `${delivery?.body ?? ''} `)).toBe(false);
    const attempts = await api<{ items: { outcome: string; statusCode: number }[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}/${contentId}/attempts`,
    );
    expect(attempts.body.items).toEqual([
      expect.objectContaining({ outcome: 'success', statusCode: 204 }),
    ]);
  }, 30_000);

  it('keeps signing when a piece is rescheduled with the target as the API shows it (no secret)', async () => {
    const owner = await newUser(ctx.app);
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const base = `/api/v1/businesses/${businessId}/contents`;
    const piece = await newContent(ctx.app, owner, businessId);
    await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'in_review' }, 200);
    await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'approved' }, 200);
    await api(
      ctx.app,
      owner,
      'POST',
      `${base}/${piece.id}/schedule`,
      {
        publishAt: '2030-01-01T09:00',
        channel: 'webhook',
        channelTarget: { url: receiver.url, secret: SECRET },
      },
      200,
    );
    // Taken off the schedule, then put back with the target the client read: url only.
    await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'approved' }, 200);
    const shown = await api<{ channelTarget: { url: string } }>(
      ctx.app,
      owner,
      'GET',
      `${base}/${piece.id}`,
    );
    const again = await api<{ channelTarget: Record<string, unknown> }>(
      ctx.app,
      owner,
      'POST',
      `${base}/${piece.id}/schedule`,
      { publishAt: dueNow(), channelTarget: shown.body.channelTarget },
      200,
    );
    expect(again.body.channelTarget).toEqual({ url: receiver.url, hasSecret: true });
    const done = await untilStatus(ctx.app, owner, businessId, piece.id, ['published', 'failed']);
    expect(done.status).toBe('published');
    const delivery = receiver.received.find((r) => r.headers['x-herald-delivery'] === piece.id);
    expect(delivery?.verified).toBe(true);
  }, 30_000);
});

describe('webhook SSRF refusal (the default)', () => {
  let ctx: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    ctx = await buildTestApp({ worker: true });
  });
  afterAll(async () => {
    await ctx.close();
    receiver.server.close();
  });

  it('refuses a loopback target, records why, and sends nothing', async () => {
    const owner = await newUser(ctx.app);
    // https: plain http is refused at save unless private targets are allowed.
    const url = receiver.url.replace('http:', 'https:');
    const { businessId, contentId, base } = await scheduleToWebhook(ctx, owner, url);
    const piece = await untilStatus(ctx.app, owner, businessId, contentId, ['published', 'failed']);
    expect(piece.status).toBe('failed');
    expect(receiver.received).toHaveLength(0);
    const attempts = await api<{ items: { outcome: string; error: string }[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}/${contentId}/attempts`,
    );
    expect(attempts.body.items).toHaveLength(1); // not retried: a refusal will not change
    expect(attempts.body.items[0]?.error).toContain('PUBLISH_WEBHOOK_ALLOW_PRIVATE');
  }, 30_000);

  it('refuses a name that resolves to loopback too', async () => {
    const owner = await newUser(ctx.app);
    const url = receiver.url.replace('http://127.0.0.1', 'https://localhost');
    const { businessId, contentId } = await scheduleToWebhook(ctx, owner, url);
    const piece = await untilStatus(ctx.app, owner, businessId, contentId, ['published', 'failed']);
    expect(piece.status).toBe('failed');
    expect(receiver.received).toHaveLength(0);
  }, 30_000);

  it('classifies private, loopback, link-local and mapped addresses as not public', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fc00::1',
      '::ffff:127.0.0.1',
      '100.64.0.1',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    expect(isPublicAddress('93.184.216.34')).toBe(true);
    expect(isPublicAddress('2606:4700::1111')).toBe(true);
  });
});

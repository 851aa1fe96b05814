// The official Segment Node SDK (@segment/analytics-node) pointed at Herald: identify, track,
// page, group and alias arrive and each is stored exactly once — including when the SDK resends
// a batch Herald already stored, because a proxy in front answered 500 to its first attempt.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestBusiness } from '../helpers/fixtures.ts';

/**
 * A loopback proxy to Herald that forwards every request, but answers the first batch with a 500
 * after Herald has stored it — the SDK's retry then sends the same events again.
 */
function failingOnceProxy(
  target: string,
): Promise<{ url: string; attempts: number[]; close(): Promise<void> }> {
  const attempts: number[] = [];
  let failed = false;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const upstream = http.request(
        `${target}${request.url ?? '/'}`,
        { method: request.method, headers: request.headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            attempts.push(answer.statusCode ?? 0);
            if (!failed && request.url === '/v1/batch' && answer.statusCode === 200) {
              failed = true;
              response.writeHead(500, { 'content-type': 'application/json' });
              response.end('{"error":"injected"}');
              return;
            }
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            response.end(Buffer.concat(body));
          });
        },
      );
      upstream.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${String(port)}`,
        attempts,
        close: () =>
          new Promise((done) =>
            server.close(() => {
              done();
            }),
          ),
      });
    });
  });
}

describe('@segment/analytics-node against Herald', () => {
  let ctx: TestApp;
  let business: TestBusiness;
  let herald: string;

  beforeAll(async () => {
    ctx = await buildTestApp();
    business = await newBusiness(ctx.app, await newUser(ctx.app));
    herald = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('stores every call once, including the retry of a batch answered 500', async () => {
    const proxy = await failingOnceProxy(herald);
    const analytics = new Analytics({
      writeKey: business.writeKey,
      host: proxy.url,
      flushAt: 3,
      flushInterval: 60_000,
      maxRetries: 3,
    });
    const userId = `sdk-${randomUUID()}`;
    analytics.identify({ userId, traits: { email: 'Grace@Example.com', name: 'Grace' } });
    analytics.track({ userId, event: 'Loaf Ordered', properties: { loaves: 2 } });
    analytics.page({ userId, name: 'Checkout', properties: { path: '/checkout' } });
    analytics.group({ userId, groupId: 'bakery-club', traits: { name: 'Bakery Club' } });
    analytics.alias({ userId, previousId: `anon-${userId}` });
    await analytics.closeAndFlush({ timeout: 20_000 });
    await proxy.close();

    // Two batches (3 + 2 events); the first was sent twice.
    expect(proxy.attempts.filter((status) => status === 200).length).toBeGreaterThanOrEqual(3);
    const rows = await ctx.runtime.database.query<{
      type: string;
      event: string | null;
      email: string | null;
      message_id: string;
    }>(
      `SELECT type, event, email, message_id FROM events
       WHERE business_id = $1 AND (user_id = $2) ORDER BY timestamp`,
      [business.id, userId],
    );
    expect(rows.map((row) => row.type).sort()).toEqual(
      ['alias', 'group', 'identify', 'page', 'track'].sort(),
    );
    expect(new Set(rows.map((row) => row.message_id)).size).toBe(5);
    expect(rows.find((row) => row.type === 'identify')?.email).toBe('grace@example.com');
    expect(rows.find((row) => row.type === 'track')?.event).toBe('Loaf Ordered');
    const [ledger] = await ctx.runtime.database.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM event_ids WHERE business_id = $1 AND message_id = ANY($2)',
      [business.id, rows.map((row) => row.message_id)],
    );
    expect(ledger?.count).toBe(5);
  });
});

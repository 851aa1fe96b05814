// The Segment HTTP Tracking API through app.inject: write keys (Basic or in the body), every
// call type, messageId deduplication across requests, the clock-skew correction, batch-level
// merges, the 400/413 paths that store nothing, CORS, the per-key rate limit and suppression.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { identityHash } from '../../src/modules/tracking/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestBusiness } from '../helpers/fixtures.ts';

interface StoredEvent {
  message_id: string;
  type: string;
  event: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  email: string | null;
  group_id: string | null;
  previous_id: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown> | null;
  context: Record<string, unknown>;
  integrations: Record<string, unknown> | null;
  timestamp: Date;
  original_timestamp: Date | null;
  sent_at: Date | null;
  received_at: Date;
}

function basic(key: string): string {
  return `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
}

describe('Segment tracking API', () => {
  let ctx: TestApp;
  let business: TestBusiness;

  beforeAll(async () => {
    ctx = await buildTestApp();
    const owner = await newUser(ctx.app);
    business = await newBusiness(ctx.app, owner);
  });
  afterAll(async () => {
    await ctx.close();
  });

  function send(path: string, payload: unknown, key: string | null = business.writeKey) {
    return ctx.app.inject({
      method: 'POST',
      url: path,
      headers: key ? { authorization: basic(key) } : {},
      payload: payload as Record<string, unknown>,
    });
  }

  async function stored(businessId = business.id): Promise<StoredEvent[]> {
    return ctx.runtime.database.query<StoredEvent>(
      'SELECT * FROM events WHERE business_id = $1 ORDER BY received_at, message_id',
      [businessId],
    );
  }

  async function storedOne(messageId: string): Promise<StoredEvent | undefined> {
    const rows = await ctx.runtime.database.query<StoredEvent>(
      'SELECT * FROM events WHERE business_id = $1 AND message_id = $2',
      [business.id, messageId],
    );
    expect(rows.length).toBeLessThanOrEqual(1);
    return rows[0];
  }

  it('stores each call type and answers {"success": true}', async () => {
    const ids = Object.fromEntries(
      ['track', 'identify', 'page', 'screen', 'group', 'alias'].map((type) => [type, randomUUID()]),
    );
    const calls: [string, Record<string, unknown>][] = [
      ['track', { userId: 'u-1', event: 'Order Completed', properties: { total: 12.5 } }],
      ['identify', { userId: 'u-1', traits: { email: ' Ada@Example.COM ', plan: 'pro' } }],
      ['page', { anonymousId: 'a-1', name: 'Pricing', properties: { path: '/pricing' } }],
      ['screen', { userId: 'u-1', name: 'Home' }],
      ['group', { userId: 'u-1', groupId: 'acme', traits: { name: 'Acme' } }],
      ['alias', { userId: 'u-1', previousId: 'a-1' }],
    ];
    for (const [type, body] of calls) {
      const response = await send(`/v1/${type}`, { ...body, messageId: ids[type] });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ success: true });
    }
    const track = await storedOne(ids.track as string);
    expect(track).toMatchObject({ type: 'track', event: 'Order Completed', user_id: 'u-1' });
    expect(track?.properties).toEqual({ total: 12.5 });
    expect(track?.context.ip).toBe('127.0.0.1');
    const identify = await storedOne(ids.identify as string);
    expect(identify).toMatchObject({ type: 'identify', email: 'ada@example.com' });
    expect(identify?.traits).toMatchObject({ plan: 'pro' });
    expect(await storedOne(ids.page as string)).toMatchObject({
      type: 'page',
      event: 'Pricing',
      anonymous_id: 'a-1',
    });
    expect(await storedOne(ids.screen as string)).toMatchObject({ type: 'screen', event: 'Home' });
    expect(await storedOne(ids.group as string)).toMatchObject({ group_id: 'acme' });
    expect(await storedOne(ids.alias as string)).toMatchObject({ previous_id: 'a-1' });
  });

  it('takes the write key from the body, and refuses a missing or unknown one with 401', async () => {
    const messageId = randomUUID();
    const inBody = await send(
      '/v1/track',
      { writeKey: business.writeKey, userId: 'u-2', event: 'Signed Up', messageId },
      null,
    );
    expect(inBody.statusCode, inBody.body).toBe(200);
    expect(await storedOne(messageId)).toBeDefined();

    const missing = await send('/v1/track', { userId: 'u-2', event: 'X' }, null);
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const unknownId = randomUUID();
    const unknown = await send(
      '/v1/batch',
      { batch: [{ type: 'track', userId: 'u', event: 'X', messageId: unknownId }] },
      'not-a-key',
    );
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const leaked = await ctx.runtime.database.query('SELECT 1 FROM events WHERE message_id = $1', [
      unknownId,
    ]);
    expect(leaked).toHaveLength(0);
  });

  it('stores a messageId once, across batches and within one', async () => {
    const messageId = randomUUID();
    const event = { type: 'track', userId: 'u-3', event: 'Clicked', messageId };
    const first = await send('/v1/batch', { batch: [event, event] });
    const second = await send('/v1/batch', {
      batch: [
        { ...event, properties: { retry: true } },
        { ...event, type: 'identify' },
      ],
    });
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    const rows = (await stored()).filter((row) => row.message_id === messageId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.properties).toEqual({});
  });

  it('stores text exactly as sent: tabs, newlines, backslashes, quotes and emoji', async () => {
    // The write path COPYs rows in PostgreSQL's text format, where these characters are syntax.
    const messageId = `tricky\t\\N\n${randomUUID()}`;
    const text = 'Tab\there, new\nline, CR\r, back\\slash, \\N, "quoted", 𝄞 and 👋🏽';
    const response = await send('/v1/track', {
      userId: `user\\${text}`,
      event: text,
      messageId,
      properties: { text, nested: { list: [text, '\\', '\t'] } },
      context: { page: { title: text } },
    });
    expect(response.statusCode).toBe(200);
    const row = await storedOne(messageId);
    expect(row?.event).toBe(text);
    expect(row?.user_id).toBe(`user\\${text}`);
    expect(row?.properties).toEqual({ text, nested: { list: [text, '\\', '\t'] } });
    expect((row?.context as { page: unknown }).page).toEqual({ title: text });
  });

  it('gives an event without messageId a UUID', async () => {
    const marker = randomUUID();
    expect((await send('/v1/track', { userId: marker, event: 'No Id' })).statusCode).toBe(200);
    const [row] = await ctx.runtime.database.query<StoredEvent>(
      'SELECT * FROM events WHERE user_id = $1',
      [marker],
    );
    expect(row?.message_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('corrects a client clock that is off using sentAt, keeps historical times, defaults to receipt', async () => {
    // The device's clock is two hours ahead; the event happened 5 s before the device sent it.
    const skewed = {
      id: randomUUID(),
      sent: '2031-01-01T12:00:05.000Z',
      at: '2031-01-01T12:00:00.000Z',
    };
    const historical = { id: randomUUID(), at: '2019-03-04T05:06:07.000Z' };
    const undated = randomUUID();
    const response = await send('/v1/batch', {
      sentAt: skewed.sent,
      batch: [
        {
          type: 'track',
          userId: 'u-4',
          event: 'Skewed',
          messageId: skewed.id,
          timestamp: skewed.at,
        },
        { type: 'track', userId: 'u-4', event: 'Undated', messageId: undated },
      ],
    });
    expect(response.statusCode, response.body).toBe(200);
    const historic = await send('/v1/track', {
      userId: 'u-4',
      event: 'Imported',
      messageId: historical.id,
      timestamp: historical.at,
    });
    expect(historic.statusCode).toBe(200);

    const skewRow = await storedOne(skewed.id);
    expect(skewRow?.original_timestamp?.toISOString()).toBe(skewed.at);
    expect(skewRow?.sent_at?.toISOString()).toBe(skewed.sent);
    expect(skewRow && skewRow.received_at.getTime() - skewRow.timestamp.getTime()).toBe(5_000);
    const historicRow = await storedOne(historical.id);
    expect(historicRow?.timestamp.toISOString()).toBe(historical.at);
    const undatedRow = await storedOne(undated);
    expect(undatedRow?.timestamp.getTime()).toBe(undatedRow?.received_at.getTime());
    expect(undatedRow?.original_timestamp).toBeNull();
  });

  it("merges the batch's context and integrations into each event, the event's own winning", async () => {
    const [one, two] = [randomUUID(), randomUUID()];
    const response = await send('/v1/batch', {
      context: { library: { name: 'analytics-node' }, locale: 'fr-FR' },
      integrations: { All: false },
      batch: [
        { type: 'track', userId: 'u-5', event: 'A', messageId: one },
        {
          type: 'identify',
          userId: 'u-5',
          messageId: two,
          context: { locale: 'en-GB', ip: '203.0.113.9', traits: { email: 'BOB@x.org' } },
          integrations: { Mailchimp: true },
        },
      ],
    });
    expect(response.statusCode, response.body).toBe(200);
    const first = await storedOne(one);
    expect(first?.context).toEqual({
      library: { name: 'analytics-node' },
      locale: 'fr-FR',
      ip: '127.0.0.1',
    });
    expect(first?.integrations).toEqual({ All: false });
    const second = await storedOne(two);
    expect(second?.context).toMatchObject({ locale: 'en-GB', ip: '203.0.113.9' });
    expect(second?.integrations).toEqual({ All: false, Mailchimp: true });
    expect(second?.email).toBe('bob@x.org');
  });

  it('answers 400 naming each invalid event of a batch, and stores none of it', async () => {
    const before = (await stored()).length;
    const response = await send('/v1/batch', {
      batch: [
        { type: 'track', userId: 'u-6', event: 'Fine', messageId: randomUUID() },
        { type: 'track', userId: 'u-6', messageId: randomUUID() }, // no event name
        { type: 'identify', traits: {}, messageId: randomUUID() }, // no identity
        { type: 'alias', userId: 'u-6', messageId: randomUUID() }, // no previousId
        { type: 'shout', userId: 'u-6' },
      ],
    });
    expect(response.statusCode).toBe(400);
    const body = response.json<{
      error: { code: string; details: { invalidEvents: { index: number }[] } };
    }>();
    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(body.error.details.invalidEvents.map((entry) => entry.index)).toEqual([1, 2, 3, 4]);
    expect(await stored()).toHaveLength(before);

    const single = await send('/v1/group', { userId: 'u-6' });
    expect(single.statusCode).toBe(400);
    expect(JSON.stringify(single.json())).toContain('groupId');
  });

  it('answers 413 for an event over 32 KB or a request over 500 KB, storing nothing', async () => {
    const before = (await stored()).length;
    const big = 'x'.repeat(33 * 1024);
    const oversizedEvent = await send('/v1/batch', {
      batch: [
        { type: 'track', userId: 'u-7', event: 'Small', messageId: randomUUID() },
        { type: 'track', userId: 'u-7', event: 'Big', properties: { big } },
      ],
    });
    expect(oversizedEvent.statusCode).toBe(413);
    expect(oversizedEvent.json()).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', details: { indexes: [1] } },
    });
    const single = await send('/v1/track', { userId: 'u-7', event: 'Big', properties: { big } });
    expect(single.statusCode).toBe(413);
    expect(single.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    const many = Array.from({ length: 40 }, () => ({
      type: 'track',
      userId: 'u-7',
      event: 'Medium',
      properties: { text: 'y'.repeat(20 * 1024) },
    }));
    const oversizedBatch = await send('/v1/batch', { batch: many });
    expect(oversizedBatch.statusCode).toBe(413);
    expect(oversizedBatch.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(await stored()).toHaveLength(before);
  });

  it('counts accepted and rejected events per minute', async () => {
    const other = await newBusiness(ctx.app, await newUser(ctx.app));
    const ok = await send(
      '/v1/batch',
      { batch: [1, 2, 3].map((n) => ({ type: 'track', userId: `s${n}`, event: 'Counted' })) },
      other.writeKey,
    );
    expect(ok.statusCode).toBe(200);
    const bad = await send(
      '/v1/batch',
      {
        batch: [
          { type: 'track', userId: 's' },
          { type: 'track', userId: 's', event: 'Y' },
        ],
      },
      other.writeKey,
    );
    expect(bad.statusCode).toBe(400);
    await send('/v1/track', { userId: 's9', event: 'Counted' }, other.writeKey);
    // The refusal is counted by a flush nobody waits for.
    await ctx.runtime.services.tracking.writer.idle();
    const [totals] = await ctx.runtime.database.query<{ accepted: number; rejected: number }>(
      'SELECT sum(accepted)::int AS accepted, sum(rejected)::int AS rejected FROM tracking_minute_stats WHERE business_id = $1',
      [other.id],
    );
    expect(totals).toEqual({ accepted: 4, rejected: 2 });
  });

  it('drops the events of a suppressed identity, answering 200', async () => {
    const forgotten = `forgotten-${randomUUID()}`;
    await ctx.runtime.database.query(
      'INSERT INTO tracking_suppressions (business_id, identity_hash) VALUES ($1, $2), ($1, $3)',
      [business.id, identityHash('userId', forgotten), identityHash('email', 'gone@example.com')],
    );
    const [kept, byUser, byEmail] = [randomUUID(), randomUUID(), randomUUID()];
    const response = await send('/v1/batch', {
      batch: [
        { type: 'track', userId: 'still-here', event: 'Kept', messageId: kept },
        { type: 'track', userId: forgotten, event: 'Dropped', messageId: byUser },
        {
          type: 'identify',
          anonymousId: 'anon',
          traits: { email: 'Gone@Example.com' },
          messageId: byEmail,
        },
      ],
    });
    expect(response.statusCode).toBe(200);
    expect(await storedOne(kept)).toBeDefined();
    expect(await storedOne(byUser)).toBeUndefined();
    expect(await storedOne(byEmail)).toBeUndefined();
    const metrics = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/herald_tracking_events_total\{outcome="suppressed"\} 2/);
  });

  it('answers CORS preflights from any origin on the tracking routes only', async () => {
    const preflight = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/v1/batch',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');
    const post = await ctx.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: {
        origin: 'https://shop.example',
        authorization: basic(business.writeKey),
        'content-type': 'text/plain',
      },
      payload: JSON.stringify({ userId: 'u-8', event: 'From A Browser' }),
    });
    expect(post.statusCode, post.body).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBe('*');
    const api = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/businesses',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(api.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves Segment CDN settings that point analytics.js at this server', async () => {
    const response = await ctx.app.inject({
      method: 'GET',
      url: `/v1/projects/${business.writeKey}/settings`,
      headers: { host: 'herald.example:8443' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      integrations: {
        'Segment.io': {
          apiKey: business.writeKey,
          apiHost: 'herald.example:8443/v1',
          protocol: 'http',
        },
      },
    });
    const unknown = await ctx.app.inject({ method: 'GET', url: '/v1/projects/nope/settings' });
    expect(unknown.statusCode).toBe(401);
  });

  it('reports the write path on /health', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/health' });
    const body = response.json<{ ingestion: Record<string, unknown> }>();
    expect(body.ingestion).toMatchObject({ status: 'ok', pendingEvents: 0, writeLagMs: 0 });
    expect(body.ingestion.acceptedLastMinute).toBeGreaterThan(0);
    expect(body.ingestion.rejectedLastMinute).toBeGreaterThan(0);
    expect(typeof body.ingestion.processingLagSeconds).toBe('number');
  });
});

describe('tracking rate limit', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp({
      env: { TRACKING_RATE_LIMIT_PER_SECOND: '3', RATE_LIMIT_GENERAL_PER_MINUTE: '1' },
    });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('limits each write key per second with 429 and Retry-After, not by the user limit', async () => {
    const business = await newBusiness(ctx.app, await newUser(ctx.app));
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        ctx.app.inject({
          method: 'POST',
          url: '/v1/track',
          headers: { authorization: basic(business.writeKey) },
          payload: { userId: 'u', event: 'Burst' },
        }),
      ),
    );
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(2);
    const limited = responses.find((response) => response.statusCode === 429);
    expect(limited?.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

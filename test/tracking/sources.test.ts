// The Sources page's API: write-key rotation with a grace period, the ingestion figures, and the
// live event debugger (pages, filters, the index it reads, and the server-sent stream).
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type EventRow, insertEvents } from '../../src/modules/tracking/repository.ts';
import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import {
  eventIds,
  previousWriteKeys,
  trackingMinuteStats,
} from '../../src/platform/db/schema/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';

interface Sources {
  writeKey: string;
  previousWriteKeys: { key: string; rotatedAt: string; expiresAt: string }[];
  endpoint: string;
  rotationGraceHours: number;
  perMinute: { minute: string; accepted: number; rejected: number }[];
  today: { accepted: number; rejected: number };
  processingLagSeconds: number;
  lastEventAt: string | null;
}

interface TrackedEvent {
  messageId: string;
  type: string;
  event: string | null;
  userId: string | null;
  properties: Record<string, unknown>;
  receivedAt: string;
}

function eventRow(businessId: string, overrides: Partial<EventRow> = {}): EventRow {
  const at = overrides.receivedAt ?? new Date();
  return {
    businessId,
    messageId: randomUUID(),
    type: 'track',
    event: 'Signed Up',
    userId: 'user-1',
    anonymousId: null,
    email: null,
    groupId: null,
    previousId: null,
    properties: { plan: 'pro' },
    traits: null,
    context: { library: { name: 'test' } },
    integrations: null,
    timestamp: at,
    originalTimestamp: at,
    sentAt: null,
    receivedAt: at,
    ...overrides,
  };
}

describe('sources: write keys, figures and the event debugger', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let baseUrl: string;

  beforeAll(async () => {
    ctx = await buildTestApp({ env: { WRITE_KEY_GRACE_HOURS: '2' } });
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const db = () => ctx.runtime.database.db;

  async function sourcesOf(businessId: string, user: TestUser = owner): Promise<Sources> {
    const response = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${businessId}/sources`,
      headers: user.headers,
    });
    expect(response.statusCode).toBe(200);
    return response.json<Sources>();
  }

  async function rotate(businessId: string): Promise<string> {
    const response = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/write-key/rotate`,
      headers: owner.headers,
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ writeKey: string }>().writeKey;
  }

  it('keeps a rotated-out key valid for the grace period, each previous key with its own expiry', async () => {
    const business = await newBusiness(ctx.app, owner);
    const before = Date.now();
    const second = await rotate(business.id);
    const afterFirst = await sourcesOf(business.id);
    expect(afterFirst.writeKey).toBe(second);
    expect(afterFirst.previousWriteKeys.map((key) => key.key)).toEqual([business.writeKey]);
    const firstExpiry = afterFirst.previousWriteKeys[0]?.expiresAt ?? '';
    const graceMs = new Date(firstExpiry).getTime() - before;
    expect(graceMs).toBeGreaterThan(2 * 3_600_000 - 60_000);
    expect(graceMs).toBeLessThan(2 * 3_600_000 + 60_000);

    const third = await rotate(business.id);
    const afterSecond = await sourcesOf(business.id);
    expect(afterSecond.writeKey).toBe(third);
    expect(afterSecond.previousWriteKeys.map((key) => key.key)).toEqual([
      second,
      business.writeKey,
    ]);
    // The first key's expiry did not move when the second rotation happened.
    expect(afterSecond.previousWriteKeys[1]?.expiresAt).toBe(firstExpiry);

    // A key past its grace period is no longer listed.
    await db()
      .update(previousWriteKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(sql`${previousWriteKeys.key} = ${business.writeKey}`);
    expect((await sourcesOf(business.id)).previousWriteKeys.map((key) => key.key)).toEqual([
      second,
    ]);
  });

  it('shows the last 60 minutes of accepted and rejected events, today, the lag and the last event', async () => {
    const business = await newBusiness(ctx.app, owner);
    const empty = await sourcesOf(business.id);
    expect(empty.perMinute).toHaveLength(60);
    expect(empty.perMinute.every((m) => m.accepted === 0 && m.rejected === 0)).toBe(true);
    expect(empty).toMatchObject({
      processingLagSeconds: 0,
      lastEventAt: null,
      today: { accepted: 0, rejected: 0 },
    });
    expect(empty.endpoint).toBe(ctx.config.http.publicUrl);
    expect(empty.rotationGraceHours).toBe(2);

    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await db()
      .insert(trackingMinuteStats)
      .values([
        { businessId: business.id, minute, accepted: 7, rejected: 2 },
        // Two days ago: in neither the window nor today.
        {
          businessId: business.id,
          minute: new Date(minute.getTime() - 2 * 86_400_000),
          accepted: 50,
          rejected: 5,
        },
      ]);
    const receivedAt = new Date(Date.now() - 30_000);
    await insertEvents(db(), [eventRow(business.id, { receivedAt })]);

    const figures = await sourcesOf(business.id);
    // Found by its minute, not as the last entry: the request may start in the next minute.
    const counted = figures.perMinute.filter((m) => m.accepted > 0 || m.rejected > 0);
    expect(counted).toEqual([{ minute: minute.toISOString(), accepted: 7, rejected: 2 }]);
    expect(figures.today).toEqual({ accepted: 7, rejected: 2 });
    expect(figures.lastEventAt).toBe(receivedAt.toISOString());
    // Not yet processed: the lag is the age of that event.
    expect(figures.processingLagSeconds).toBeGreaterThanOrEqual(29);

    await db()
      .update(eventIds)
      .set({ processedAt: new Date() })
      .where(sql`${eventIds.businessId} = ${business.id}`);
    expect((await sourcesOf(business.id)).processingLagSeconds).toBe(0);
  });

  it('pages through the newest events without skipping or repeating, and filters by type and name', async () => {
    const business = await newBusiness(ctx.app, owner);
    const other = await newBusiness(ctx.app, owner);
    const base = Date.now() - 60_000;
    const tie = new Date(base + 3000);
    const rows = [
      eventRow(business.id, { receivedAt: new Date(base + 1000), event: 'Signed Up' }),
      eventRow(business.id, { receivedAt: new Date(base + 2000), type: 'page', event: 'Pricing' }),
      eventRow(business.id, { receivedAt: tie, event: 'Order Completed' }),
      eventRow(business.id, { receivedAt: tie, event: 'Order Completed' }),
      eventRow(business.id, {
        receivedAt: new Date(base + 4000),
        type: 'identify',
        event: null,
        traits: { email: 'a@example.com' },
      }),
      eventRow(other.id, { receivedAt: new Date(base + 5000) }),
    ];
    await insertEvents(db(), rows);

    const seen: TrackedEvent[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=2&cursor=${cursor}` : 'limit=2';
      const response = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/businesses/${business.id}/events?${query}`,
        headers: owner.headers,
      });
      expect(response.statusCode).toBe(200);
      const page = response.json<{ items: TrackedEvent[]; nextCursor: string | null }>();
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((e) => e.messageId).sort()).toEqual(
      rows
        .slice(0, 5)
        .map((r) => r.messageId)
        .sort(),
    );
    expect(seen[0]).toMatchObject({ type: 'identify', traits: { email: 'a@example.com' } });
    expect(seen.map((e) => e.receivedAt)).toEqual(
      [...seen.map((e) => e.receivedAt)].sort().reverse(),
    );
    expect(seen[4]).toMatchObject({
      event: 'Signed Up',
      userId: 'user-1',
      properties: { plan: 'pro' },
    });

    const byName = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${business.id}/events?event=Order%20Completed`,
      headers: owner.headers,
    });
    expect(byName.json<{ items: TrackedEvent[] }>().items.map((e) => e.event)).toEqual([
      'Order Completed',
      'Order Completed',
    ]);
    const byType = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${business.id}/events?type=page`,
      headers: owner.headers,
    });
    expect(byType.json<{ items: TrackedEvent[] }>().items.map((e) => e.event)).toEqual(['Pricing']);
    const badType = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${business.id}/events?type=purchase`,
      headers: owner.headers,
    });
    expect(badType.statusCode).toBe(400);

    const stranger = await newUser(ctx.app);
    const refused = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${business.id}/events`,
      headers: stranger.headers,
    });
    expect(refused.statusCode).toBe(404);
  });

  it('reads a page of the debugger through the (business_id, received_at) index', async () => {
    const business = await newBusiness(ctx.app, owner);
    const plan = await db().transaction(async (tx) => {
      // The test tables are tiny, so a sequential scan would be cheaper: forbid it, and check
      // that the index can answer the query at all.
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      return rowsOf<{ 'QUERY PLAN': string }>(
        await tx.execute(sql`
          EXPLAIN SELECT * FROM events
          WHERE business_id = ${business.id} AND event = 'Signed Up'
            AND received_at <= now()
            AND (received_at, message_id) < (now(), 'zzz')
          ORDER BY received_at DESC, message_id DESC LIMIT 51`),
      )
        .map((row) => row['QUERY PLAN'])
        .join('\n');
    });
    expect(plan).toMatch(/Index Scan Backward using events_\w+_business_id_received_at_idx/);
    expect(plan).not.toContain('Seq Scan');
  });

  it('streams new events as server-sent events, filtered, and never the same event twice', async () => {
    const business = await newBusiness(ctx.app, owner);
    await insertEvents(db(), [
      eventRow(business.id, { receivedAt: new Date(Date.now() - 10_000), event: 'Old' }),
    ]);
    const controller = new AbortController();
    const response = await fetch(
      `${baseUrl}/api/v1/businesses/${business.id}/events/stream?event=Checkout&accessToken=${owner.accessToken}`,
      { signal: controller.signal },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    const chunk = async () => {
      const { value } = (await reader.read()) as { value?: Uint8Array };
      return decoder.decode(value);
    };
    let text = '';
    while (!text.includes(': connected')) text += await chunk();

    const wanted = eventRow(business.id, { event: 'Checkout' });
    await insertEvents(db(), [eventRow(business.id, { event: 'Other' }), wanted]);
    while (!text.includes('event: events')) text += await chunk();
    // Another poll or two passes before a later event arrives: the first is not sent again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const later = eventRow(business.id, { event: 'Checkout' });
    await insertEvents(db(), [later]);
    while (!text.includes(later.messageId)) text += await chunk();
    controller.abort();

    const batches = text
      .split('\n\n')
      .filter((block) => block.startsWith('event: events'))
      .map(
        (block) =>
          JSON.parse(
            block
              .split('\n')
              .find((l) => l.startsWith('data: '))
              ?.slice(6) ?? '[]',
          ) as TrackedEvent[],
      );
    const sent = batches.flat().map((e) => e.messageId);
    expect(sent).toEqual([wanted.messageId, later.messageId]);

    const stranger = await newUser(ctx.app);
    const refused = await fetch(
      `${baseUrl}/api/v1/businesses/${business.id}/events/stream?accessToken=${stranger.accessToken}`,
    );
    expect(refused.status).toBe(404);
  });
});

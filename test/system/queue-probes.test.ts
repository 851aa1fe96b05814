import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newUser, type TestUser } from '../helpers/fixtures.ts';

interface Page {
  items: { id: string; note: string | null; requestedAt: string }[];
  nextCursor: string | null;
}

describe('listing queue probes', () => {
  let ctx: TestApp;
  let user: TestUser;
  const sent: string[] = [];

  beforeAll(async () => {
    ctx = await buildTestApp();
    user = await newUser(ctx.app);
    for (let i = 0; i < 7; i++) {
      const response = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/system/queue-probes',
        headers: user.headers,
        payload: { note: `probe ${i}` },
      });
      expect(response.statusCode).toBe(202);
      sent.push(response.json<{ id: string }>().id);
    }
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function page(query: string): Promise<Page> {
    const response = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/system/queue-probes?${query}`,
      headers: user.headers,
    });
    expect(response.statusCode).toBe(200);
    return response.json<Page>();
  }

  it('walks every probe once, newest first, page by page', async () => {
    const seen: Page['items'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const current: Page = await page(
        `limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(current.items.length).toBeLessThanOrEqual(3);
      seen.push(...current.items);
      cursor = current.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((item) => item.id).sort()).toEqual([...sent].sort());
    const times = seen.map((item) => item.requestedAt);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('answers the first page with the newest probes and a cursor to the rest', async () => {
    const first = await page('limit=2');
    expect(first.items.map((item) => item.note)).toEqual(['probe 6', 'probe 5']);
    expect(first.nextCursor).not.toBeNull();
    const all = await page('limit=20');
    expect(all.items).toHaveLength(7);
    expect(all.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not issue with 400 VALIDATION_ERROR', async () => {
    const response = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/system/queue-probes?cursor=not-a-cursor',
      headers: user.headers,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('VALIDATION_ERROR');
  });
});

describe('queue probes belong to the user who sent them', () => {
  it('hides one user’s probes from another user (404 and an empty list)', async () => {
    const ctx = await buildTestApp();
    try {
      const owner = await newUser(ctx.app);
      const stranger = await newUser(ctx.app);
      const sent = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/system/queue-probes',
        headers: owner.headers,
        payload: { note: 'mine' },
      });
      const { id } = sent.json<{ id: string }>();
      const theirs = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/system/queue-probes/${id}`,
        headers: stranger.headers,
      });
      expect(theirs.statusCode).toBe(404);
      const list = await ctx.app.inject({
        method: 'GET',
        url: '/api/v1/system/queue-probes',
        headers: stranger.headers,
      });
      expect(list.json<Page>().items).toEqual([]);
      const own = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/system/queue-probes/${id}`,
        headers: owner.headers,
      });
      expect(own.statusCode).toBe(200);
    } finally {
      await ctx.close();
    }
  });
});

// API keys for machine access: shown once, stored as a hash, scoped read/write, revocable at
// once despite the lookup cache, with last_used_at kept.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { apiKeys } from '../../src/platform/db/schema/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newApiKey, newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';

interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  lastUsedAt: string | null;
  revokedAt: string | null;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('API keys', () => {
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function listKeys(user: TestUser = owner): Promise<ApiKeyView[]> {
    const response = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/auth/api-keys?limit=100',
      headers: user.headers,
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ items: ApiKeyView[] }>().items;
  }

  const listBusinesses = (headers: Record<string, string>) =>
    ctx.app.inject({ method: 'GET', url: '/api/v1/businesses', headers });
  const createBusiness = (headers: Record<string, string>) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/v1/businesses',
      headers,
      payload: { name: 'Made by a key' },
    });

  it('shows the secret once; lists only its prefix; stores only a hash', async () => {
    const key = await newApiKey(ctx.app, owner, ['read']);
    expect(key.key).toMatch(/^hk_/);
    const listed = (await listKeys()).find((item) => item.id === key.id);
    expect(listed).toBeDefined();
    expect(key.key.startsWith(listed?.prefix ?? '-')).toBe(true);
    expect((listed?.prefix.length ?? 99) < key.key.length / 2).toBe(true);
    const page = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/auth/api-keys',
      headers: owner.headers,
    });
    expect(page.body).not.toContain(key.key);
    const [row] = await ctx.runtime.database.db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.id, key.id));
    expect(JSON.stringify(row)).not.toContain(key.key);
  });

  it('authenticates X-API-Key like a bearer token, as the key owner', async () => {
    const key = await newApiKey(ctx.app, owner, ['read']);
    const business = await newBusiness(ctx.app, owner);
    const response = await listBusinesses(key.headers);
    expect(response.statusCode).toBe(200);
    expect(response.json<{ items: { id: string }[] }>().items.map((b) => b.id)).toContain(
      business.id,
    );
  });

  it('a read key can read but not write: 403 FORBIDDEN, and nothing is created', async () => {
    const key = await newApiKey(ctx.app, owner, ['read']);
    const before = (await listBusinesses(owner.headers)).json<{ items: unknown[] }>().items.length;
    const write = await createBusiness(key.headers);
    expect(write.statusCode).toBe(403);
    expect(write.json<{ error: { code: string } }>().error.code).toBe('FORBIDDEN');
    for (const method of ['PATCH', 'DELETE'] as const) {
      const business = await newBusiness(ctx.app, owner);
      const response = await ctx.app.inject({
        method,
        url: `/api/v1/businesses/${business.id}`,
        headers: key.headers,
        ...(method === 'PATCH' ? { payload: { name: 'Renamed by a read key' } } : {}),
      });
      expect(response.statusCode).toBe(403);
    }
    const after = (await listBusinesses(owner.headers)).json<{ items: unknown[] }>().items.length;
    expect(after).toBe(before + 2);
  });

  it('a write key can write', async () => {
    const key = await newApiKey(ctx.app, owner, ['read', 'write']);
    expect((await createBusiness(key.headers)).statusCode).toBe(201);
  });

  it('an API key cannot manage API keys (403): that needs a signed-in user', async () => {
    const key = await newApiKey(ctx.app, owner, ['read', 'write']);
    const create = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/api-keys',
      headers: key.headers,
      payload: { name: 'escalation', scopes: ['write'] },
    });
    expect(create.statusCode).toBe(403);
    const revoke = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/api-keys/${key.id}`,
      headers: key.headers,
    });
    expect(revoke.statusCode).toBe(403);
  });

  it('a revoked key gets 401 at once, although its lookup was cached', async () => {
    const key = await newApiKey(ctx.app, owner, ['read']);
    expect((await listBusinesses(key.headers)).statusCode).toBe(200);
    expect((await listBusinesses(key.headers)).statusCode).toBe(200);
    const revoke = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/api-keys/${key.id}`,
      headers: owner.headers,
    });
    expect(revoke.statusCode).toBe(200);
    expect(revoke.json<ApiKeyView>().revokedAt).not.toBeNull();
    const after = await listBusinesses(key.headers);
    expect(after.statusCode).toBe(401);
    expect(after.json<{ error: { code: string } }>().error.code).toBe('UNAUTHENTICATED');
  });

  it('serves key lookups from the cache: a row changed behind its back is not read again', async () => {
    const key = await newApiKey(ctx.app, owner, ['read']);
    expect((await listBusinesses(key.headers)).statusCode).toBe(200);
    // Not through the API (which also clears the cache): straight in the table.
    await ctx.runtime.database.db
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(eq(apiKeys.id, key.id));
    expect((await listBusinesses(key.headers)).statusCode).toBe(200);
  });

  it('with the cache turned off, every request reads the key again', async () => {
    const uncached = await buildTestApp({ env: { API_KEY_CACHE_TTL_SECONDS: '0' } });
    try {
      const user = await newUser(uncached.app);
      const key = await newApiKey(uncached.app, user, ['read']);
      const read = () =>
        uncached.app.inject({ method: 'GET', url: '/api/v1/businesses', headers: key.headers });
      expect((await read()).statusCode).toBe(200);
      await uncached.runtime.database.db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(eq(apiKeys.id, key.id));
      expect((await read()).statusCode).toBe(401);
    } finally {
      await uncached.close();
    }
  });

  it('records when a key was last used', async () => {
    const key = await newApiKey(ctx.app, owner, ['read']);
    const unused = (await listKeys()).find((item) => item.id === key.id);
    expect(unused?.lastUsedAt).toBeNull();
    const started = Date.now();
    expect((await listBusinesses(key.headers)).statusCode).toBe(200);
    const used = await eventually(
      async () => (await listKeys()).find((item) => item.id === key.id),
      (item) => item?.lastUsedAt !== null,
    );
    expect(used?.lastUsedAt).not.toBeNull();
    expect(Date.parse(used?.lastUsedAt ?? '')).toBeGreaterThanOrEqual(started - 5_000);
  });

  it("another user's key: not listed, and revoking it answers 404", async () => {
    const key = await newApiKey(ctx.app, owner, ['read']);
    const stranger = await newUser(ctx.app);
    expect((await listKeys(stranger)).map((item) => item.id)).not.toContain(key.id);
    const revoke = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/api-keys/${key.id}`,
      headers: stranger.headers,
    });
    expect(revoke.statusCode).toBe(404);
    expect((await listBusinesses(key.headers)).statusCode).toBe(200);
  });

  it('validates a new key: a name is required and scopes are read or write', async () => {
    for (const payload of [
      { scopes: ['read'] },
      { name: 'k', scopes: ['admin'] },
      { name: 'k', scopes: [] },
    ]) {
      const response = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/api-keys',
        headers: owner.headers,
        payload,
      });
      expect(response.statusCode).toBe(400);
    }
  });
});

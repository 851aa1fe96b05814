// Made-up API keys and bad tokens cost the attacker, not the database: failures are counted per
// client address (429 with Retry-After past the allowance, before any lookup), and "no such key"
// is remembered briefly in the cache store. On both stores: memory, and Redis when REDIS_URL is set.
import { randomInt } from 'node:crypto';

import { createSigner } from 'fast-jwt';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { randomToken, resolveJwtSecret, tokenHash } from '../../src/modules/auth/credentials.ts';
import { apiKeys } from '../../src/platform/db/schema/index.ts';
import { buildTestApp, redisUrl, type TestApp } from '../helpers/app.ts';
import { newUser, type TestUser } from '../helpers/fixtures.ts';

/** The claims of a token, unverified (to re-sign one with the same sign-in). */
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sid: string };

const randomAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

const stores = [
  { name: 'memory', env: { REDIS_URL: '' }, skip: false },
  { name: 'Redis', env: { REDIS_URL: redisUrl ?? '' }, skip: !redisUrl },
];

describe.each(stores)('failed authentication on the $name store', ({ env, skip }) => {
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    if (skip) return;
    ctx = await buildTestApp({ env: { ...env, RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '3' } });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    if (!skip) await ctx.close();
  });

  const read = (headers: Record<string, string>, remoteAddress: string) =>
    ctx.app.inject({ method: 'GET', url: '/api/v1/businesses', headers, remoteAddress });

  /** Database statements started while `run` runs (drizzle's select builder is the way in). */
  async function selectsDuring(run: () => Promise<unknown>): Promise<number> {
    const spy = vi.spyOn(ctx.runtime.database.db, 'select');
    try {
      await run();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  }

  function expectTooMany(response: LightMyRequestResponse) {
    expect(response.statusCode).toBe(429);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('RATE_LIMITED');
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(60);
  }

  it.skipIf(skip)(
    'repeated unknown API keys from one address get 429, without a database lookup',
    async () => {
      const address = randomAddress();
      for (let i = 0; i < 3; i++) {
        expect((await read({ 'x-api-key': randomToken('hk') }, address)).statusCode).toBe(401);
      }
      let blocked: LightMyRequestResponse | undefined;
      const selects = await selectsDuring(async () => {
        blocked = await read({ 'x-api-key': randomToken('hk') }, address);
      });
      expectTooMany(blocked as LightMyRequestResponse);
      expect(selects).toBe(0);
      // Bad bearer tokens from there are refused the same way; other addresses are not affected.
      expectTooMany(await read({ authorization: 'Bearer not.a.token' }, address));
      expect((await read({ 'x-api-key': randomToken('hk') }, randomAddress())).statusCode).toBe(
        401,
      );
    },
  );

  it.skipIf(skip)('repeated bad bearer tokens from one address get 429', async () => {
    const address = randomAddress();
    const forged = { authorization: `Bearer ${owner.accessToken.slice(0, -3)}abc` };
    for (let i = 0; i < 3; i++) expect((await read(forged, address)).statusCode).toBe(401);
    expectTooMany(await read(forged, address));
  });

  it.skipIf(skip)(
    'does not count expired or signed-out access tokens, which ordinary clients send',
    async () => {
      const address = randomAddress();
      const user = await newUser(ctx.app);
      // Signed with the server's key an hour ago, for one minute: expired, not forged.
      const expired = createSigner({
        key: resolveJwtSecret(ctx.config),
        algorithm: 'HS256',
        iss: ctx.config.auth.issuer,
        aud: ctx.config.auth.audience,
        expiresIn: 60_000,
        clockTimestamp: Date.now() - 3_600_000,
      })({ sub: user.id, sid: claimsOf(user.accessToken).sid, typ: 'access' });
      const loggedOut = await newUser(ctx.app);
      const logout = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: loggedOut.headers,
        payload: { refreshToken: loggedOut.refreshToken },
      });
      expect(logout.statusCode).toBe(204);
      for (let i = 0; i < 5; i++) {
        const first = await read({ authorization: `Bearer ${expired}` }, address);
        expect(first.statusCode).toBe(401);
        expect(first.json<{ error: { details: { reason?: string } } }>().error.details.reason).toBe(
          'expired',
        );
        expect((await read(loggedOut.headers, address)).statusCode).toBe(401);
      }
      // Ten ended tokens later, the address is not blocked.
      expect((await read(user.headers, address)).statusCode).toBe(200);
      expect((await read({ 'x-api-key': randomToken('hk') }, address)).statusCode).toBe(401);
    },
  );

  it.skipIf(skip)('remembers an unknown API key for a while instead of asking again', async () => {
    const key = randomToken('hk');
    const address = randomAddress();
    const first = await selectsDuring(async () => {
      expect((await read({ 'x-api-key': key }, address)).statusCode).toBe(401);
    });
    expect(first).toBeGreaterThan(0);
    // The same key again: answered from the cache, not the database…
    const second = await selectsDuring(async () => {
      expect((await read({ 'x-api-key': key }, address)).statusCode).toBe(401);
    });
    expect(second).toBe(0);
    // …even if a row with that key appears behind the cache's back.
    await ctx.runtime.database.db.insert(apiKeys).values({
      userId: owner.id,
      name: 'behind the back',
      prefix: key.slice(0, 11),
      keyHash: tokenHash(key),
      scopes: ['read'],
    });
    expect((await read({ 'x-api-key': key }, randomAddress())).statusCode).toBe(401);
  });
});

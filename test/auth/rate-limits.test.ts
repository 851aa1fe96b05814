// Rate limits and the login lockout (per account and client address, known and unknown accounts
// alike, with a gentler per-account backoff), on both stores: in-process memory and Redis (when
// REDIS_URL is set, as CI does). Each test uses its own client address and accounts, so tests
// sharing one Redis never count against each other.
import { randomInt, randomUUID } from 'node:crypto';

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, redisUrl, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, STRONG_PASSWORD } from '../helpers/fixtures.ts';

const randomAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const WRONG_PASSWORD = 'Wrong-Horse-9-battery';

function expectRateLimited(response: LightMyRequestResponse, maxSeconds: number): number {
  expect(response.statusCode).toBe(429);
  const body = response.json<{
    error: { code: string; details: { retryAfterSeconds: number }; correlationId: string };
    timestamp: string;
  }>();
  expect(body.error.code).toBe('RATE_LIMITED');
  expect(body.error.correlationId).toBe(response.headers['x-correlation-id']);
  expect(typeof body.timestamp).toBe('string');
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  expect(body.error.details.retryAfterSeconds).toBe(retryAfter);
  return retryAfter;
}

const stores = [
  { name: 'memory', env: { REDIS_URL: '' }, skip: false },
  { name: 'Redis', env: { REDIS_URL: redisUrl ?? '' }, skip: !redisUrl },
];

describe.each(stores)('rate limits on the $name store', ({ name, env, skip }) => {
  let ctx: TestApp;
  let proxied: TestApp;

  beforeAll(async () => {
    if (skip) return;
    ctx = await buildTestApp({
      env: {
        ...env,
        RATE_LIMIT_GENERAL_PER_MINUTE: '3',
        RATE_LIMIT_AI_PER_MINUTE: '2',
        RATE_LIMIT_AUTH_PER_MINUTE: '3',
      },
    });
    proxied = await buildTestApp({
      env: { ...env, RATE_LIMIT_AUTH_PER_MINUTE: '2', TRUST_PROXY: 'true' },
    });
  });
  afterAll(async () => {
    if (skip) return;
    await ctx.close();
    await proxied.close();
  });

  const login = (
    app: TestApp,
    email: string,
    password: string,
    from: { remoteAddress?: string; headers?: Record<string, string> } = {},
  ) =>
    app.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
      remoteAddress: from.remoteAddress ?? randomAddress(),
      ...(from.headers ? { headers: from.headers } : {}),
    });

  it.skipIf(skip)(`uses the ${name} store`, () => {
    expect(ctx.runtime.cache.kind).toBe(name === 'Redis' ? 'redis' : 'memory');
  });

  it.skipIf(skip)(
    'limits each user on general routes, answering 429 with Retry-After',
    async () => {
      const user = await newUser(ctx.app, {}, { remoteAddress: randomAddress() });
      const me = () =>
        ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: user.headers });
      for (let i = 0; i < 3; i++) {
        const response = await me();
        expect(response.statusCode).toBe(200);
        expect(response.headers['x-ratelimit-limit']).toBe('3');
        expect(response.headers['x-ratelimit-remaining']).toBe(String(2 - i));
      }
      expectRateLimited(await me(), 60);
      // Another user has an allowance of their own.
      const other = await newUser(ctx.app, {}, { remoteAddress: randomAddress() });
      const theirs = await ctx.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: other.headers,
      });
      expect(theirs.statusCode).toBe(200);
    },
  );

  it.skipIf(skip)('limits AI endpoints per user more tightly than the rest', async () => {
    const user = await newUser(ctx.app, {}, { remoteAddress: randomAddress() });
    const business = await newBusiness(ctx.app, user);
    const suggest = () =>
      ctx.app.inject({
        method: 'POST',
        url: `/api/v1/businesses/${business.id}/ai/brand-voice`,
        headers: user.headers,
        payload: {},
      });
    for (let i = 0; i < 2; i++) expect((await suggest()).statusCode).not.toBe(429);
    expectRateLimited(await suggest(), 60);
    // The general allowance (3) is counted apart: one general request is still left.
    const general = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${business.id}`,
      headers: user.headers,
    });
    expect(general.statusCode).toBe(200);
  });

  it.skipIf(skip)('limits auth endpoints per client address', async () => {
    const address = randomAddress();
    for (let i = 0; i < 3; i++) {
      const response = await login(ctx, `nobody-${randomUUID()}@example.com`, WRONG_PASSWORD, {
        remoteAddress: address,
      });
      expect(response.statusCode).toBe(401);
    }
    expectRateLimited(
      await login(ctx, `nobody-${randomUUID()}@example.com`, WRONG_PASSWORD, {
        remoteAddress: address,
      }),
      60,
    );
    const elsewhere = await login(ctx, `nobody-${randomUUID()}@example.com`, WRONG_PASSWORD);
    expect(elsewhere.statusCode).toBe(401);
  });

  it.skipIf(skip)('ignores X-Forwarded-For unless TRUST_PROXY says the proxy is ours', async () => {
    const address = randomAddress();
    const answers: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await login(ctx, `nobody-${randomUUID()}@example.com`, WRONG_PASSWORD, {
        remoteAddress: address,
        headers: { 'x-forwarded-for': randomAddress() },
      });
      answers.push(response.statusCode);
    }
    expect(answers).toEqual([401, 401, 401, 429]);
  });

  it.skipIf(skip)('behind a trusted proxy, counts each real client apart', async () => {
    const proxy = randomAddress();
    const client = randomAddress();
    const from = { remoteAddress: proxy, headers: { 'x-forwarded-for': client } };
    const answers: number[] = [];
    for (let i = 0; i < 3; i++) {
      answers.push(
        (await login(proxied, `nobody-${randomUUID()}@example.com`, WRONG_PASSWORD, from))
          .statusCode,
      );
    }
    expect(answers).toEqual([401, 401, 429]);
    const otherClient = await login(proxied, `nobody-${randomUUID()}@example.com`, WRONG_PASSWORD, {
      remoteAddress: proxy,
      headers: { 'x-forwarded-for': randomAddress() },
    });
    expect(otherClient.statusCode).toBe(401);
  });
});

describe.each(stores)('login lockout on the $name store', ({ env, skip }) => {
  let ctx: TestApp;

  beforeAll(async () => {
    if (skip) return;
    // The default policy (5 failures, 15 minutes) with the per-minute limit out of the way.
    ctx = await buildTestApp({ env: { ...env, RATE_LIMIT_AUTH_PER_MINUTE: '1000' } });
  });
  afterAll(async () => {
    if (!skip) await ctx.close();
  });

  const login = (email: string, password: string, remoteAddress = randomAddress()) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
      remoteAddress,
    });
  const answerOf = (response: LightMyRequestResponse) => ({
    status: response.statusCode,
    code: response.json<{ error?: { code: string } }>().error?.code,
    message: response.json<{ error?: { message: string } }>().error?.message,
  });

  it.skipIf(skip)(
    'answers a known and an unknown account alike, the 5th failure locking both with 429',
    async () => {
      const user = await newUser(ctx.app);
      const unknown = `nobody-${randomUUID()}@example.com`;
      const [here, there] = [randomAddress(), randomAddress()];
      for (let i = 0; i < 5; i++) {
        const known = await login(user.email, WRONG_PASSWORD, here);
        const stranger = await login(unknown, WRONG_PASSWORD, there);
        expect(answerOf(known), `attempt ${i + 1}`).toEqual(answerOf(stranger));
        expect(known.statusCode).toBe(i < 4 ? 401 : 429);
        if (i === 4) {
          expect(expectRateLimited(known, 15 * 60)).toBeGreaterThan(14 * 60);
          expect(expectRateLimited(stranger, 15 * 60)).toBeGreaterThan(14 * 60);
        }
      }
      // Locked from that address: even the right password is refused, with the time left.
      const right = await login(user.email, STRONG_PASSWORD, here);
      expectRateLimited(right, 15 * 60);
      expect(right.body).not.toContain('accessToken');
      expect(answerOf(right)).toEqual(answerOf(await login(unknown, STRONG_PASSWORD, there)));
    },
  );

  it.skipIf(skip)(
    "a stranger's failures from another address do not lock the owner out",
    async () => {
      const user = await newUser(ctx.app);
      const attacker = randomAddress();
      for (let i = 0; i < 5; i++) await login(user.email, WRONG_PASSWORD, attacker);
      expectRateLimited(await login(user.email, STRONG_PASSWORD, attacker), 15 * 60);
      const owner = await login(user.email, STRONG_PASSWORD, randomAddress());
      expect(owner.statusCode).toBe(200);

      const audit = await ctx.app.inject({
        method: 'GET',
        url: '/api/v1/auth/audit-events?limit=100',
        headers: user.headers,
      });
      const actions = audit.json<{ items: { action: string; outcome: string }[] }>().items;
      expect(
        actions.filter((e) => e.action === 'auth.login' && e.outcome === 'failure'),
      ).toHaveLength(6);
      expect(actions.map((e) => e.action)).toContain('auth.locked');
    },
  );

  it.skipIf(skip)('the lock ends after its 15 minutes and the count starts again', async () => {
    const user = await newUser(ctx.app);
    const address = randomAddress();
    for (let i = 0; i < 5; i++) await login(user.email, WRONG_PASSWORD, address);
    expectRateLimited(await login(user.email, STRONG_PASSWORD, address), 15 * 60);
    // Fifteen minutes later (the lock's cache entry expiring, rather than waited for).
    await ctx.runtime.cache.delete(`block:login-address:${user.email}:${address}`);
    expect((await login(user.email, STRONG_PASSWORD, address)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) {
      expect((await login(user.email, WRONG_PASSWORD, address)).statusCode).toBe(401);
    }
  });

  it.skipIf(skip)(
    'after 20 failures in an hour from many addresses, the account takes one attempt a minute',
    async () => {
      const user = await newUser(ctx.app);
      for (let i = 0; i < 19; i++) {
        expect((await login(user.email, WRONG_PASSWORD)).statusCode).toBe(401);
      }
      // The 20th failure starts the backoff: one attempt a minute, from anywhere.
      expectRateLimited(await login(user.email, WRONG_PASSWORD), 60);
      expectRateLimited(await login(user.email, STRONG_PASSWORD), 60);
      // A minute later (moved in the cache rather than waited for) the owner gets in.
      await ctx.runtime.cache.delete(`block:login-account:${user.email}`);
      expect((await login(user.email, STRONG_PASSWORD)).statusCode).toBe(200);
    },
  );
});

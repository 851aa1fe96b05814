// Ending a sign-in ends its access tokens at once, not 15 minutes later: at logout, at a
// password change (every other sign-in of the user) and when a refresh token is reused (the
// whole family). Runs on both cache stores: in-process memory and Redis (when REDIS_URL is set).
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, redisUrl, type TestApp } from '../helpers/app.ts';
import { newUser, STRONG_PASSWORD, type TestUser } from '../helpers/fixtures.ts';

interface Session {
  accessToken: string;
  refreshToken: string;
}

const NEW_PASSWORD = 'Staple-Lantern-4-orchid';

const stores = [
  { name: 'memory', env: { REDIS_URL: '' }, skip: false },
  { name: 'Redis', env: { REDIS_URL: redisUrl ?? '' }, skip: !redisUrl },
];

describe.each(stores)('signing out on the $name store', ({ name, env, skip }) => {
  let ctx: TestApp;

  beforeAll(async () => {
    if (!skip) ctx = await buildTestApp({ env });
  });
  afterAll(async () => {
    if (!skip) await ctx.close();
  });

  const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method: 'POST', url, payload, headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const me = (token: string) =>
    ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
  const signIn = async (user: TestUser, password = STRONG_PASSWORD) => {
    const response = await post('/api/v1/auth/login', { email: user.email, password });
    expect(response.statusCode).toBe(200);
    return response.json<Session>();
  };
  const expectSignedOut = (response: LightMyRequestResponse) => {
    expect(response.statusCode).toBe(401);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('UNAUTHENTICATED');
  };

  it.skipIf(skip)(`uses the ${name} store`, () => {
    expect(ctx.runtime.cache.kind).toBe(name === 'Redis' ? 'redis' : 'memory');
  });

  it.skipIf(skip)('after logout, the access token of that sign-in answers 401', async () => {
    const user = await newUser(ctx.app);
    const laptop = await signIn(user);
    expect((await me(laptop.accessToken)).statusCode).toBe(200);
    expect(
      (await post('/api/v1/auth/logout', { refreshToken: laptop.refreshToken })).statusCode,
    ).toBe(204);
    expectSignedOut(await me(laptop.accessToken));
    // The sign-in of the registration (another device) is not touched.
    expect((await me(user.accessToken)).statusCode).toBe(200);
  });

  it.skipIf(skip)(
    'after a password change, every other sign-in ends; the one that changed it stays',
    async () => {
      const user = await newUser(ctx.app);
      const phone = await signIn(user);
      expect((await me(phone.accessToken)).statusCode).toBe(200);
      const changed = await post(
        '/api/v1/auth/password',
        { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD },
        user.headers,
      );
      expect(changed.statusCode).toBe(204);
      expectSignedOut(await me(phone.accessToken));
      expectSignedOut(await post('/api/v1/auth/refresh', { refreshToken: phone.refreshToken }));
      expect((await me(user.accessToken)).statusCode).toBe(200);
      // The new password signs in, the old one no longer does.
      await signIn(user, NEW_PASSWORD);
      const old = await post('/api/v1/auth/login', {
        email: user.email,
        password: STRONG_PASSWORD,
      });
      expect(old.statusCode).toBe(401);
    },
  );

  it.skipIf(skip)(
    'refuses a password change with a wrong current password or a weak new one',
    async () => {
      const user = await newUser(ctx.app);
      const wrong = await post(
        '/api/v1/auth/password',
        { currentPassword: 'Not-The-Password-7', newPassword: NEW_PASSWORD },
        user.headers,
      );
      expect(wrong.statusCode).toBe(400);
      expect(
        wrong.json<{ error: { details: { issues: { path: string }[] } } }>().error.details.issues[0]
          ?.path,
      ).toBe('body.currentPassword');
      const weak = await post(
        '/api/v1/auth/password',
        { currentPassword: STRONG_PASSWORD, newPassword: 'Aaaaaaaaaa' },
        user.headers,
      );
      expect(weak.statusCode).toBe(400);
      expect(
        weak.json<{ error: { details: { issues: { path: string }[] } } }>().error.details.issues[0]
          ?.path,
      ).toBe('body.newPassword');
      // Nothing changed: the old password still signs in.
      await signIn(user);
    },
  );

  it.skipIf(skip)(
    'when a refresh token is reused, the access tokens of that whole sign-in answer 401',
    async () => {
      const user = await newUser(ctx.app);
      const tablet = await signIn(user);
      const rotated = (
        await post('/api/v1/auth/refresh', { refreshToken: tablet.refreshToken })
      ).json<Session>();
      expect((await me(rotated.accessToken)).statusCode).toBe(200);
      // The stolen first refresh token comes back.
      expectSignedOut(await post('/api/v1/auth/refresh', { refreshToken: tablet.refreshToken }));
      expectSignedOut(await me(tablet.accessToken));
      expectSignedOut(await me(rotated.accessToken));
      expect((await me(user.accessToken)).statusCode).toBe(200);
    },
  );
});

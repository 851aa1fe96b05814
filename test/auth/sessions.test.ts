// Accounts and sessions: register, login, me, rotating refresh tokens (body or cookie) with
// theft detection, and logout.
import { randomUUID } from 'node:crypto';

import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { refreshTokens, users } from '../../src/platform/db/schema/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newUser, STRONG_PASSWORD, type TestUser } from '../helpers/fixtures.ts';

interface Session {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
  user: { id: string; email: string; name: string; createdAt: string };
}

describe('accounts and sessions', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(async () => {
    await ctx.close();
  });

  const post = (url: string, payload?: object, extra: Record<string, unknown> = {}) =>
    ctx.app.inject({ method: 'POST', url, ...(payload ? { payload } : {}), ...extra });
  const login = (email: string, password = STRONG_PASSWORD) =>
    post('/api/v1/auth/login', { email, password });
  const refresh = (refreshToken: string) => post('/api/v1/auth/refresh', { refreshToken });
  const errorCode = (response: LightMyRequestResponse) =>
    response.json<{ error: { code: string } }>().error.code;

  function refreshCookie(response: LightMyRequestResponse) {
    return response.cookies.find((cookie) => cookie.name === 'herald_refresh');
  }

  it('registers an account and answers the session of DESIGN.md', async () => {
    const email = `ada-${randomUUID()}@example.com`;
    const response = await post('/api/v1/auth/register', {
      email,
      password: STRONG_PASSWORD,
      name: 'Ada',
    });
    expect(response.statusCode).toBe(201);
    const session = response.json<Session>();
    expect(session).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { email } });
    expect(session.accessToken.split('.')).toHaveLength(3);
    expect(session.refreshToken).toMatch(/^hrt_/);
    expect(Object.keys(session.user).sort()).toEqual([
      'createdAt',
      'email',
      'id',
      'isAdmin',
      'name',
    ]);

    const me = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${session.accessToken}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(session.user);
  });

  it('keeps emails unique whatever their case, and signs in with any case', async () => {
    const local = `Grace-${randomUUID()}`;
    await newUser(ctx.app, { email: `${local}@Example.COM` });
    const again = await post('/api/v1/auth/register', {
      email: `${local.toLowerCase()}@example.com`,
      password: STRONG_PASSWORD,
      name: 'Grace again',
    });
    expect(again.statusCode).toBe(409);
    expect(errorCode(again)).toBe('CONFLICT');
    const signedIn = await login(`${local.toUpperCase()}@EXAMPLE.com`);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json<Session>().user.email).toBe(`${local.toLowerCase()}@example.com`);
  });

  it('refuses weak passwords with 400 and creates nothing', async () => {
    const email = `weak-${randomUUID()}@example.com`;
    for (const password of [
      'Short-1',
      'onlylowercaseletters',
      'password123',
      `${email.split('@')[0] ?? ''}-X`,
    ]) {
      const response = await post('/api/v1/auth/register', { email, password, name: 'Weak' });
      expect(response.statusCode, password).toBe(400);
      expect(errorCode(response)).toBe('VALIDATION_ERROR');
      expect(response.body).not.toContain(password);
    }
    const signIn = await login(email, 'onlylowercaseletters');
    expect(signIn.statusCode).toBe(401);
  });

  it('refuses repeated characters and common passwords, saying why, and creates nothing', async () => {
    const email = `weak-${randomUUID()}@example.com`;
    const cases: [string, RegExp][] = [
      ['Aaaaaaaaaa', /different characters/],
      ['1111111111a', /different characters/],
      ['          a1', /different characters/],
      ['Abababababab1', /different characters/],
      ['aaaaaaaaB1c2d', /repeat one character/],
      ['Qwertyuiop', /common/],
      ['Password2024!', /common/],
      ['Iloveyou123', /common/],
    ];
    for (const [password, why] of cases) {
      const response = await post('/api/v1/auth/register', { email, password, name: 'Weak' });
      expect(response.statusCode, password).toBe(400);
      const error = response.json<{
        error: {
          code: string;
          message: string;
          details: { issues: { path: string; message: string }[] };
        };
      }>().error;
      expect(error.code).toBe('VALIDATION_ERROR');
      expect(error.details.issues[0]?.path).toBe('body.password');
      expect(error.message, password).toMatch(why);
    }
    expect((await login(email, 'Aaaaaaaaaa')).statusCode).toBe(401);
    // A long passphrase of ordinary words is fine.
    const fine = await post('/api/v1/auth/register', {
      email,
      password: 'Lantern-orchid-staple-9',
      name: 'Fine',
    });
    expect(fine.statusCode).toBe(201);
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    const user = await newUser(ctx.app);
    const wrong = await login(user.email, 'Wrong-Horse-9-battery');
    const unknown = await login(`nobody-${randomUUID()}@example.com`);
    expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
    expect(wrong.json<{ error: { message: string } }>().error.message).toBe(
      unknown.json<{ error: { message: string } }>().error.message,
    );
  });

  it('stores passwords as argon2id hashes and refresh tokens only as hashes', async () => {
    const user = await newUser(ctx.app);
    const db = ctx.runtime.database.db;
    const [row] = await db
      .select({ passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.id, user.id));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
    const tokens = await db
      .select({ tokenHash: refreshTokens.tokenHash })
      .from(refreshTokens)
      .where(eq(refreshTokens.userId, user.id));
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.tokenHash).not.toBe(user.refreshToken);
    expect(JSON.stringify(tokens)).not.toContain(user.refreshToken.slice(4));
  });

  it('rotates the refresh token: each one works once and gives a new pair', async () => {
    const user = await newUser(ctx.app);
    const first = await refresh(user.refreshToken);
    expect(first.statusCode).toBe(200);
    const rotated = first.json<Session>();
    expect(rotated.refreshToken).not.toBe(user.refreshToken);
    expect(rotated.user.id).toBe(user.id);
    const second = await refresh(rotated.refreshToken);
    expect(second.statusCode).toBe(200);
  });

  it('when a rotated refresh token is reused, the whole family is revoked', async () => {
    const user = await newUser(ctx.app);
    const rotated = (await refresh(user.refreshToken)).json<Session>();
    // The stolen copy of the first token comes back: refused…
    const replay = await refresh(user.refreshToken);
    expect(replay.statusCode).toBe(401);
    expect(errorCode(replay)).toBe('UNAUTHENTICATED');
    // …and the legitimate newer token of the same sign-in stops working too.
    expect((await refresh(rotated.refreshToken)).statusCode).toBe(401);
    // Another sign-in of the same user is a different family and keeps working.
    const other = (await login(user.email)).json<Session>();
    const renewed = await refresh(other.refreshToken);
    expect(renewed.statusCode).toBe(200);
    const audit = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/auth/audit-events?limit=100',
      headers: { authorization: `Bearer ${renewed.json<Session>().accessToken}` },
    });
    const actions = audit.json<{ items: { action: string }[] }>().items.map((e) => e.action);
    expect(actions).toContain('auth.refresh_reuse');
  });

  it('sets the refresh token as an httpOnly, SameSite=Strict cookie and refreshes from it', async () => {
    const user = await newUser(ctx.app);
    const signedIn = await login(user.email);
    const cookie = refreshCookie(signedIn);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth' });
    expect(cookie?.value).toBe(signedIn.json<Session>().refreshToken);

    const fromCookie = await post('/api/v1/auth/refresh', undefined, {
      cookies: { herald_refresh: cookie?.value ?? '' },
    });
    expect(fromCookie.statusCode).toBe(200);
    const next = refreshCookie(fromCookie);
    expect(next?.value).toBe(fromCookie.json<Session>().refreshToken);
    expect(next?.value).not.toBe(cookie?.value);
  });

  it('answers 401 to a refresh with no token, or an unknown one', async () => {
    const none = await post('/api/v1/auth/refresh');
    expect(none.statusCode).toBe(401);
    expect((await refresh(`hrt_${randomUUID()}`)).statusCode).toBe(401);
  });

  it('logout revokes the refresh token sent in the body', async () => {
    const user = await newUser(ctx.app);
    const out = await post('/api/v1/auth/logout', { refreshToken: user.refreshToken });
    expect(out.statusCode).toBe(204);
    const after = await refresh(user.refreshToken);
    expect(after.statusCode).toBe(401);
  });

  it('logout revokes the refresh token of the cookie and clears the cookie', async () => {
    const user = await newUser(ctx.app);
    const signedIn = await login(user.email);
    const token = signedIn.json<Session>().refreshToken;
    const out = await post('/api/v1/auth/logout', undefined, {
      cookies: { herald_refresh: token },
    });
    expect(out.statusCode).toBe(204);
    const cleared = refreshCookie(out);
    expect(cleared?.value).toBe('');
    expect((await refresh(token)).statusCode).toBe(401);
    // The session of the registration is another family: logging one device out leaves it be.
    expect((await refresh(user.refreshToken)).statusCode).toBe(200);
  });

  it('answers /me 401 without credentials, and the owner of an API key with that key', async () => {
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me' });
    expect(anonymous.statusCode).toBe(401);
    const user: TestUser = await newUser(ctx.app);
    const key = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/api-keys',
      headers: user.headers,
      payload: { name: 'me', scopes: ['read'] },
    });
    const viaKey = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { 'x-api-key': key.json<{ key: string }>().key },
    });
    expect(viaKey.statusCode).toBe(200);
    expect(viaKey.json<{ id: string }>().id).toBe(user.id);
  });

  it('validates register and login bodies with 400 VALIDATION_ERROR', async () => {
    for (const payload of [
      { email: 'not-an-email', password: STRONG_PASSWORD, name: 'X' },
      { email: `x-${randomUUID()}@example.com`, password: STRONG_PASSWORD },
      { email: `x-${randomUUID()}@example.com`, password: STRONG_PASSWORD, name: '   ' },
    ]) {
      const response = await post('/api/v1/auth/register', payload);
      expect(response.statusCode).toBe(400);
      expect(errorCode(response)).toBe('VALIDATION_ERROR');
    }
    const response = await post('/api/v1/auth/login', { email: 'a@example.com' });
    expect(response.statusCode).toBe(400);
  });
});

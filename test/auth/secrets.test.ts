// A password or token never appears in a log line, and never in a response other than the one
// that hands it to its owner. The whole session life cycle runs with debug logging captured.
import { randomUUID } from 'node:crypto';

import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, STRONG_PASSWORD } from '../helpers/fixtures.ts';

interface Session {
  accessToken: string;
  refreshToken: string;
}

describe('secrets stay out of logs and responses', () => {
  let ctx: TestApp;
  /** Every response, with whether it is the one that issued a secret to its owner. */
  const responses: { label: string; body: string; issues: string[] }[] = [];
  const passwords = [STRONG_PASSWORD, 'Wrong-Horse-9-battery', 'weakpassword', 'P'.repeat(300)];
  const tokens: string[] = [];

  beforeAll(async () => {
    ctx = await buildTestApp();
    const email = `secret-${randomUUID()}@example.com`;
    const send = async (
      label: string,
      options: InjectOptions,
      issues: (response: LightMyRequestResponse) => string[] = () => [],
    ) => {
      const response = await ctx.app.inject(options);
      responses.push({ label, body: response.body, issues: issues(response) });
      return response;
    };
    const sessionSecrets = (response: LightMyRequestResponse) => {
      const session = response.json<Session>();
      tokens.push(session.accessToken, session.refreshToken);
      return [session.accessToken, session.refreshToken];
    };
    const post = (url: string, payload?: object, headers: Record<string, string> = {}) => ({
      method: 'POST' as const,
      url,
      headers,
      ...(payload ? { payload } : {}),
    });

    await send(
      'weak register',
      post('/api/v1/auth/register', { email, password: 'weakpassword', name: 'S' }),
    );
    await send(
      'long register',
      post('/api/v1/auth/register', { email, password: 'P'.repeat(300), name: 'S' }),
    );
    const registered = await send(
      'register',
      post('/api/v1/auth/register', { email, password: STRONG_PASSWORD, name: 'S' }),
      sessionSecrets,
    );
    const first = registered.json<Session>();
    await send(
      'duplicate',
      post('/api/v1/auth/register', { email, password: STRONG_PASSWORD, name: 'S' }),
    );
    await send(
      'wrong password',
      post('/api/v1/auth/login', { email, password: 'Wrong-Horse-9-battery' }),
    );
    const loggedIn = await send(
      'login',
      post('/api/v1/auth/login', { email, password: STRONG_PASSWORD }),
      sessionSecrets,
    );
    const session = loggedIn.json<Session>();
    // The login's sign-in ends at the reuse below (its access token too): use the registration's.
    const auth = { authorization: `Bearer ${first.accessToken}` };
    const rotated = await send(
      'refresh',
      post('/api/v1/auth/refresh', { refreshToken: session.refreshToken }),
      sessionSecrets,
    );
    await send('reuse', post('/api/v1/auth/refresh', { refreshToken: session.refreshToken }));
    await send('me', { method: 'GET', url: '/api/v1/auth/me', headers: auth });
    const created = await send(
      'create key',
      post(
        '/api/v1/auth/api-keys',
        { name: 'ci', scopes: ['read', 'write'] },
        {
          authorization: `Bearer ${first.accessToken}`,
        },
      ),
      (response) => [response.json<{ key: string }>().key],
    );
    const key = created.json<{ id: string; key: string }>();
    tokens.push(key.key);
    await send('use key', {
      method: 'GET',
      url: '/api/v1/businesses',
      headers: { 'x-api-key': key.key },
    });
    await send('list keys', { method: 'GET', url: '/api/v1/auth/api-keys', headers: auth });
    await send('stream with token in query', {
      method: 'GET',
      url: `/api/v1/jobs/${randomUUID()}/events?accessToken=${encodeURIComponent(session.accessToken)}`,
    });
    await send('bad bearer', {
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${session.accessToken}x` },
    });
    await send('revoke key', {
      method: 'DELETE',
      url: `/api/v1/auth/api-keys/${key.id}`,
      headers: auth,
    });
    await send('revoked key', {
      method: 'GET',
      url: '/api/v1/businesses',
      headers: { 'x-api-key': key.key },
    });
    await send(
      'logout',
      post('/api/v1/auth/logout', {
        refreshToken: rotated.json<Session>().refreshToken,
      }),
    );
    await send('audit', {
      method: 'GET',
      url: '/api/v1/auth/audit-events?limit=100',
      headers: auth,
    });
    const user = {
      id: '',
      email,
      password: STRONG_PASSWORD,
      accessToken: first.accessToken,
      refreshToken: '',
      headers: auth,
    };
    await newBusiness(ctx.app, user);
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('ran the flow it meant to (sessions, a key, failures)', () => {
    expect(responses.length).toBeGreaterThan(15);
    expect(tokens.length).toBe(7);
    expect(ctx.logs.lines.length).toBeGreaterThan(20);
    // The captured logs do hold the events, so absence of secrets below is meaningful.
    expect(ctx.logs.text()).toContain('auth.login');
    expect(ctx.logs.text()).toContain('api_key.created');
  });

  it('never writes a password, a token or a password hash to the logs', () => {
    const text = ctx.logs.text();
    for (const secret of [...passwords, ...tokens]) {
      expect(text.includes(secret), `a secret starting ${secret.slice(0, 8)} was logged`).toBe(
        false,
      );
    }
    expect(text).not.toContain('$argon2');
    // Parts of tokens are secrets too (a JWT's signature, a key's random body).
    for (const token of tokens) {
      const tail = token.slice(-24);
      expect(text.includes(tail), `the end of a token was logged`).toBe(false);
    }
  });

  it('never returns a password or a password hash in any response', () => {
    for (const { label, body } of responses) {
      for (const password of passwords) {
        expect(body.includes(password), `${label} echoed a password`).toBe(false);
      }
      expect(body, label).not.toContain('$argon2');
      expect(body.toLowerCase(), label).not.toContain('passwordhash');
    }
  });

  it('returns a token only in the response that issues it to its owner', () => {
    for (const { label, body, issues } of responses) {
      for (const token of tokens.filter((t) => !issues.includes(t))) {
        expect(body.includes(token), `${label} returned a token it did not issue`).toBe(false);
      }
    }
  });
});

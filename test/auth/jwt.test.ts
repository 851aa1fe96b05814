// Access tokens the server did not issue, or no longer honours, get 401: tampered, expired,
// unsigned (`alg: none`), signed with another algorithm (RS256, or HMAC keyed with a public key:
// the HS/RS confusion), minted for another audience or issuer, naming a subject that is not a
// user id or a user that is gone, or signed with a key that is not (or no longer) configured.
import { generateKeyPairSync } from 'node:crypto';

import { eq } from 'drizzle-orm';
import { createSigner } from 'fast-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { users } from '../../src/platform/db/schema/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newUser, type TestUser } from '../helpers/fixtures.ts';

const SECRET = 'test-only-jwt-secret-of-forty-two-characters!';
const ISSUER = 'herald';
const AUDIENCE = 'herald-api';

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The claims of a token, read without checking it. */
function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

describe('access tokens', () => {
  let ctx: TestApp;
  let user: TestUser;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  beforeAll(async () => {
    ctx = await buildTestApp({
      env: { JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
    });
    user = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  /** A token the way the server signs one, with `overrides` changed. */
  function sign(
    overrides: {
      key?: string;
      algorithm?: 'HS256' | 'HS512' | 'RS256' | 'none';
      iss?: string;
      aud?: string;
      clockTimestamp?: number;
      payload?: Record<string, unknown>;
    } = {},
  ): string {
    const signer = createSigner({
      key: overrides.key ?? SECRET,
      algorithm: overrides.algorithm ?? 'HS256',
      iss: overrides.iss ?? ISSUER,
      aud: overrides.aud ?? AUDIENCE,
      expiresIn: 15 * 60_000,
      ...(overrides.clockTimestamp ? { clockTimestamp: overrides.clockTimestamp } : {}),
    });
    return signer({
      sub: user.id,
      sid: claimsOf(user.accessToken).sid,
      typ: 'access',
      ...overrides.payload,
    });
  }

  async function me(token: string) {
    const response = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    return {
      status: response.statusCode,
      body: response.json<{ id?: string; error?: { code: string } }>(),
    };
  }

  async function expectRefused(token: string) {
    const answer = await me(token);
    expect(answer.status).toBe(401);
    expect(answer.body.error?.code).toBe('UNAUTHENTICATED');
  }

  it('accepts a token signed the way the server signs them (so the refusals below mean something)', async () => {
    const answer = await me(sign());
    expect(answer.status).toBe(200);
    expect(answer.body.id).toBe(user.id);
    expect((await me(user.accessToken)).status).toBe(200);
  });

  it('refuses a tampered token: another subject with the original signature', async () => {
    const [header, , signature] = user.accessToken.split('.');
    const other = await newUser(ctx.app);
    const payload = claimsOf(user.accessToken);
    await expectRefused(`${header}.${base64url({ ...payload, sub: other.id })}.${signature}`);
  });

  it('refuses a token whose signature was altered', async () => {
    const token = user.accessToken;
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    await expectRefused(`${token.slice(0, -2)}${last}${token.slice(-1)}`);
  });

  it('refuses an expired token', async () => {
    await expectRefused(sign({ clockTimestamp: Date.now() - 60 * 60_000 }));
  });

  it('refuses an unsigned token (alg: none), whether built by hand or by a library', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: user.id, typ: 'access', iss: ISSUER, aud: AUDIENCE, iat: now };
    const byHand = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, exp: now + 600 })}.`;
    await expectRefused(byHand);
    await expectRefused(sign({ algorithm: 'none', key: '' }));
  });

  it('refuses a token signed with RS256, even by a real key pair', async () => {
    await expectRefused(sign({ algorithm: 'RS256', key: privatePem }));
  });

  it('refuses HS/RS confusion: an HMAC token keyed with a public key', async () => {
    await expectRefused(sign({ algorithm: 'HS256', key: publicPem }));
  });

  it('refuses another HMAC algorithm than the pinned one, even with the right secret', async () => {
    await expectRefused(sign({ algorithm: 'HS512' }));
  });

  it('refuses a token for another audience or from another issuer', async () => {
    await expectRefused(sign({ aud: 'some-other-api' }));
    await expectRefused(sign({ iss: 'someone-else' }));
  });

  it('refuses a token that is not an access token, and a refresh token used as one', async () => {
    await expectRefused(sign({ payload: { typ: 'refresh' } }));
    await expectRefused(user.refreshToken);
  });

  it('refuses a malformed Authorization header', async () => {
    for (const authorization of ['Basic abc', `Bearer`, `Token ${user.accessToken}`]) {
      const response = await ctx.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: { authorization },
      });
      expect(response.statusCode).toBe(401);
    }
  });

  it('answers 401, not 500, to a well-signed token whose subject is not a user id', async () => {
    for (const sub of ['not-a-uuid', "1' OR '1'='1", '', 42]) {
      await expectRefused(sign({ payload: { sub } }));
      const write = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/api-keys',
        headers: { authorization: `Bearer ${sign({ payload: { sub } })}` },
        payload: { name: 'k' },
      });
      expect(write.statusCode).toBe(401);
      expect(write.json<{ error: { code: string } }>().error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers 401, not 500, to a well-signed token of a user that no longer exists', async () => {
    const gone = await newUser(ctx.app);
    await ctx.runtime.database.db.delete(users).where(eq(users.id, gone.id));
    await expectRefused(gone.accessToken);
    for (const [url, payload] of [
      ['/api/v1/businesses', { name: 'Ghost', industry: 'x', audience: 'y', timezone: 'UTC' }],
      ['/api/v1/auth/api-keys', { name: 'ghost key' }],
    ] as const) {
      const response = await ctx.app.inject({
        method: 'POST',
        url,
        headers: gone.headers,
        payload,
      });
      expect(response.statusCode, url).toBe(401);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('rotating JWT_SECRET', () => {
  const OLD = 'the-old-secret-that-leaked-of-forty-characters';
  const NEW = 'the-new-secret-set-after-the-leak-forty-chars!!';
  let rotating: TestApp;
  let rotated: TestApp;

  beforeAll(async () => {
    // During the rotation: the new secret signs, the old one still verifies.
    rotating = await buildTestApp({ env: { JWT_SECRET: NEW, JWT_PREVIOUS_SECRET: OLD } });
    // After it: JWT_PREVIOUS_SECRET removed.
    rotated = await buildTestApp({ env: { JWT_SECRET: NEW } });
  });
  afterAll(async () => {
    await rotating.close();
    await rotated.close();
  });

  /** A token for `user` as the server signs them, but with `key`. */
  function signedWith(key: string, user: TestUser): string {
    const signer = createSigner({
      key,
      algorithm: 'HS256',
      iss: ISSUER,
      aud: AUDIENCE,
      expiresIn: 15 * 60_000,
    });
    return signer({ sub: user.id, sid: claimsOf(user.accessToken).sid, typ: 'access' });
  }

  async function meStatus(app: TestApp, token: string): Promise<number> {
    const response = await app.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    return response.statusCode;
  }

  it('accepts tokens signed with the previous secret while it is configured', async () => {
    const user = await newUser(rotating.app);
    expect(await meStatus(rotating, signedWith(NEW, user))).toBe(200);
    expect(await meStatus(rotating, signedWith(OLD, user))).toBe(200);
  });

  it('refuses them once the previous secret is removed, and always refuses unknown secrets', async () => {
    const user = await newUser(rotated.app);
    expect(await meStatus(rotated, signedWith(NEW, user))).toBe(200);
    expect(await meStatus(rotated, signedWith(OLD, user))).toBe(401);
    const stranger = 'a-secret-this-server-never-had-forty-chars!!';
    expect(await meStatus(rotated, signedWith(stranger, user))).toBe(401);
    const during = await newUser(rotating.app);
    expect(await meStatus(rotating, signedWith(stranger, during))).toBe(401);
  });

  it('signs new tokens with the current secret only', async () => {
    const user = await newUser(rotating.app);
    expect(await meStatus(rotating, user.accessToken)).toBe(200);
    // Re-signing the server's claims with the new secret gives the very same signature.
    const claims = claimsOf(user.accessToken);
    const resigned = createSigner({
      key: NEW,
      algorithm: 'HS256',
      clockTimestamp: Number(claims.iat) * 1000,
    })(claims);
    expect(resigned.split('.')[2]).toBe(user.accessToken.split('.')[2]);
  });
});

// With SMTP configured, register does not tell whether an address has an account: the same 202
// for a new and an existing address, and the difference goes to the mailbox (a link finishing
// the sign-up, or a note to the existing owner). Mail goes to a real SMTP server on loopback.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { STRONG_PASSWORD } from '../helpers/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

describe('registration by email (SMTP configured)', () => {
  let smtp: SmtpReceiver;
  let ctx: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    ctx = await buildTestApp({
      // SIGNUP_CONFIRM_BY_EMAIL unset, as in production: on because SMTP_URL is set.
      env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://herald.test', SIGNUP_CONFIRM_BY_EMAIL: '' },
    });
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.close();
  });

  const post = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, payload });
  const register = (email: string, password = STRONG_PASSWORD) =>
    post('/api/v1/auth/register', { email, password, name: 'Ada' });

  async function linkTokenFor(email: string): Promise<string> {
    const [mail] = await smtp.to(email);
    const match = /https:\/\/herald\.test\/verify-email\?token=(\S+)/.exec(mail?.text ?? '');
    expect(match, 'a sign-up link').not.toBeNull();
    return decodeURIComponent(match?.[1] ?? '');
  }

  it('answers a new and an existing address the same, and emails each what applies', async () => {
    const email = `ada-${randomUUID()}@example.com`;
    const first = await register(email);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({
      status: 'pending',
      message: 'Check your email to finish signing up',
    });
    // Nothing exists until the link is followed.
    const early = await post('/api/v1/auth/login', { email, password: STRONG_PASSWORD });
    expect(early.statusCode).toBe(401);
    const session = await post('/api/v1/auth/verify-email', { token: await linkTokenFor(email) });
    expect(session.statusCode).toBe(201);
    const tokens = session.json<{ accessToken: string; user: { email: string } }>();
    expect(tokens.user.email).toBe(email);
    const me = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(me.statusCode).toBe(200);

    // The address now has an account: registering it again answers exactly as for a new one…
    const again = await register(email, 'Another-Horse-7-battery');
    const fresh = await register(`grace-${randomUUID()}@example.com`);
    expect(again.statusCode).toBe(fresh.statusCode);
    expect(again.body).toBe(fresh.body);
    expect(again.headers['set-cookie']).toBeUndefined();
    // …and the owner is told by email, with no link that would create anything.
    await smtp.waitFor(3);
    const mails = await smtp.to(email);
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toBe('You already have a Herald account');
    expect(mails[1]?.text).not.toContain('verify-email');
    // The password of the second attempt did not replace the owner's.
    expect(
      (await post('/api/v1/auth/login', { email, password: STRONG_PASSWORD })).statusCode,
    ).toBe(200);
  });

  it('a sign-up link works once, and an altered one not at all', async () => {
    const email = `once-${randomUUID()}@example.com`;
    expect((await register(email)).statusCode).toBe(202);
    const token = await linkTokenFor(email);
    const tampered = `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    for (const bad of [tampered, 'not-a-token']) {
      const response = await post('/api/v1/auth/verify-email', { token: bad });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('VALIDATION_ERROR');
    }
    expect((await post('/api/v1/auth/verify-email', { token })).statusCode).toBe(201);
    const reused = await post('/api/v1/auth/verify-email', { token });
    expect(reused.statusCode).toBe(400);
  });

  it('still refuses a weak password at once, naming the field', async () => {
    const response = await register(`weak-${randomUUID()}@example.com`, 'Aaaaaaaaaa');
    expect(response.statusCode).toBe(400);
    expect(
      response.json<{ error: { details: { issues: { path: string }[] } } }>().error.details
        .issues[0]?.path,
    ).toBe('body.password');
  });
});

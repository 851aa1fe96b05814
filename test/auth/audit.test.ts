// The security audit trail: each security event is a structured log line and a row its owner
// can list (and nobody else can).
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newApiKey,
  newBusiness,
  newUser,
  STRONG_PASSWORD,
  type TestUser,
} from '../helpers/fixtures.ts';

interface AuditEvent {
  id: string;
  action: string;
  outcome: 'success' | 'failure';
  businessId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

describe('security audit trail', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  let keyId: string;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    const login = (password: string) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: owner.email, password },
        headers: { 'user-agent': 'audit-test/1.0' },
      });
    expect((await login('Wrong-Horse-9-battery')).statusCode).toBe(401);
    expect((await login(STRONG_PASSWORD)).statusCode).toBe(200);
    const key = await newApiKey(ctx.app, owner, ['read']);
    keyId = key.id;
    await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/api-keys/${key.id}`,
      headers: owner.headers,
    });
    businessId = (await newBusiness(ctx.app, owner)).id;
    await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/write-key/rotate`,
      headers: owner.headers,
    });
    await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/businesses/${businessId}`,
      headers: owner.headers,
    });
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function trail(user: TestUser, query = 'limit=100') {
    const response = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/auth/audit-events?${query}`,
      headers: user.headers,
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ items: AuditEvent[]; nextCursor: string | null }>();
  }

  it('lists the owner’s security events, newest first', async () => {
    const { items } = await trail(owner);
    const actions = items.map((event) => `${event.action}:${event.outcome}`);
    expect(actions).toEqual([
      'business.deleted:success',
      'business.write_key_rotated:success',
      'business.created:success',
      'api_key.revoked:success',
      'api_key.created:success',
      'auth.login:success',
      'auth.login:failure',
      'auth.register:success',
    ]);
    const failure = items.find((event) => event.outcome === 'failure');
    expect(failure?.details).toMatchObject({ reason: 'wrong_password' });
    expect(failure?.userAgent).toBe('audit-test/1.0');
    expect(failure?.ip).toBeTruthy();
    const deleted = items[0];
    expect(deleted?.businessId).toBe(businessId);
    const revoked = items.find((event) => event.action === 'api_key.revoked');
    expect(revoked?.details).toMatchObject({ apiKeyId: keyId });
  });

  it('pages through the trail with a cursor', async () => {
    const first = await trail(owner, 'limit=3');
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    const second = await trail(
      owner,
      `limit=3&cursor=${encodeURIComponent(first.nextCursor ?? '')}`,
    );
    expect(second.items.map((e) => e.id)).not.toContain(first.items[0]?.id);
    expect(second.items).toHaveLength(3);
  });

  it('shows nobody else the owner’s events', async () => {
    const stranger = await newUser(ctx.app);
    const { items } = await trail(stranger);
    expect(items.map((event) => event.action)).toEqual(['auth.register']);
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/audit-events' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('writes each event as a structured log line too', () => {
    const lines = ctx.logs.entries.filter((entry) => entry.userId === owner.id && 'audit' in entry);
    const logged = lines.map((entry) => `${String(entry.audit)}:${String(entry.outcome)}`);
    for (const expected of [
      'auth.login:failure',
      'auth.login:success',
      'api_key.created:success',
      'api_key.revoked:success',
      'business.deleted:success',
    ]) {
      expect(logged).toContain(expected);
    }
    expect(lines.every((entry) => entry.msg === 'audit event')).toBe(true);
  });

  it('records a login for an unknown email without an owner to show it to', async () => {
    const email = `ghost-${randomUUID()}@example.com`;
    await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: STRONG_PASSWORD },
    });
    const line = ctx.logs.entries.find((entry) => entry.email === email);
    expect(line).toMatchObject({
      audit: 'auth.login',
      outcome: 'failure',
      reason: 'unknown_email',
    });
  });
});

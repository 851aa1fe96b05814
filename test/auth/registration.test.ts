// REGISTRATION: open (anyone), invite (an email with a pending invitation only), closed (nobody);
// in every mode the first account of the instance may register, and the sign-up page can read
// the mode.
import { createHash, randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { invitations } from '../../src/platform/db/schema/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, STRONG_PASSWORD, type TestUser } from '../helpers/fixtures.ts';

const register = (ctx: TestApp, email: string) =>
  ctx.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password: STRONG_PASSWORD, name: 'Someone' },
  });

const modeOf = async (ctx: TestApp) => {
  const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/registration' });
  expect(response.statusCode).toBe(200);
  return response.json<{ mode: string }>().mode;
};

describe('registration open (the default)', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('lets anyone register, and says so', async () => {
    await newUser(ctx.app);
    expect((await register(ctx, `new-${randomUUID()}@example.com`)).statusCode).toBe(201);
    expect(await modeOf(ctx)).toBe('open');
  });
});

describe('registration by invitation', () => {
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    ctx = await buildTestApp({ env: { REGISTRATION: 'invite' } });
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function invite(
    email: string,
    businessId: string,
    fields: Partial<typeof invitations.$inferInsert> = {},
  ) {
    await ctx.runtime.database.db.insert(invitations).values({
      businessId,
      email,
      role: 'editor',
      tokenHash: createHash('sha256').update(randomUUID()).digest('hex'),
      invitedBy: owner.id,
      expiresAt: new Date(Date.now() + 86_400_000),
      ...fields,
    });
  }

  it('lets the first account register with no invitation, then answers invite', async () => {
    expect(await modeOf(ctx)).toBe('open');
    owner = await newUser(ctx.app);
    expect(await modeOf(ctx)).toBe('invite');
  });

  it('lets an email with a pending invitation register, whatever its case', async () => {
    const business = await newBusiness(ctx.app, owner);
    await invite('invited@example.com', business.id);
    expect((await register(ctx, 'Invited@Example.com')).statusCode).toBe(201);
  });

  it('refuses an email without one, or whose invitation expired, was revoked or used', async () => {
    const business = await newBusiness(ctx.app, owner);
    await invite('expired@example.com', business.id, { expiresAt: new Date(Date.now() - 1000) });
    await invite('revoked@example.com', business.id, { revokedAt: new Date() });
    await invite('used@example.com', business.id, { acceptedAt: new Date() });
    for (const email of [
      'stranger@example.com',
      'expired@example.com',
      'revoked@example.com',
      'used@example.com',
    ]) {
      const response = await register(ctx, email);
      expect(response.statusCode, email).toBe(403);
      expect(response.json()).toMatchObject({
        error: { code: 'FORBIDDEN', message: expect.stringContaining('invitation') as string },
      });
    }
    const signIn = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'stranger@example.com', password: STRONG_PASSWORD },
    });
    expect(signIn.statusCode).toBe(401);
  });
});

describe('registration closed', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp({ env: { REGISTRATION: 'closed' } });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('lets only the first account register, which becomes the administrator', async () => {
    const first = await newUser(ctx.app);
    const me = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: first.headers,
    });
    expect(me.json()).toMatchObject({ isAdmin: true });
    expect(await modeOf(ctx)).toBe('closed');

    const second = await register(ctx, `second-${randomUUID()}@example.com`);
    expect(second.statusCode).toBe(403);
    expect(second.json()).toMatchObject({
      error: { code: 'FORBIDDEN', message: expect.stringContaining('closed') as string },
    });
    const overview = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/admin/overview',
      headers: first.headers,
    });
    expect(overview.json()).toMatchObject({ users: 1, registration: 'closed' });
  });
});

// The instance administrator: the first account is one, ADMIN_EMAIL is one, the administration
// routes refuse everyone else; AI spend per business matches ai_calls; a budget set here is the
// business's; a disabled account cannot sign in and its sessions and keys stop at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { aiCalls, jobs } from '../../src/platform/db/schema/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newApiKey,
  newBusiness,
  newUser,
  STRONG_PASSWORD,
  type TestUser,
} from '../helpers/fixtures.ts';

interface AdminUserView {
  id: string;
  email: string;
  isAdmin: boolean;
  disabledAt: string | null;
  businessCount: number;
  lastLoginAt: string | null;
}

interface AdminBusinessView {
  id: string;
  name: string;
  ownerEmail: string;
  memberCount: number;
  aiDailyBudgetUsd: number | null;
  aiSpendTodayUsd: number;
  aiSpend30dUsd: number;
}

const DAY_MS = 86_400_000;

describe('the instance administrator', () => {
  let ctx: TestApp;
  let admin: TestUser;
  let member: TestUser;

  beforeAll(async () => {
    ctx = await buildTestApp({ env: { ADMIN_EMAIL: 'Boss@Example.com' } });
    admin = await newUser(ctx.app);
    member = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const me = async (user: TestUser) =>
    ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: user.headers });
  const as = (user: TestUser, method: 'GET' | 'PATCH', url: string, payload?: object) =>
    ctx.app.inject({
      method,
      url,
      headers: user.headers,
      ...(payload ? { payload: payload as Record<string, unknown> } : {}),
    });
  const login = (email: string) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: STRONG_PASSWORD },
    });

  async function userRow(email: string): Promise<AdminUserView | undefined> {
    const response = await as(admin, 'GET', '/api/v1/admin/users?limit=100');
    expect(response.statusCode).toBe(200);
    return response
      .json<{ items: AdminUserView[] }>()
      .items.find((item) => item.email === email.toLowerCase());
  }

  it('makes the first account the administrator, and not the second', async () => {
    expect((await me(admin)).json()).toMatchObject({ isAdmin: true });
    expect((await me(member)).json()).toMatchObject({ isAdmin: false });
  });

  it('makes ADMIN_EMAIL an administrator when it registers, and again when it signs in', async () => {
    const boss = await newUser(ctx.app, { email: 'boss@example.com' });
    expect((await me(boss)).json()).toMatchObject({ isAdmin: true });
    const demoted = await as(admin, 'PATCH', `/api/v1/admin/users/${boss.id}`, { isAdmin: false });
    expect(demoted.json()).toMatchObject({ isAdmin: false });
    const signIn = await login('boss@example.com');
    expect(signIn.statusCode).toBe(200);
    expect(signIn.json()).toMatchObject({ user: { isAdmin: true } });
  });

  it('answers 403 FORBIDDEN to anyone else on every administration route', async () => {
    const business = await newBusiness(ctx.app, member);
    const calls: [method: 'GET' | 'PATCH', url: string, body?: object][] = [
      ['GET', '/api/v1/admin/overview'],
      ['GET', '/api/v1/admin/users'],
      ['PATCH', `/api/v1/admin/users/${admin.id}`, { disabled: true }],
      ['GET', '/api/v1/admin/businesses'],
      ['PATCH', `/api/v1/admin/businesses/${business.id}`, { aiDailyBudgetUsd: 1 }],
    ];
    for (const [method, url, body] of calls) {
      const response = await as(member, method, url, body);
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    // Not even with the member's own API key, nor the administrator's business key.
    const key = await newApiKey(ctx.app, member, ['read']);
    const byKey = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/admin/users',
      headers: key.headers,
    });
    expect(byKey.statusCode).toBe(403);
    const own = await newBusiness(ctx.app, admin);
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/api-keys',
      headers: admin.headers,
      payload: { name: 'shop key', scopes: ['read'], businessId: own.id },
    });
    const businessKey = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/admin/overview',
      headers: { 'x-api-key': created.json<{ key: string }>().key },
    });
    expect(businessKey.statusCode).toBe(403);
    expect((await me(admin)).json()).toMatchObject({ isAdmin: true });
  });

  it('lists users with their businesses and last sign-in', async () => {
    await newBusiness(ctx.app, admin);
    const row = await userRow(admin.email);
    expect(row).toMatchObject({ isAdmin: true, disabledAt: null });
    expect(row?.businessCount).toBeGreaterThanOrEqual(1);
    expect(row?.lastLoginAt).not.toBeNull();
  });

  it("shows each business's AI spend as ai_calls has it: today and the last 30 days", async () => {
    const bakery = await newBusiness(ctx.app, member, { name: 'Spend bakery' });
    const florist = await newBusiness(ctx.app, member, { name: 'Spend florist' });
    const now = Date.now();
    const call = (businessId: string, costUsd: string, at: Date) => ({
      businessId,
      task: 'content.write',
      provider: 'builtin',
      model: 'builtin',
      tier: 'fast',
      costUsd,
      latencyMs: 5,
      outcome: 'success',
      createdAt: at,
    });
    const startOfDay = new Date(new Date().toISOString().slice(0, 10));
    await ctx.runtime.database.db
      .insert(aiCalls)
      .values([
        call(bakery.id, '0.125000', new Date(Math.max(startOfDay.getTime(), now - 1000))),
        call(bakery.id, '0.250000', new Date(now)),
        call(bakery.id, '1.000000', new Date(now - 10 * DAY_MS)),
        call(bakery.id, '9.000000', new Date(now - 40 * DAY_MS)),
        call(florist.id, '0.003000', new Date(now - 3 * DAY_MS)),
      ]);
    const response = await as(admin, 'GET', '/api/v1/admin/businesses?limit=100');
    expect(response.statusCode).toBe(200);
    const items = response.json<{ items: AdminBusinessView[] }>().items;
    expect(items.find((item) => item.id === bakery.id)).toMatchObject({
      name: 'Spend bakery',
      ownerEmail: member.email,
      memberCount: 1,
      aiDailyBudgetUsd: null,
      aiSpendTodayUsd: 0.375,
      aiSpend30dUsd: 1.375,
    });
    expect(items.find((item) => item.id === florist.id)).toMatchObject({
      aiSpendTodayUsd: 0,
      aiSpend30dUsd: 0.003,
    });

    const overview = await as(admin, 'GET', '/api/v1/admin/overview');
    expect(overview.statusCode).toBe(200);
    expect(overview.json<{ aiSpendTodayUsd: number }>().aiSpendTodayUsd).toBeGreaterThanOrEqual(
      0.375,
    );
  });

  it("sets a business's AI budget, which the business then shows (null: the default again)", async () => {
    const business = await newBusiness(ctx.app, member);
    const set = await as(admin, 'PATCH', `/api/v1/admin/businesses/${business.id}`, {
      aiDailyBudgetUsd: 12.5,
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ id: business.id, aiDailyBudgetUsd: 12.5 });
    const read = await as(member, 'GET', `/api/v1/businesses/${business.id}`);
    expect(read.json()).toMatchObject({ aiDailyBudgetUsd: 12.5 });
    // The AI layer spends against it.
    const usage = await as(member, 'GET', `/api/v1/businesses/${business.id}/ai/usage`);
    expect(usage.json()).toMatchObject({ budget: { dailyBudgetUsd: 12.5, source: 'business' } });

    await as(admin, 'PATCH', `/api/v1/admin/businesses/${business.id}`, { aiDailyBudgetUsd: null });
    expect((await as(member, 'GET', `/api/v1/businesses/${business.id}`)).json()).toMatchObject({
      aiDailyBudgetUsd: null,
    });
    const bad = await as(admin, 'PATCH', `/api/v1/admin/businesses/${business.id}`, {
      aiDailyBudgetUsd: -1,
    });
    expect(bad.statusCode).toBe(400);
    const missing = await as(
      admin,
      'PATCH',
      '/api/v1/admin/businesses/00000000-0000-4000-8000-000000000000',
      { aiDailyBudgetUsd: 3 },
    );
    expect(missing.statusCode).toBe(404);
  });

  it('counts the job backlog in the overview', async () => {
    const business = await newBusiness(ctx.app, member);
    const job = (status: string, finishedAt: Date | null) => ({
      businessId: business.id,
      userId: member.id,
      kind: 'fixture.noop',
      status,
      finishedAt,
    });
    const before = (await as(admin, 'GET', '/api/v1/admin/overview')).json<{
      jobs: { queued: number; running: number; failedLast24h: number };
    }>();
    await ctx.runtime.database.db
      .insert(jobs)
      .values([
        job('queued', null),
        job('running', null),
        job('failed', new Date()),
        job('failed', new Date(Date.now() - 3 * DAY_MS)),
      ]);
    const after = (await as(admin, 'GET', '/api/v1/admin/overview')).json<{
      users: number;
      businesses: number;
      registration: string;
      jobs: { queued: number; running: number; failedLast24h: number };
    }>();
    expect(after.jobs).toEqual({
      queued: before.jobs.queued + 1,
      running: before.jobs.running + 1,
      failedLast24h: before.jobs.failedLast24h + 1,
    });
    expect(after.users).toBeGreaterThanOrEqual(2);
    expect(after.businesses).toBeGreaterThanOrEqual(1);
    expect(after.registration).toBe('open');
  });

  it('refuses to disable your own account or to leave the instance without an administrator', async () => {
    const self = await as(admin, 'PATCH', `/api/v1/admin/users/${admin.id}`, { disabled: true });
    expect(self.statusCode).toBe(409);
    // boss@ is an administrator too (ADMIN_EMAIL): unmake it, then the last one cannot step down.
    const boss = await userRow('boss@example.com');
    await as(admin, 'PATCH', `/api/v1/admin/users/${boss?.id ?? ''}`, { isAdmin: false });
    const last = await as(admin, 'PATCH', `/api/v1/admin/users/${admin.id}`, { isAdmin: false });
    expect(last.statusCode).toBe(409);
    expect(last.json()).toMatchObject({ error: { code: 'CONFLICT' } });
    expect((await me(admin)).json()).toMatchObject({ isAdmin: true });
    const empty = await as(admin, 'PATCH', `/api/v1/admin/users/${member.id}`, {});
    expect(empty.statusCode).toBe(400);
  });

  it('disables an account: sign-in 403, its access token and API key 401 at once; enabling restores them', async () => {
    const user = await newUser(ctx.app);
    const key = await newApiKey(ctx.app, user, ['read']);
    const business = await newBusiness(ctx.app, user);
    // Warm every cache: the sign-in, the key and the membership.
    expect((await me(user)).statusCode).toBe(200);
    const byKey = () =>
      ctx.app.inject({
        method: 'GET',
        url: `/api/v1/businesses/${business.id}`,
        headers: key.headers,
      });
    expect((await byKey()).statusCode).toBe(200);

    const disabled = await as(admin, 'PATCH', `/api/v1/admin/users/${user.id}`, {
      disabled: true,
    });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json<AdminUserView>().disabledAt).not.toBeNull();

    const signIn = await login(user.email);
    expect(signIn.statusCode).toBe(403);
    expect(signIn.json()).toMatchObject({
      error: { code: 'FORBIDDEN', message: 'This account is disabled' },
    });
    expect((await me(user)).statusCode).toBe(401);
    expect((await byKey()).statusCode).toBe(401);
    const refresh = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: user.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
    // A wrong password is told nothing about the account.
    const wrong = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: 'not-the-password-1' },
    });
    expect(wrong.statusCode).toBe(401);

    const enabled = await as(admin, 'PATCH', `/api/v1/admin/users/${user.id}`, {
      disabled: false,
    });
    expect(enabled.json()).toMatchObject({ disabledAt: null });
    const again = await login(user.email);
    expect(again.statusCode).toBe(200);
    expect((await byKey()).statusCode).toBe(200);
    // The sign-in that was ended stays ended.
    expect((await me(user)).statusCode).toBe(401);
  });
});

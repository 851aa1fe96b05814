// Members of a business: who may change whom (owners only for owners, admins for the rest), the
// last-owner rule (a business always keeps an owner), leaving, and removal — after which the
// member's JWT no longer reaches the business and their business API key stops working, at once.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { tokenHash } from '../../src/modules/auth/credentials.ts';
import { apiKeys } from '../../src/platform/db/schema/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newBusiness,
  newInvitation,
  newUser,
  type TestBusiness,
  type TestUser,
} from '../helpers/fixtures.ts';

type Role = 'owner' | 'admin' | 'editor' | 'viewer';

describe('members', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(async () => {
    await ctx.close();
  });

  const request = (
    method: 'GET' | 'PATCH' | 'DELETE' | 'POST',
    url: string,
    headers: Record<string, string>,
    payload?: object,
  ) => ctx.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  /** A new user who joined `business` through an invitation from `inviter`. */
  async function join(
    business: TestBusiness,
    inviter: TestUser,
    role: Role,
    approver = false,
  ): Promise<TestUser> {
    const email = `member-${randomUUID()}@example.com`;
    const { token } = await newInvitation(ctx.app, inviter, business.id, { email, role, approver });
    const user = await newUser(ctx.app, { email });
    const accepted = await request('POST', `/api/v1/invitations/${token}/accept`, user.headers);
    if (accepted.statusCode !== 200) throw new Error(`accept failed: ${accepted.body}`);
    return user;
  }

  async function team() {
    const owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner);
    const member = (user: TestUser) => `/api/v1/businesses/${business.id}/members/${user.id}`;
    return { owner, business, member };
  }

  it('keeps the last owner: they cannot leave, be demoted or be removed; with two owners one may leave', async () => {
    const { owner, business, member } = await team();
    const leave = await request('DELETE', member(owner), owner.headers);
    expect(leave.statusCode).toBe(409);
    expect(leave.json()).toMatchObject({
      error: { code: 'CONFLICT', details: { rule: 'last_owner' } },
    });
    expect(leave.json<{ error: { message: string } }>().error.message).toContain(
      'at least one owner',
    );
    const demote = await request('PATCH', member(owner), owner.headers, { role: 'admin' });
    expect(demote.statusCode).toBe(409);

    const second = await join(business, owner, 'owner');
    // Now either may go; once one has, the other is the last again.
    expect((await request('DELETE', member(second), second.headers)).statusCode).toBe(204);
    expect(
      (await request('GET', `/api/v1/businesses/${business.id}`, second.headers)).statusCode,
    ).toBe(404);
    expect((await request('DELETE', member(owner), owner.headers)).statusCode).toBe(409);

    const third = await join(business, owner, 'owner');
    const demoted = await request('PATCH', member(owner), third.headers, { role: 'admin' });
    expect(demoted.statusCode).toBe(200);
    expect(demoted.json()).toMatchObject({ userId: owner.id, role: 'admin' });
    // The change applies to the next request: the former owner cannot delete the business.
    const business403 = await request('DELETE', `/api/v1/businesses/${business.id}`, owner.headers);
    expect(business403.statusCode).toBe(403);
    const removeLast = await request('DELETE', member(third), third.headers);
    expect(removeLast.statusCode).toBe(409);
  });

  it('lets an admin manage admins, editors and viewers but never touch an owner', async () => {
    const { owner, business, member } = await team();
    const admin = await join(business, owner, 'admin');
    const editor = await join(business, owner, 'editor');
    const other = await join(business, owner, 'admin');

    for (const answer of [
      await request('PATCH', member(owner), admin.headers, { role: 'viewer' }),
      await request('DELETE', member(owner), admin.headers),
      await request('PATCH', member(editor), admin.headers, { role: 'owner' }),
      await request('PATCH', member(admin), admin.headers, { role: 'owner' }),
      await request('POST', `/api/v1/businesses/${business.id}/invitations`, admin.headers, {
        email: `boss-${randomUUID()}@example.com`,
        role: 'owner',
      }),
    ]) {
      expect(answer.statusCode, answer.body).toBe(403);
    }
    const toViewer = await request('PATCH', member(editor), admin.headers, {
      role: 'viewer',
      approver: true,
    });
    expect(toViewer.statusCode).toBe(200);
    expect(toViewer.json()).toMatchObject({ role: 'viewer', approver: true });
    const seen = await request('GET', `/api/v1/businesses/${business.id}`, editor.headers);
    expect(seen.json()).toMatchObject({
      role: 'viewer',
      approver: true,
      permissions: ['business.read', 'content.approve'],
    });
    expect(
      (await request('PATCH', member(other), admin.headers, { role: 'editor' })).statusCode,
    ).toBe(200);

    const members = await request(
      'GET',
      `/api/v1/businesses/${business.id}/members`,
      editor.headers,
    );
    expect(
      members
        .json<{ items: { userId: string; role: string }[] }>()
        .items.map((m) => [m.userId, m.role]),
    ).toEqual([
      [owner.id, 'owner'],
      [admin.id, 'admin'],
      [editor.id, 'viewer'],
      [other.id, 'editor'],
    ]);
  });

  it('refuses an editor who invites and a viewer who changes a role (403), and lets a viewer leave', async () => {
    const { owner, business, member } = await team();
    const editor = await join(business, owner, 'editor');
    const viewer = await join(business, owner, 'viewer');
    const invite = await request(
      'POST',
      `/api/v1/businesses/${business.id}/invitations`,
      editor.headers,
      {
        email: `friend-${randomUUID()}@example.com`,
        role: 'viewer',
      },
    );
    expect(invite.statusCode).toBe(403);
    expect(invite.json()).toMatchObject({
      error: { code: 'FORBIDDEN', details: { requiredPermission: 'team.manage' } },
    });
    const patch = await request('PATCH', member(editor), viewer.headers, { role: 'viewer' });
    expect(patch.statusCode).toBe(403);
    expect((await request('DELETE', member(editor), viewer.headers)).statusCode).toBe(403);
    expect((await request('DELETE', member(viewer), viewer.headers)).statusCode).toBe(204);
    const members = await request(
      'GET',
      `/api/v1/businesses/${business.id}/members`,
      owner.headers,
    );
    expect(members.json<{ items: { userId: string }[] }>().items.map((m) => m.userId)).toEqual([
      owner.id,
      editor.id,
    ]);
    // A stranger's user id, or a member of another business, is not a member here.
    const stranger = await newUser(ctx.app);
    expect(
      (await request('PATCH', member(stranger), owner.headers, { role: 'viewer' })).statusCode,
    ).toBe(404);
  });

  it("ends a removed member's access at once: their JWT answers 404, their business key 401", async () => {
    const { owner, business, member } = await team();
    const editor = await join(business, owner, 'editor');
    const key = `hk_${randomUUID().replaceAll('-', '')}`;
    await ctx.runtime.database.db.insert(apiKeys).values({
      userId: editor.id,
      businessId: business.id,
      name: 'editor key',
      prefix: key.slice(0, 11),
      keyHash: tokenHash(key),
      scopes: ['read', 'write'],
    });
    const url = `/api/v1/businesses/${business.id}`;
    // Both are remembered (the membership and the key) before the removal.
    expect((await request('GET', url, editor.headers)).statusCode).toBe(200);
    expect((await request('GET', url, { 'x-api-key': key })).statusCode).toBe(200);

    expect((await request('DELETE', member(editor), owner.headers)).statusCode).toBe(204);

    const jwt = await request('GET', url, editor.headers);
    expect(jwt.statusCode).toBe(404);
    expect((await request('GET', `${url}/members`, editor.headers)).statusCode).toBe(404);
    const byKey = await request('GET', url, { 'x-api-key': key });
    expect(byKey.statusCode).toBe(401);
    const audit = await request('GET', '/api/v1/auth/audit-events', owner.headers);
    expect(
      audit.json<{ items: { action: string; details: Record<string, unknown> }[] }>().items[0],
    ).toMatchObject({
      action: 'team.removed',
      details: { memberId: editor.id, role: 'editor', revokedKeys: 1 },
    });
  });
});

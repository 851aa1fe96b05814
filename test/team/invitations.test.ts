// Invitations from the inviter's and the invitee's side, without SMTP (the link comes back in the
// answer): invite, sign up with the invited address, read the link, accept, and the business is
// the invitee's with the role they were given. Links that expired, were used, declined, withdrawn
// or replaced are refused, and so is an account with another address.
import { randomUUID } from 'node:crypto';

import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { invitations } from '../../src/platform/db/schema/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newBusiness,
  newInvitation,
  newUser,
  type TestBusiness,
  type TestUser,
} from '../helpers/fixtures.ts';

interface InvitationBody {
  id: string;
  businessId: string;
  businessName: string;
  email: string;
  role: string;
  approver: boolean;
  status: string;
  invitedBy: { id: string; name: string; email: string } | null;
  expiresAt: string;
  createdAt: string;
  acceptUrl?: string;
}

describe('invitations', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;

  beforeAll(async () => {
    ctx = await buildTestApp({ env: { PUBLIC_URL: 'https://herald.test' } });
    owner = await newUser(ctx.app);
    business = await newBusiness(ctx.app, owner, { name: 'Blue Bottle Bakery' });
  });
  afterAll(async () => {
    await ctx.close();
  });

  const base = () => `/api/v1/businesses/${business.id}`;
  const freshEmail = () => `grace-${randomUUID()}@example.com`;
  const post = (url: string, user: TestUser, payload?: object) =>
    ctx.app.inject({ method: 'POST', url, headers: user.headers, ...(payload ? { payload } : {}) });
  const get = (url: string, user: TestUser) =>
    ctx.app.inject({ method: 'GET', url, headers: user.headers });
  const accept = (token: string, user: TestUser) =>
    post(`/api/v1/invitations/${token}/accept`, user);

  it('takes an invitee from the link to a member who can read the business with their role', async () => {
    const email = freshEmail();
    const created = await post(`${base()}/invitations`, owner, {
      email: `  ${email.toUpperCase()} `,
      role: 'editor',
    });
    expect(created.statusCode).toBe(201);
    const invitation = created.json<InvitationBody>();
    expect(invitation).toMatchObject({
      businessId: business.id,
      businessName: 'Blue Bottle Bakery',
      email,
      role: 'editor',
      approver: false,
      status: 'pending',
      invitedBy: { id: owner.id, email: owner.email },
    });
    const days = (Date.parse(invitation.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    const acceptUrl = invitation.acceptUrl ?? '';
    expect(acceptUrl).toMatch(/^https:\/\/herald\.test\/invitations\/hinv_[\w-]{43}$/);
    const token = acceptUrl.slice(acceptUrl.lastIndexOf('/') + 1);
    // Only the token's hash is kept.
    const [stored] = await ctx.runtime.database.db
      .select({ tokenHash: invitations.tokenHash })
      .from(invitations)
      .where(eq(invitations.id, invitation.id));
    expect(stored?.tokenHash).not.toContain(token);

    const invitee = await newUser(ctx.app, { email });
    expect((await get(`/api/v1/businesses/${business.id}`, invitee)).statusCode).toBe(404);
    const mine = await get('/api/v1/invitations', invitee);
    expect(mine.statusCode).toBe(200);
    expect(mine.json<{ items: InvitationBody[] }>().items.map((item) => item.id)).toEqual([
      invitation.id,
    ]);
    const byLink = await get(`/api/v1/invitations/${token}`, invitee);
    expect(byLink.statusCode).toBe(200);
    expect(byLink.json<InvitationBody>()).toMatchObject({
      businessName: 'Blue Bottle Bakery',
      role: 'editor',
      status: 'pending',
      invitedBy: { id: owner.id },
    });
    expect(byLink.json<InvitationBody>().acceptUrl).toBeUndefined();

    const accepted = await accept(token, invitee);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({
      businessId: business.id,
      businessName: 'Blue Bottle Bakery',
      role: 'editor',
      approver: false,
    });

    const members = await get(`${base()}/members`, owner);
    expect(members.statusCode).toBe(200);
    expect(
      members.json<{
        items: { userId: string; role: string; invitedBy: { id: string } | null }[];
      }>().items,
    ).toMatchObject([
      { userId: owner.id, role: 'owner', invitedBy: null },
      { userId: invitee.id, role: 'editor', invitedBy: { id: owner.id } },
    ]);
    const read = await get(`/api/v1/businesses/${business.id}`, invitee);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ role: 'editor', approver: false });
    const listed = await get('/api/v1/businesses', invitee);
    expect(listed.json<{ items: { id: string; role: string }[] }>().items).toMatchObject([
      { id: business.id, role: 'editor' },
    ]);

    // The link worked once.
    const again = await accept(token, invitee);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      error: { code: 'CONFLICT', details: { reason: 'accepted' } },
    });
    expect((await get(`/api/v1/invitations/${token}`, invitee)).json()).toMatchObject({
      status: 'accepted',
    });
    expect((await get('/api/v1/invitations', invitee)).json()).toEqual({ items: [] });

    // Inviting a member again is refused.
    const twice = await post(`${base()}/invitations`, owner, { email, role: 'viewer' });
    expect(twice.statusCode).toBe(409);

    // The inviter's audit trail shows the invitation.
    const audit = await get('/api/v1/auth/audit-events', owner);
    expect(audit.json<{ items: { action: string }[] }>().items.map((e) => e.action)).toContain(
      'team.invited',
    );
  });

  it('refuses an expired link with 409 and reason expired', async () => {
    const email = freshEmail();
    const { id, token } = await newInvitation(ctx.app, owner, business.id, { email });
    await ctx.runtime.database.db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, id));
    const invitee = await newUser(ctx.app, { email });
    const answer = await accept(token, invitee);
    expect(answer.statusCode).toBe(409);
    expect(answer.json()).toMatchObject({ error: { details: { reason: 'expired' } } });
    expect((await get(`/api/v1/invitations/${token}`, invitee)).json()).toMatchObject({
      status: 'expired',
    });
    expect((await get('/api/v1/invitations', invitee)).json()).toEqual({ items: [] });
    expect((await get(`/api/v1/businesses/${business.id}`, invitee)).statusCode).toBe(404);
  });

  it('refuses a declined link, and declining twice', async () => {
    const email = freshEmail();
    const { token } = await newInvitation(ctx.app, owner, business.id, { email });
    const invitee = await newUser(ctx.app, { email });
    expect((await post(`/api/v1/invitations/${token}/decline`, invitee)).statusCode).toBe(204);
    const answer = await accept(token, invitee);
    expect(answer.statusCode).toBe(409);
    expect(answer.json()).toMatchObject({ error: { details: { reason: 'declined' } } });
    expect((await post(`/api/v1/invitations/${token}/decline`, invitee)).statusCode).toBe(409);
  });

  it('refuses an account with another address (403), and the link stays usable by its addressee', async () => {
    const email = freshEmail();
    const { token } = await newInvitation(ctx.app, owner, business.id, { email });
    const stranger = await newUser(ctx.app);
    const answer = await accept(token, stranger);
    expect(answer.statusCode).toBe(403);
    expect(answer.json()).toMatchObject({
      error: { code: 'FORBIDDEN', details: { reason: 'other_address' } },
    });
    expect(answer.json<{ error: { message: string } }>().error.message).toContain(
      'sent to another email address',
    );
    expect((await post(`/api/v1/invitations/${token}/decline`, stranger)).statusCode).toBe(403);
    expect((await get(`/api/v1/businesses/${business.id}`, stranger)).statusCode).toBe(404);
    const invitee = await newUser(ctx.app, { email });
    expect((await accept(token, invitee)).statusCode).toBe(200);
  });

  it('refuses a withdrawn link; a new invitation to the same address replaces the pending one', async () => {
    const email = freshEmail();
    const first = await newInvitation(ctx.app, owner, business.id, { email });
    const revoked = await ctx.app.inject({
      method: 'DELETE',
      url: `${base()}/invitations/${first.id}`,
      headers: owner.headers,
    });
    expect(revoked.statusCode).toBe(204);
    const invitee = await newUser(ctx.app, { email });
    const answer = await accept(first.token, invitee);
    expect(answer.statusCode).toBe(409);
    expect(answer.json()).toMatchObject({ error: { details: { reason: 'revoked' } } });
    const twice = await ctx.app.inject({
      method: 'DELETE',
      url: `${base()}/invitations/${first.id}`,
      headers: owner.headers,
    });
    expect(twice.statusCode).toBe(409);

    const second = await newInvitation(ctx.app, owner, business.id, { email, role: 'viewer' });
    const third = await newInvitation(ctx.app, owner, business.id, { email, role: 'admin' });
    expect((await accept(second.token, invitee)).json()).toMatchObject({
      error: { details: { reason: 'revoked' } },
    });
    const list = await get(`${base()}/invitations?limit=3`, owner);
    expect(list.json<{ items: InvitationBody[] }>().items.map((i) => [i.id, i.status])).toEqual([
      [third.id, 'pending'],
      [second.id, 'revoked'],
      [first.id, 'revoked'],
    ]);
    expect((await accept(third.token, invitee)).json()).toMatchObject({ role: 'admin' });
  });

  it('answers 404 for a link that does not exist', async () => {
    const answer = await get(`/api/v1/invitations/hinv_${'x'.repeat(43)}`, owner);
    expect(answer.statusCode).toBe(404);
    expect((await accept(`hinv_${'x'.repeat(43)}`, owner)).statusCode).toBe(404);
  });

  it('pages the invitations newest first', async () => {
    const other = await newBusiness(ctx.app, owner);
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await newInvitation(ctx.app, owner, other.id));
    const first = await get(`/api/v1/businesses/${other.id}/invitations?limit=2`, owner);
    const page = first.json<{ items: InvitationBody[]; nextCursor: string | null }>();
    expect(page.items.map((i) => i.id)).toEqual([made[2]?.id, made[1]?.id]);
    const next = await get(
      `/api/v1/businesses/${other.id}/invitations?limit=2&cursor=${page.nextCursor ?? ''}`,
      owner,
    );
    expect(next.json()).toMatchObject({ items: [{ id: made[0]?.id }], nextCursor: null });
  });

  it('replays an invitation for the same Idempotency-Key', async () => {
    const payload = { email: freshEmail(), role: 'viewer' };
    const headers = { ...owner.headers, 'idempotency-key': randomUUID() };
    const url = `${base()}/invitations`;
    const first = await ctx.app.inject({ method: 'POST', url, headers, payload });
    const second = await ctx.app.inject({ method: 'POST', url, headers, payload });
    expect(first.statusCode).toBe(201);
    expect(second.json<InvitationBody>().id).toBe(first.json<InvitationBody>().id);
  });

  it('refuses a bad address or role with 400 and creates nothing', async () => {
    const bad = await post(`${base()}/invitations`, owner, {
      email: 'not-an-address',
      role: 'boss',
    });
    expect(bad.statusCode).toBe(400);
    const list = await get(`${base()}/invitations?limit=100`, owner);
    expect(
      list.json<{ items: InvitationBody[] }>().items.some((i) => i.email === 'not-an-address'),
    ).toBe(false);
  });

  it('accepting needs a signed-in user, not an API key', async () => {
    const { token } = await newInvitation(ctx.app, owner, business.id);
    const key = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/api-keys',
      headers: owner.headers,
      payload: { name: 'ci', scopes: ['read', 'write'] },
    });
    const answer = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${token}/accept`,
      headers: { 'x-api-key': key.json<{ key: string }>().key },
    });
    expect(answer.statusCode).toBe(403);
  });
});

// Business API keys: a key made for one business acts there only, with its creator's role; only a
// member who may manage the business makes one; the business's managers list and revoke every
// member's keys, and a revoked key stops at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { businessMembers } from '../../src/platform/db/schema/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newApiKey,
  newBusiness,
  newUser,
  type TestBusiness,
  type TestUser,
} from '../helpers/fixtures.ts';

interface BusinessKeyView {
  id: string;
  businessId: string | null;
  name: string;
  prefix: string;
  scopes: string[];
  createdBy: { id: string; name: string; email: string };
  revokedAt: string | null;
}

describe('business API keys', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let editor: TestUser;
  let shop: TestBusiness;
  let other: TestBusiness;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    editor = await newUser(ctx.app);
    shop = await newBusiness(ctx.app, owner, { name: 'The shop' });
    other = await newBusiness(ctx.app, owner, { name: 'The other shop' });
    await ctx.runtime.database.db
      .insert(businessMembers)
      .values({ businessId: shop.id, userId: editor.id, role: 'editor', invitedBy: owner.id });
  });
  afterAll(async () => {
    await ctx.close();
  });

  const createKey = (user: TestUser, businessId: string, scopes = ['read', 'write']) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/api-keys',
      headers: user.headers,
      payload: { name: 'Zapier', scopes, businessId },
    });
  const get = (url: string, headers: Record<string, string>) =>
    ctx.app.inject({ method: 'GET', url, headers });

  it('acts on its own business only; another business of the same user is 404', async () => {
    const created = await createKey(owner, shop.id);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ businessId: shop.id, scopes: ['read', 'write'] });
    const headers = { 'x-api-key': created.json<{ key: string }>().key };

    expect((await get(`/api/v1/businesses/${shop.id}`, headers)).statusCode).toBe(200);
    const elsewhere = await get(`/api/v1/businesses/${other.id}`, headers);
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const list = await get('/api/v1/businesses', headers);
    expect(list.json<{ items: { id: string }[] }>().items.map((item) => item.id)).toEqual([
      shop.id,
    ]);
    // It writes there, but cannot make businesses or manage keys.
    const campaign = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${shop.id}/campaigns`,
      headers,
      payload: { name: 'By key', goal: 'Test', channels: ['email'] },
    });
    expect(campaign.statusCode).toBe(201);
    const business = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/businesses',
      headers,
      payload: { name: 'Made by a key' },
    });
    expect(business.statusCode).toBe(403);
    expect((await get(`/api/v1/businesses/${shop.id}/api-keys`, headers)).statusCode).toBe(403);
  });

  it('is made only by a member who may manage the business: an editor 403, a stranger 404', async () => {
    const byEditor = await createKey(editor, shop.id);
    expect(byEditor.statusCode).toBe(403);
    expect(byEditor.json()).toMatchObject({
      error: { code: 'FORBIDDEN', details: { requiredPermission: 'business.manage' } },
    });
    const byStranger = await createKey(editor, other.id);
    expect(byStranger.statusCode).toBe(404);
    // A personal key stays for everyone.
    expect((await newApiKey(ctx.app, editor, ['read'])).key).toMatch(/^hk_/);
  });

  it("lists the business's keys from every member, and lets the managers revoke them", async () => {
    const admin = await newUser(ctx.app);
    await ctx.runtime.database.db
      .insert(businessMembers)
      .values({ businessId: shop.id, userId: admin.id, role: 'admin', invitedBy: owner.id });
    const made = await createKey(admin, shop.id, ['read']);
    expect(made.statusCode).toBe(201);
    const key = made.json<{ id: string; key: string }>();
    const headers = { 'x-api-key': key.key };
    expect((await get(`/api/v1/businesses/${shop.id}`, headers)).statusCode).toBe(200);

    const listed = await get(`/api/v1/businesses/${shop.id}/api-keys`, owner.headers);
    expect(listed.statusCode).toBe(200);
    const items = listed.json<{ items: BusinessKeyView[] }>().items;
    expect(items.map((item) => item.createdBy.id).sort()).toEqual([admin.id, owner.id].sort());
    expect(items.find((item) => item.id === key.id)).toMatchObject({
      businessId: shop.id,
      scopes: ['read'],
      revokedAt: null,
      createdBy: { id: admin.id, email: admin.email, name: 'Test User' },
    });
    expect(JSON.stringify(items)).not.toContain(key.key);
    // Not the other business's, not the editor's view.
    expect(
      (await get(`/api/v1/businesses/${other.id}/api-keys`, owner.headers)).json<{
        items: unknown[];
      }>().items,
    ).toEqual([]);
    expect((await get(`/api/v1/businesses/${shop.id}/api-keys`, editor.headers)).statusCode).toBe(
      403,
    );

    // A key of another business cannot be revoked through this one.
    const wrongBusiness = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/businesses/${other.id}/api-keys/${key.id}`,
      headers: owner.headers,
    });
    expect(wrongBusiness.statusCode).toBe(404);
    const revoked = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/businesses/${shop.id}/api-keys/${key.id}`,
      headers: owner.headers,
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json<{ revokedAt: string | null }>().revokedAt).not.toBeNull();
    expect((await get(`/api/v1/businesses/${shop.id}`, headers)).statusCode).toBe(401);
  });

  it("shows a key's business in its creator's own list", async () => {
    const response = await get('/api/v1/auth/api-keys?limit=100', owner.headers);
    const items = response.json<{ items: { businessId: string | null }[] }>().items;
    expect(items.some((item) => item.businessId === shop.id)).toBe(true);
  });
});

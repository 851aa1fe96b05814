// Business profiles: CRUD with the brand profile, validation errors that change nothing, access
// by role (a stranger gets 404, a member whose role does not allow it 403), and the rotatable
// tracking write key.
import { randomUUID } from 'node:crypto';

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { addMember, newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';

interface Business {
  id: string;
  name: string;
  industry: string;
  audience: string;
  products: { name: string; description?: string; priceCents?: number }[];
  goals: string[];
  brandVoice: { tone: string; wordsToUse: string[]; wordsToAvoid: string[] };
  channels: string[];
  timezone: string;
  defaultSender: { name: string; email: string; replyTo?: string } | null;
  aiDailyBudgetUsd: number | null;
  writeKey: string;
  role: string;
  approver: boolean;
  permissions: string[];
  createdAt: string;
  updatedAt: string;
}

const FULL_PROFILE = {
  name: 'Blue Bottle Bakery',
  industry: 'Food & drink',
  audience: 'Busy parents in Lyon who want good bread',
  products: [{ name: 'Sourdough loaf', description: 'Baked at 5am', priceCents: 650 }],
  goals: ['Fill the Saturday morning queue', 'Grow the newsletter to 2,000'],
  brandVoice: { tone: 'warm, plain', wordsToUse: ['fresh', 'local'], wordsToAvoid: ['cheap'] },
  channels: ['instagram', 'email', 'instagram'],
  timezone: 'Europe/Paris',
  defaultSender: {
    name: 'Blue Bottle',
    email: 'hello@bluebottle.example',
    replyTo: 'shop@bluebottle.example',
  },
  aiDailyBudgetUsd: 2.5,
};

describe('business profiles', () => {
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const request = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    user: TestUser = owner,
  ) =>
    ctx.app.inject({
      method,
      url,
      headers: user.headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const issuesOf = (response: LightMyRequestResponse) =>
    response
      .json<{ error: { code: string; details: { issues?: { path: string }[] } } }>()
      .error.details.issues?.map((issue) => issue.path) ?? [];

  it('creates a business with its whole brand profile', async () => {
    const response = await request('POST', '/api/v1/businesses', FULL_PROFILE);
    expect(response.statusCode).toBe(201);
    const business = response.json<Business>();
    expect(business).toMatchObject({ ...FULL_PROFILE, channels: ['instagram', 'email'] });
    expect(business.writeKey).toMatch(/^wk_/);
    const read = await request('GET', `/api/v1/businesses/${business.id}`);
    expect(read.json()).toEqual(business);
  });

  it('fills defaults for a business made from a name alone', async () => {
    const response = await request('POST', '/api/v1/businesses', { name: 'Just a name' });
    expect(response.statusCode).toBe(201);
    expect(response.json<Business>()).toMatchObject({
      industry: '',
      products: [],
      brandVoice: { tone: '', wordsToUse: [], wordsToAvoid: [] },
      channels: [],
      timezone: 'UTC',
      defaultSender: null,
      aiDailyBudgetUsd: null,
    });
  });

  it('refuses invalid profiles with 400 naming the field, and creates nothing', async () => {
    const before = await request('GET', '/api/v1/businesses?limit=100');
    const count = before.json<{ items: unknown[] }>().items.length;
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'body.name'],
      [{ name: '' }, 'body.name'],
      [{ name: 'x'.repeat(121) }, 'body.name'],
      [{ name: 'B', timezone: 'Mars/Olympus' }, 'body.timezone'],
      [{ name: 'B', channels: ['myspace'] }, 'body.channels.0'],
      [
        { name: 'B', defaultSender: { name: 'B', email: 'not-an-email' } },
        'body.defaultSender.email',
      ],
      [{ name: 'B', aiDailyBudgetUsd: -1 }, 'body.aiDailyBudgetUsd'],
      [{ name: 'B', brandVoice: { tone: 'x'.repeat(301) } }, 'body.brandVoice.tone'],
      [{ name: 'B', products: [{ priceCents: 5 }] }, 'body.products.0.name'],
    ];
    for (const [payload, path] of cases) {
      const response = await request('POST', '/api/v1/businesses', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('VALIDATION_ERROR');
      expect(issuesOf(response), JSON.stringify(payload)).toContain(path);
    }
    const after = await request('GET', '/api/v1/businesses?limit=100');
    expect(after.json<{ items: unknown[] }>().items.length).toBe(count);
  });

  it('updates some fields and leaves the others', async () => {
    const business = await newBusiness(ctx.app, owner);
    const response = await request('PATCH', `/api/v1/businesses/${business.id}`, {
      brandVoice: { tone: 'bold', wordsToUse: ['crusty'], wordsToAvoid: [] },
      aiDailyBudgetUsd: 1.25,
    });
    expect(response.statusCode).toBe(200);
    const updated = response.json<Business>();
    expect(updated.brandVoice.tone).toBe('bold');
    expect(updated.aiDailyBudgetUsd).toBe(1.25);
    expect(updated.name).toBe('Blue Bottle Bakery');
    expect(updated.timezone).toBe('Europe/Paris');
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(updated.createdAt));
  });

  it('refuses an empty or invalid update with 400 and changes nothing', async () => {
    const business = await newBusiness(ctx.app, owner);
    for (const payload of [{}, { timezone: 'Nowhere/Else' }, { name: '' }]) {
      const response = await request('PATCH', `/api/v1/businesses/${business.id}`, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const read = await request('GET', `/api/v1/businesses/${business.id}`);
    expect(read.json<Business>().timezone).toBe('Europe/Paris');
  });

  it('answers 400 for an id that is not a UUID, 404 for one that does not exist', async () => {
    const malformed = await request('GET', '/api/v1/businesses/not-a-uuid');
    expect(malformed.statusCode).toBe(400);
    const missing = await request('GET', `/api/v1/businesses/${randomUUID()}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
  });

  it('lists only your own businesses, newest first, page by page', async () => {
    const user = await newUser(ctx.app);
    const stranger = await newUser(ctx.app);
    const theirs = await newBusiness(ctx.app, stranger);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await newBusiness(ctx.app, user, { name: `B${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await request('GET', `/api/v1/businesses?limit=2${query}`, undefined, user);
      const body = page.json<{ items: Business[]; nextCursor: string | null }>();
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
    expect(seen).not.toContain(theirs.id);
  });

  it('rotates the write key: a new key replaces the old one', async () => {
    const business = await newBusiness(ctx.app, owner);
    const response = await request('POST', `/api/v1/businesses/${business.id}/write-key/rotate`);
    expect(response.statusCode).toBe(200);
    const rotated = response.json<Business>();
    expect(rotated.writeKey).toMatch(/^wk_/);
    expect(rotated.writeKey).not.toBe(business.writeKey);
    const read = await request('GET', `/api/v1/businesses/${business.id}`);
    expect(read.json<Business>().writeKey).toBe(rotated.writeKey);
  });

  it('another user can neither read, change, rotate nor delete it: 404, and it stays as it was', async () => {
    const business = await newBusiness(ctx.app, owner);
    const stranger = await newUser(ctx.app);
    const url = `/api/v1/businesses/${business.id}`;
    const answers = [
      await request('GET', url, undefined, stranger),
      await request('PATCH', url, { name: 'Hijacked' }, stranger),
      await request('POST', `${url}/write-key/rotate`, undefined, stranger),
      await request('DELETE', url, undefined, stranger),
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([404, 404, 404, 404]);
    const read = await request('GET', url);
    expect(read.json<Business>()).toMatchObject({
      name: 'Blue Bottle Bakery',
      writeKey: business.writeKey,
    });
  });

  it("tells each member their role and what it allows, the owner's as before", async () => {
    const business = await newBusiness(ctx.app, owner);
    const viewer = await newUser(ctx.app);
    const approver = await newUser(ctx.app);
    await addMember(ctx.runtime.database.db, business.id, viewer, 'viewer');
    await addMember(ctx.runtime.database.db, business.id, approver, 'editor', true);
    const url = `/api/v1/businesses/${business.id}`;
    expect((await request('GET', url)).json<Business>()).toMatchObject({
      role: 'owner',
      approver: false,
      permissions: expect.arrayContaining(['business.delete', 'team.manage']) as unknown,
    });
    expect((await request('GET', url, undefined, viewer)).json<Business>()).toMatchObject({
      role: 'viewer',
      permissions: ['business.read'],
    });
    const listed = await request('GET', '/api/v1/businesses', undefined, viewer);
    expect(listed.json<{ items: Business[] }>().items).toEqual([
      expect.objectContaining({ id: business.id, role: 'viewer' }),
    ]);
    const asApprover = (await request('GET', url, undefined, approver)).json<Business>();
    expect(asApprover).toMatchObject({ role: 'editor', approver: true });
    expect([...asApprover.permissions].sort()).toEqual(
      ['business.read', 'content.approve', 'content.write'].sort(),
    );
  });

  it('a viewer reads the business but may not change, rotate or delete it: 403 naming the permission', async () => {
    const business = await newBusiness(ctx.app, owner);
    const viewer = await newUser(ctx.app);
    await addMember(ctx.runtime.database.db, business.id, viewer, 'viewer');
    const url = `/api/v1/businesses/${business.id}`;
    expect((await request('GET', url, undefined, viewer)).statusCode).toBe(200);
    const refusals = [
      [await request('PATCH', url, { name: 'Renamed' }, viewer), 'business.manage'],
      [await request('POST', `${url}/write-key/rotate`, undefined, viewer), 'business.manage'],
      [await request('DELETE', url, undefined, viewer), 'business.delete'],
      [await request('POST', `${url}/campaigns`, { name: 'Mine' }, viewer), 'content.write'],
    ] as const;
    for (const [response, permission] of refusals) {
      expect(response.statusCode, response.body).toBe(403);
      expect(
        response.json<{ error: { code: string; details: Record<string, unknown> } }>().error,
      ).toMatchObject({ code: 'FORBIDDEN', details: { requiredPermission: permission } });
    }
    expect((await request('GET', url)).json<Business>()).toMatchObject({
      name: 'Blue Bottle Bakery',
      writeKey: business.writeKey,
    });
  });

  it('an admin edits the profile and rotates the key, but only an owner deletes the business', async () => {
    const business = await newBusiness(ctx.app, owner);
    const admin = await newUser(ctx.app);
    await addMember(ctx.runtime.database.db, business.id, admin, 'admin');
    const url = `/api/v1/businesses/${business.id}`;
    const renamed = await request('PATCH', url, { name: 'Blue Bottle Lyon' }, admin);
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json<Business>()).toMatchObject({ name: 'Blue Bottle Lyon', role: 'admin' });
    expect((await request('POST', `${url}/write-key/rotate`, undefined, admin)).statusCode).toBe(
      200,
    );
    const deleted = await request('DELETE', url, undefined, admin);
    expect(deleted.statusCode).toBe(403);
    expect(deleted.json<{ error: { details: unknown } }>().error.details).toMatchObject({
      requiredPermission: 'business.delete',
    });
    expect((await request('GET', url)).statusCode).toBe(200);
  });

  it('deletes a business: 204, then 404', async () => {
    const business = await newBusiness(ctx.app, owner);
    const url = `/api/v1/businesses/${business.id}`;
    expect((await request('DELETE', url)).statusCode).toBe(204);
    expect((await request('GET', url)).statusCode).toBe(404);
    expect((await request('DELETE', url)).statusCode).toBe(404);
  });
});

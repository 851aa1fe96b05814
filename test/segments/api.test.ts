// The segments API: CRUD with members computed at save, the member list and size history,
// validation (unknown operator, groups nested too deep, too many conditions) and tenancy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api as request, type Method } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { addCustomer } from './data.ts';

interface Segment {
  id: string;
  name: string;
  size: number;
  refreshedAt: string | null;
  rules: unknown;
}
interface ErrorBody {
  error: { code: string; details?: { issues?: { path: string; message: string }[] } };
}

const PRO = { all: [{ trait: 'plan', op: 'eq', value: 'pro' }] };

describe('the segments API', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  let base: string;
  const api = <T>(method: Method, url: string, payload?: object, expected?: number) =>
    request<T>(ctx.app, owner, method, url, payload, expected);

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    base = `/api/v1/businesses/${businessId}/segments`;
    const db = ctx.runtime.database.db;
    for (let n = 0; n < 3; n += 1) {
      await addCustomer(db, businessId, {
        email: `pro${String(n)}@example.com`,
        traits: { plan: 'pro' },
      });
    }
    await addCustomer(db, businessId, { email: 'free@example.com', traits: { plan: 'free' } });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('creates a segment with its members computed, lists, reads, changes and deletes it', async () => {
    const created = await api<Segment>('POST', base, { name: 'Pro plan', rules: PRO }, 201);
    expect(created.body).toMatchObject({ name: 'Pro plan', size: 3, rules: PRO });
    expect(created.body.refreshedAt).not.toBeNull();
    const one = `${base}/${created.body.id}`;

    const members = await api<{ items: { email: string }[]; nextCursor: string | null }>(
      'GET',
      `${one}/customers?limit=2`,
      undefined,
      200,
    );
    expect(members.body.items).toHaveLength(2);
    const rest = await api<{ items: { email: string }[]; nextCursor: string | null }>(
      'GET',
      `${one}/customers?limit=2&cursor=${members.body.nextCursor ?? ''}`,
      undefined,
      200,
    );
    expect(rest.body.nextCursor).toBeNull();
    expect([...members.body.items, ...rest.body.items].map((item) => item.email).sort()).toEqual([
      'pro0@example.com',
      'pro1@example.com',
      'pro2@example.com',
    ]);

    const list = await api<{ items: Segment[] }>('GET', base, undefined, 200);
    expect(list.body.items.map((item) => [item.name, item.size])).toContainEqual(['Pro plan', 3]);
    await api('GET', one, undefined, 200);

    // New rules recompute the members at once; the size history has a point for each size.
    const changed = await api<Segment>(
      'PATCH',
      one,
      { rules: { any: [{ trait: 'plan', op: 'eq', value: 'free' }] } },
      200,
    );
    expect(changed.body.size).toBe(1);
    const sizes = await api<{ items: { size: number }[] }>('GET', `${one}/sizes`, undefined, 200);
    expect(sizes.body.items.map((point) => point.size)).toEqual([3, 1]);

    const renamed = await api<Segment>('PATCH', one, { name: 'Free plan' }, 200);
    expect(renamed.body).toMatchObject({ name: 'Free plan', size: 1 });

    await api('DELETE', one, undefined, 204);
    await api('GET', one, undefined, 404);
    await api('GET', `${one}/customers`, undefined, 404);
  });

  it('previews the live count and a sample without saving anything', async () => {
    const before = await api<{ items: Segment[] }>('GET', base, undefined, 200);
    const preview = await api<{ size: number; sample: { email: string }[] }>(
      'POST',
      `${base}/preview`,
      { rules: PRO },
      200,
    );
    expect(preview.body.size).toBe(3);
    expect(preview.body.sample).toHaveLength(3);
    const after = await api<{ items: Segment[] }>('GET', base, undefined, 200);
    expect(after.body.items).toHaveLength(before.body.items.length);
  });

  it('answers 400 for an unknown operator, groups nested too deep, too many conditions, and stores nothing', async () => {
    const before = await api<{ items: Segment[] }>('GET', base, undefined, 200);
    const bad = async (rules: unknown) => {
      const response = await api<ErrorBody>('POST', base, { name: 'Bad', rules }, 400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
      return JSON.stringify(response.body.error.details);
    };
    await bad({ all: [{ trait: 'plan', op: 'like', value: 'pro' }] });
    await bad({ all: [{ trait: 'plan', op: 'eq' }] });
    await bad({ all: [{ event: 'Signed Up', count: { op: 'gt', value: 1 } }] });
    await bad({ both: [{ consent: 'subscribed' }] });
    await bad({ all: [] });
    const deep = { all: [{ any: [{ all: [{ any: [{ all: [{ consent: 'none' }] }] }] }] }] };
    expect(await bad(deep)).toContain('at most 4 levels');
    const many = { all: Array.from({ length: 51 }, () => ({ consent: 'none' })) };
    await bad(many);
    const spread = {
      any: Array.from({ length: 30 }, () => ({
        all: [{ consent: 'none' }, { consent: 'pending' }],
      })),
    };
    expect(await bad(spread)).toContain('at most 50 are allowed');
    await api('POST', `${base}/preview`, { rules: deep }, 400);
    const after = await api<{ items: Segment[] }>('GET', base, undefined, 200);
    expect(after.body.items).toHaveLength(before.body.items.length);
  });

  it("answers 404 for another business's segment, and never shows its members", async () => {
    const created = await api<Segment>('POST', base, { name: 'Mine', rules: PRO }, 201);
    const stranger = await newUser(ctx.app);
    const theirs = await newBusiness(ctx.app, stranger);
    const as = <T>(method: Method, url: string, payload?: object) =>
      request<T>(ctx.app, stranger, method, url, payload);
    // Not a member of this business: 404, not 403.
    for (const [method, url, payload] of [
      ['GET', `${base}/${created.body.id}`],
      ['GET', `${base}/${created.body.id}/customers`],
      ['GET', `${base}/${created.body.id}/sizes`],
      ['PATCH', `${base}/${created.body.id}`, { name: 'Taken' }],
      ['DELETE', `${base}/${created.body.id}`],
      ['POST', `${base}/preview`, { rules: PRO }],
      ['GET', base],
    ] as [Method, string, object?][]) {
      expect((await as(method, url, payload)).status, `${method} ${url}`).toBe(404);
    }
    // Their own business, with this segment's id: 404 as well.
    const mixed = `/api/v1/businesses/${theirs.id}/segments/${created.body.id}`;
    expect((await as('GET', mixed)).status).toBe(404);
    expect((await as('GET', `${mixed}/customers`)).status).toBe(404);
    expect((await as('DELETE', mixed)).status).toBe(404);
    await api('GET', `${base}/${created.body.id}`, undefined, 200);
  });
});

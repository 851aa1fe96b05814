// The sequence list's counts (issue #14): each summary's step and enrollment counts are its own,
// on PGlite and on the PostgreSQL server alike, across businesses and pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api as request, type Method } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newSubscriber, newUser, type TestUser } from '../helpers/fixtures.ts';

interface SummaryPage {
  items: { id: string; name: string; stepCount: number; enrolled: number }[];
  nextCursor: string | null;
}

describe('the sequence list', () => {
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const api = <T>(method: Method, url: string, payload?: object, expected?: number) =>
    request<T>(ctx.app, owner, method, url, payload, expected);
  const step = (n: number) => ({
    subject: `Email ${String(n)}`,
    html: `<p>Email ${String(n)}</p>`,
  });

  async function sequence(businessId: string, name: string, steps: number, enroll: string[]) {
    const created = await api<{ id: string }>(
      'POST',
      `/api/v1/businesses/${businessId}/sequences`,
      { name, steps: Array.from({ length: steps }, (_, n) => step(n + 1)) },
      201,
    );
    if (enroll.length > 0) {
      const enrolled = await api<{ enrolled: number }>(
        'POST',
        `/api/v1/businesses/${businessId}/sequences/${created.body.id}/enrollments`,
        { subscriberIds: enroll },
        200,
      );
      expect(enrolled.body.enrolled).toBe(enroll.length);
    }
    return created.body.id;
  }

  it('counts the steps and the enrollments of each sequence, as its own page does', async () => {
    const business = await newBusiness(ctx.app, owner);
    const people = [];
    for (let n = 0; n < 4; n += 1) people.push(await newSubscriber(ctx.app, owner, business.id));
    const ids = people.map((person) => person.id);
    const welcome = await sequence(business.id, 'Welcome', 3, ids);
    const winBack = await sequence(business.id, 'Win back', 1, ids.slice(0, 1));
    const empty = await sequence(business.id, 'Empty', 0, []);
    // Another business's sequence counts nothing here.
    const other = await newBusiness(ctx.app, owner);
    await sequence(other.id, 'Elsewhere', 2, [(await newSubscriber(ctx.app, owner, other.id)).id]);

    const list = await api<SummaryPage>(
      'GET',
      `/api/v1/businesses/${business.id}/sequences`,
      undefined,
      200,
    );
    const counts = Object.fromEntries(
      list.body.items.map((item) => [item.id, [item.stepCount, item.enrolled]]),
    );
    expect(counts).toEqual({ [welcome]: [3, 4], [winBack]: [1, 1], [empty]: [0, 0] });

    // The same numbers as the sequence's own page and its analytics.
    const page = await api<{ steps: unknown[] }>(
      'GET',
      `/api/v1/businesses/${business.id}/sequences/${welcome}`,
      undefined,
      200,
    );
    expect(page.body.steps).toHaveLength(3);
    const analytics = await api<{ enrolled: number }>(
      'GET',
      `/api/v1/businesses/${business.id}/sequences/${welcome}/analytics`,
      undefined,
      200,
    );
    expect(analytics.body.enrolled).toBe(4);

    // Page by page, each summary keeps its own counts.
    const first = await api<SummaryPage>(
      'GET',
      `/api/v1/businesses/${business.id}/sequences?limit=2`,
      undefined,
      200,
    );
    const second = await api<SummaryPage>(
      'GET',
      `/api/v1/businesses/${business.id}/sequences?limit=2&cursor=${first.body.nextCursor ?? ''}`,
      undefined,
      200,
    );
    const paged = [...first.body.items, ...second.body.items];
    expect(
      Object.fromEntries(paged.map((item) => [item.id, [item.stepCount, item.enrolled]])),
    ).toEqual(counts);
  });
});

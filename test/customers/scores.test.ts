// Customer scores as the customer API reads them: a profile's full scores and each list row's
// few, from the business's latest succeeded intelligence run only (not an older one, not a
// failed or running one, not another business's); the list's score filters; the list's plan
// joins each row's score by primary key with the latest run found once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api as request } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { addScoredRun } from '../helpers/scores.ts';
import { addCustomer } from '../segments/data.ts';

interface Summary {
  id: string;
  email: string;
  scores: {
    rfmSegment: string;
    churnTier: string | null;
    churnRisk: number | null;
    clvCents: number | null;
  } | null;
}
interface Profile extends Omit<Summary, 'scores'> {
  scores: Record<string, unknown> | null;
}

describe('customer scores in the customer API', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let base: string;
  let otherBase: string;
  let latestRunId: string;
  const people: Record<string, string> = {};
  const get = <T>(url: string, expected = 200) =>
    request<T>(ctx.app, owner, 'GET', url, undefined, expected);
  const emails = (items: Summary[]) => items.map((item) => item.email).sort();

  beforeAll(async () => {
    ctx = await buildTestApp();
    const db = ctx.runtime.database.db;
    owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner);
    const other = await newBusiness(ctx.app, owner);
    base = `/api/v1/businesses/${business.id}/customers`;
    otherBase = `/api/v1/businesses/${other.id}/customers`;
    for (const name of ['ann', 'ben', 'cai', 'dot', 'eve']) {
      people[name] = await addCustomer(db, business.id, { email: `${name}@example.com` });
    }
    const stranger = await addCustomer(db, other.id, { email: 'stranger@example.com' });

    // An older run said everyone was a champion; a later failed and a running run say nothing.
    await addScoredRun(
      db,
      business.id,
      Object.values(people).map((customerId) => ({ customerId, rfmSegment: 'champions' })),
      { finishedAt: new Date('2026-10-01T00:00:00Z'), asOf: '2026-09-30' },
    );
    latestRunId = await addScoredRun(
      db,
      business.id,
      [
        {
          customerId: people.ann ?? '',
          rfmSegment: 'at_risk',
          churnTier: 'high',
          churnRisk: 0.91,
          clvCents: 52_000,
          clvPercentile: 95,
        },
        {
          customerId: people.ben ?? '',
          rfmSegment: 'champions',
          churnTier: 'low',
          clvCents: 80_000,
          clvPercentile: 99,
        },
        {
          customerId: people.cai ?? '',
          rfmSegment: 'at_risk',
          churnTier: 'high',
          clvCents: 1_000,
          clvPercentile: 10,
        },
        // Scored without enough data for the predictive fields: RFM only.
        { customerId: people.dot ?? '', rfmSegment: 'new', churnTier: null },
        // eve has no score: no order by the as-of date.
      ],
      { finishedAt: new Date('2026-11-30T01:00:00Z'), asOf: '2026-11-29' },
    );
    await addScoredRun(db, business.id, [], {
      status: 'failed',
      finishedAt: new Date('2026-12-01T01:00:00Z'),
    });
    await addScoredRun(db, business.id, [], { status: 'running' });
    // The other business's run is its own; it never shows here.
    await addScoredRun(db, other.id, [{ customerId: stranger, churnTier: 'high' }]);
  });
  afterAll(async () => {
    await ctx.close();
  });

  it("a profile shows its scores from the latest succeeded run, with the run's id and date", async () => {
    const ann = await get<Profile>(`${base}/${people.ann ?? ''}`);
    expect(ann.body.scores).toEqual({
      runId: latestRunId,
      asOf: '2026-11-29',
      frequency: 2,
      recencyDays: 40,
      ageDays: 200,
      monetaryCents: 4200,
      rfm: { r: 3, f: 3, m: 3, segment: 'at_risk' },
      pAlive: expect.closeTo(0.09, 10) as number,
      churnRisk: 0.91,
      churnTier: 'high',
      expectedPurchases: 1.5,
      expectedOrderValueCents: 4500,
      clvCents: 52_000,
      clvPercentile: 95,
    });
    const dot = await get<Profile>(`${base}/${people.dot ?? ''}`);
    expect(dot.body.scores).toMatchObject({
      rfm: { segment: 'new' },
      pAlive: null,
      churnRisk: null,
      churnTier: null,
      clvCents: null,
      clvPercentile: null,
    });
    const eve = await get<Profile>(`${base}/${people.eve ?? ''}`);
    expect(eve.body.scores).toBeNull();
  });

  it('each list row carries its few scores, or null when not scored', async () => {
    const list = await get<{ items: Summary[] }>(`${base}?limit=50`);
    const byEmail = Object.fromEntries(list.body.items.map((item) => [item.email, item.scores]));
    expect(byEmail).toEqual({
      'ann@example.com': {
        rfmSegment: 'at_risk',
        churnTier: 'high',
        churnRisk: 0.91,
        clvCents: 52_000,
      },
      'ben@example.com': {
        rfmSegment: 'champions',
        churnTier: 'low',
        churnRisk: 0.1,
        clvCents: 80_000,
      },
      'cai@example.com': {
        rfmSegment: 'at_risk',
        churnTier: 'high',
        churnRisk: 0.85,
        clvCents: 1000,
      },
      'dot@example.com': { rfmSegment: 'new', churnTier: null, churnRisk: null, clvCents: null },
      'eve@example.com': null,
    });
  });

  it('filters the list by RFM segment, churn tier and CLV percentile, alone or together', async () => {
    const list = async (query: string) =>
      emails((await get<{ items: Summary[] }>(`${base}?${query}`)).body.items);
    expect(await list('rfmSegment=at_risk')).toEqual(['ann@example.com', 'cai@example.com']);
    expect(await list('rfmSegment=champions')).toEqual(['ben@example.com']);
    expect(await list('churnTier=high')).toEqual(['ann@example.com', 'cai@example.com']);
    expect(await list('minClvPercentile=80')).toEqual(['ann@example.com', 'ben@example.com']);
    expect(await list('churnTier=high&minClvPercentile=80')).toEqual(['ann@example.com']);
    expect(await list('churnTier=high&limit=1')).toHaveLength(1);
    // Paging through a filtered list keeps the filter.
    const first = await get<{ items: Summary[]; nextCursor: string | null }>(
      `${base}?churnTier=high&limit=1`,
    );
    const second = await get<{ items: Summary[]; nextCursor: string | null }>(
      `${base}?churnTier=high&limit=1&cursor=${first.body.nextCursor ?? ''}`,
    );
    expect(emails([...first.body.items, ...second.body.items])).toEqual([
      'ann@example.com',
      'cai@example.com',
    ]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('refuses a filter value outside its vocabulary or range', async () => {
    for (const query of [
      'rfmSegment=vip',
      'churnTier=extreme',
      'minClvPercentile=101',
      'minClvPercentile=-1',
    ]) {
      const response = await get<{ error: { code: string } }>(`${base}?${query}`, 400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it("another business's scores stay there, and a business without a run has none", async () => {
    const other = await get<{ items: Summary[] }>(`${otherBase}?churnTier=high`);
    expect(emails(other.body.items)).toEqual(['stranger@example.com']);
    const fresh = await newBusiness(ctx.app, owner);
    const db = ctx.runtime.database.db;
    await addCustomer(db, fresh.id, { email: 'new@example.com' });
    const freshBase = `/api/v1/businesses/${fresh.id}/customers`;
    const all = await get<{ items: Summary[] }>(freshBase);
    expect(all.body.items.map((item) => item.scores)).toEqual([null]);
    const filtered = await get<{ items: Summary[] }>(`${freshBase}?churnTier=high`);
    expect(filtered.body.items).toEqual([]);
  });
});

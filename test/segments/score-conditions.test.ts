// Segment rules on customer scores (churn risk, P(alive), CLV and its percentile, expected
// purchases and order value, RFM segment, churn tier), read from the business's latest
// succeeded intelligence run: "at risk with CLV in the top 20 %" as a saved segment, amounts
// in major units, a customer without a score or a null score never matching, and another
// business's scores never counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api as request, type Method } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { addScoredRun } from '../helpers/scores.ts';
import { addCustomer } from './data.ts';

const AT_RISK_TOP_20 = {
  all: [{ churnTier: 'high' }, { score: 'clvPercentile', op: 'gte', value: 80 }],
};

describe('segment rules on customer scores', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let base: string;
  const people: Record<string, string> = {};
  const api = <T>(method: Method, url: string, payload?: object, expected?: number) =>
    request<T>(ctx.app, owner, method, url, payload, expected);
  const who = (emails: string[]) => emails.map((email) => email.split('@')[0] ?? email).sort();
  async function preview(rules: object): Promise<string[]> {
    const response = await api<{ size: number; sample: { email: string }[] }>(
      'POST',
      `${base}/preview`,
      { rules },
      200,
    );
    expect(response.body.sample.length).toBe(Math.min(5, response.body.size));
    return who(response.body.sample.map((row) => row.email));
  }

  beforeAll(async () => {
    ctx = await buildTestApp();
    const db = ctx.runtime.database.db;
    owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner);
    const other = await newBusiness(ctx.app, owner);
    base = `/api/v1/businesses/${business.id}/segments`;
    for (const name of ['ann', 'ben', 'cai', 'dot', 'eve']) {
      people[name] = await addCustomer(db, business.id, { email: `${name}@example.com` });
    }
    // An older run with other scores: only the latest succeeded one counts.
    await addScoredRun(
      db,
      business.id,
      Object.values(people).map((customerId) => ({
        customerId,
        churnTier: 'high' as const,
        clvPercentile: 99,
      })),
      { finishedAt: new Date('2026-10-01T00:00:00Z') },
    );
    await addScoredRun(
      db,
      business.id,
      [
        {
          customerId: people.ann ?? '',
          rfmSegment: 'at_risk',
          churnTier: 'high',
          churnRisk: 0.9,
          clvCents: 52_050,
          clvPercentile: 95,
          expectedPurchases: 0.4,
          expectedOrderValueCents: 12_000,
        },
        {
          customerId: people.ben ?? '',
          rfmSegment: 'champions',
          churnTier: 'low',
          churnRisk: 0.05,
          clvCents: 80_000,
          clvPercentile: 80,
          expectedPurchases: 6,
        },
        {
          customerId: people.cai ?? '',
          rfmSegment: 'cannot_lose',
          churnTier: 'high',
          churnRisk: 0.75,
          clvCents: 40_000,
          clvPercentile: 79,
        },
        { customerId: people.dot ?? '', rfmSegment: 'new', churnTier: null },
      ],
      { finishedAt: new Date('2026-11-30T00:00:00Z') },
    );
    await addScoredRun(db, business.id, [], {
      status: 'failed',
      finishedAt: new Date('2026-12-01T00:00:00Z'),
    });
    // Another business's at-risk, top-CLV customer never counts here.
    const stranger = await addCustomer(db, other.id, { email: 'stranger@example.com' });
    await addScoredRun(db, other.id, [
      { customerId: stranger, churnTier: 'high', clvPercentile: 99 },
    ]);
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('"at risk with CLV in the top 20 %" is a segment: saved, sized and listed', async () => {
    expect(await preview(AT_RISK_TOP_20)).toEqual(['ann']);
    const created = await api<{ id: string; size: number }>(
      'POST',
      base,
      { name: 'Win back: valuable and leaving', rules: AT_RISK_TOP_20 },
      201,
    );
    expect(created.body.size).toBe(1);
    const members = await api<{ items: { email: string }[] }>(
      'GET',
      `${base}/${created.body.id}/customers`,
      undefined,
      200,
    );
    expect(members.body.items.map((item) => item.email)).toEqual(['ann@example.com']);
  });

  it('compares each score, amounts in major units; a null score or no score never matches', async () => {
    expect(await preview({ all: [{ score: 'churnRisk', op: 'gte', value: 0.75 }] })).toEqual([
      'ann',
      'cai',
    ]);
    expect(await preview({ all: [{ score: 'pAlive', op: 'gt', value: 0.5 }] })).toEqual(['ben']);
    expect(await preview({ all: [{ score: 'clv', op: 'gt', value: 520 }] })).toEqual([
      'ann',
      'ben',
    ]);
    expect(await preview({ all: [{ score: 'clv', op: 'eq', value: 520.5 }] })).toEqual(['ann']);
    expect(
      await preview({ all: [{ score: 'expectedOrderValue', op: 'gte', value: 100 }] }),
    ).toEqual(['ann']);
    expect(await preview({ all: [{ score: 'expectedPurchases', op: 'gt', value: 5 }] })).toEqual([
      'ben',
    ]);
    expect(await preview({ all: [{ score: 'clvPercentile', op: 'gte', value: 80 }] })).toEqual([
      'ann',
      'ben',
    ]);
    // dot (no predictive scores) and eve (not scored) match no comparison, not even "neq".
    expect(await preview({ all: [{ score: 'clv', op: 'neq', value: 1 }] })).toEqual([
      'ann',
      'ben',
      'cai',
    ]);
  });

  it('matches RFM segments and churn tiers, and combines them with other conditions', async () => {
    expect(await preview({ all: [{ rfmSegment: 'new' }] })).toEqual(['dot']);
    expect(await preview({ any: [{ rfmSegment: 'champions' }, { churnTier: 'high' }] })).toEqual([
      'ann',
      'ben',
      'cai',
    ]);
    expect(
      await preview({
        all: [{ churnTier: 'high' }, { field: 'email', op: 'contains', value: 'cai' }],
      }),
    ).toEqual(['cai']);
  });

  it('refuses an unknown score, segment or tier', async () => {
    for (const rules of [
      { all: [{ score: 'lifetimeValue', op: 'gt', value: 1 }] },
      { all: [{ rfmSegment: 'vip' }] },
      { all: [{ churnTier: 'extreme' }] },
      { all: [{ score: 'clv', op: 'contains', value: 1 }] },
    ]) {
      const response = await api<{ error: { code: string } }>(
        'POST',
        `${base}/preview`,
        { rules },
        400,
      );
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
    }
  });
});

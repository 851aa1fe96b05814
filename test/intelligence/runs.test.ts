// Intelligence runs through the API, as a user runs them: the CDNOW sample's purchases sent to
// the Segment API as "Order Completed" events with their 1997 timestamps, processed into orders,
// and a run as of the end of the 39-week calibration period gives the published BG/NBD and
// Gamma-Gamma parameters in its model card; every customer is scored and the scores come back
// on the profile and as CSV. A business with a handful of orders gets RFM and an honest "not
// enough data" instead of predictions.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IntelligenceRun } from '../../src/modules/intelligence/schemas.ts';
import type { Job } from '../../src/modules/jobs/index.ts';
import { drainEvents } from '../customers/events.ts';
import { finishedJob } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestBusiness, type TestUser } from '../helpers/fixtures.ts';

const CDNOW = path.resolve(import.meta.dirname, '../fixtures/cdnow');

describe('intelligence runs through the API', () => {
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    // The worker starts after the sample is in: on PGlite its loops share the one connection,
    // and the 7,000 events go in several times faster without them.
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function call<T>(
    business: TestBusiness,
    method: 'GET' | 'POST',
    url: string,
    body?: object,
  ) {
    const response = await ctx.app.inject({
      method,
      url: `/api/v1/businesses/${business.id}${url}`,
      headers: owner.headers,
      ...(body ? { payload: body } : {}),
    });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json<T>();
  }

  async function sendOrders(
    business: TestBusiness,
    orders: { userId: string; orderId: string; total: number; timestamp: string }[],
  ) {
    const authorization = `Basic ${Buffer.from(`${business.writeKey}:`).toString('base64')}`;
    for (let start = 0; start < orders.length; start += 500) {
      const batch = orders.slice(start, start + 500).map((order) => ({
        type: 'track',
        event: 'Order Completed',
        userId: order.userId,
        messageId: `order-${order.orderId}`,
        properties: { order_id: order.orderId, total: order.total, currency: 'USD' },
        timestamp: order.timestamp,
      }));
      const response = await ctx.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization },
        payload: { batch },
      });
      expect(response.statusCode, response.body).toBe(200);
    }
    await drainEvents(ctx.runtime.database.db, business.id, () =>
      ctx.runtime.services.customerProcessor.processOnce(),
    );
  }

  let working = false;
  async function run(business: TestBusiness, options: object): Promise<IntelligenceRun> {
    if (!working) {
      working = true;
      await ctx.runtime.queue.work(ctx.runtime.jobs);
    }
    const { job } = await call<{ job: Job }>(business, 'POST', '/intelligence/runs', options);
    const done = await finishedJob(ctx.app, owner, job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    const runId = (done.result as { runId: string }).runId;
    return call<IntelligenceRun>(business, 'GET', `/intelligence/runs/${runId}`);
  }

  it('reproduces the published CDNOW parameters from Segment events', async () => {
    const business = await newBusiness(ctx.app, owner);
    // The sample's dates are New York calendar days; noon there is the day the business reads.
    await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/businesses/${business.id}`,
      headers: owner.headers,
      payload: { timezone: 'America/New_York' },
    });
    const purchases = readFileSync(path.join(CDNOW, 'CDNOW_sample.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    await sendOrders(
      business,
      purchases.map(([, sampleId, date, , dollars], index) => {
        const day = date as string;
        return {
          userId: `cdnow-${sampleId as string}`,
          orderId: `cdnow-${index}`,
          total: Number(dollars),
          timestamp: `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T16:00:00Z`,
        };
      }),
    );

    const result = await run(business, { asOf: '1997-09-30' });
    const model = result.model;
    expect(model?.sufficiency.predictive).toBe(true);
    expect(model?.counts.customers).toBe(2357);
    const bgnbd = model?.bgnbd;
    expect(bgnbd?.r).toBeCloseTo(0.2426, 3);
    expect(Math.abs((bgnbd?.r ?? 0) / 0.24259 - 1)).toBeLessThan(0.001);
    expect(Math.abs((bgnbd?.alpha ?? 0) / 4.41359 - 1)).toBeLessThan(0.001);
    expect(Math.abs((bgnbd?.a ?? 0) / 0.79292 - 1)).toBeLessThan(0.001);
    expect(Math.abs((bgnbd?.b ?? 0) / 2.42589 - 1)).toBeLessThan(0.001);
    expect(bgnbd?.logLikelihood).toBeCloseTo(-9582.4, 0);
    expect(model?.gammaGamma?.p).toBeCloseTo(6.25, 1);
    expect(model?.gammaGamma?.q).toBeCloseTo(3.74, 1);
    expect(model?.gammaGamma?.v).toBeCloseTo(15.45, 0);

    // Every ordering customer is scored; the figures add up to the base.
    const figures = result.figures;
    const inSegments = Object.values(figures?.rfmSegments ?? {}).reduce((a, b) => a + b, 0);
    expect(inSegments).toBe(2357);
    const tiers = figures?.churnTiers ?? { low: 0, medium: 0, high: 0 };
    expect(tiers.low + tiers.medium + tiers.high).toBe(2357);
    expect(figures?.changes).toBeNull();

    // The latest run is this one, and its scores show on a customer's profile.
    const latest = await call<{ run: IntelligenceRun | null }>(
      business,
      'GET',
      '/intelligence/latest',
    );
    expect(latest.run?.id).toBe(result.id);

    // The CSV holds one row per customer, with the header the issue names.
    const csv = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${business.id}/intelligence/runs/${result.id}/scores.csv`,
      headers: owner.headers,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe(
      'userId,email,frequency,recency,T,monetary,rfmSegment,pAlive,churnRisk,expectedPurchases,expectedOrderValue,clv',
    );
    expect(lines).toHaveLength(2358);
    // Customer 0001 of the sample bought on 1 January, 18 January and 2 August 1997: two repeat
    // days, the last 213 days after the first, which was 272 days before the end of September.
    const first = lines.find((line) => line.startsWith('cdnow-0001,'))?.split(',');
    expect(first?.slice(2, 5)).toEqual(['2', '213', '272']);
    // Customer 0003 bought once: never seen to repeat, so alive for sure in BG/NBD.
    const once = lines.find((line) => line.startsWith('cdnow-0003,'))?.split(',');
    expect(once?.slice(2, 4)).toEqual(['0', '0']);
    expect(once?.[7]).toBe('1');

    // The churn-risk list: high-tier customers, the most valuable first.
    const atRisk = await call<{ items: { churnRisk: number; clvCents: number }[] }>(
      business,
      'GET',
      `/intelligence/runs/${result.id}/at-risk?limit=10`,
    );
    expect(atRisk.items).toHaveLength(10);
    for (const item of atRisk.items) expect(item.churnRisk).toBeGreaterThanOrEqual(0.7);
    const values = atRisk.items.map((item) => item.clvCents);
    expect(values).toEqual([...values].sort((a, b) => b - a));

    // A second run as of a later day says what changed.
    const second = await run(business, { asOf: '1998-06-30' });
    expect(second.figures?.changes?.previousRunId).toBe(result.id);
    const moved = second.figures?.changes?.movements.reduce((sum, m) => sum + m.customers, 0);
    expect(moved).toBeGreaterThan(0);
    // The moves are what the two runs' CSVs say, customer by customer.
    const segmentsOf = async (runId: string) => {
      const response = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/businesses/${business.id}/intelligence/runs/${runId}/scores.csv`,
        headers: owner.headers,
      });
      return new Map(
        response.body
          .trim()
          .split('\n')
          .slice(1)
          .map((line) => line.split(','))
          .map((fields) => [fields[0], fields[6]]),
      );
    };
    const before = await segmentsOf(result.id);
    const after = await segmentsOf(second.id);
    const pairs = new Map<string, number>();
    let fresh = 0;
    for (const [userId, to] of after) {
      const from = before.get(userId);
      if (from === undefined) fresh += 1;
      else if (from !== to) pairs.set(`${from}→${to}`, (pairs.get(`${from}→${to}`) ?? 0) + 1);
    }
    const expected = [...pairs]
      .map(([pair, customers]) => {
        const [from, to] = pair.split('→');
        return { from, to, customers };
      })
      .sort(
        (one, other) =>
          other.customers - one.customers ||
          (one.from ?? '').localeCompare(other.from ?? '') ||
          (one.to ?? '').localeCompare(other.to ?? ''),
      )
      .slice(0, 20);
    expect(second.figures?.changes?.movements).toEqual(expected);
    expect(second.figures?.changes?.newCustomers).toBe(fresh);
  }, 240_000);

  it('scores RFM but says "not enough data" for predictions with a handful of orders', async () => {
    const business = await newBusiness(ctx.app, owner);
    await sendOrders(
      business,
      [1, 2, 3, 4, 5].flatMap((customer) =>
        Array.from({ length: customer }, (_, order) => ({
          userId: `small-${customer}`,
          orderId: `small-${customer}-${order}`,
          total: 10 * customer,
          timestamp: new Date(Date.UTC(2026, 0, 1 + order * 20 + customer)).toISOString(),
        })),
      ),
    );
    const result = await run(business, { asOf: '2026-06-30' });
    expect(result.model?.sufficiency.predictive).toBe(false);
    expect(result.model?.sufficiency.reasons.join(' ')).toContain('Only 5 customers have ordered');
    expect(result.model?.bgnbd).toBeNull();
    expect(result.figures?.clv).toBeNull();
    expect(Object.values(result.figures?.rfmSegments ?? {}).reduce((a, b) => a + b, 0)).toBe(5);
    const csv = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${business.id}/intelligence/runs/${result.id}/scores.csv`,
      headers: owner.headers,
    });
    const row = csv.body
      .trim()
      .split('\n')
      .find((line) => line.startsWith('small-5,'));
    // 5 orders from 6 January, 20 days apart: 4 repeats over 80 days, first order 175 days before
    // the as-of day; the predictive columns are empty.
    expect(row?.split(',').slice(2, 5)).toEqual(['4', '80', '175']);
    expect(row?.endsWith(',,,,,')).toBe(true);
  }, 120_000);

  it("keeps the latest two runs' scores: a third run's replace the first's, and a deleted business leaves none", async () => {
    const business = await newBusiness(ctx.app, owner);
    await sendOrders(
      business,
      [1, 2, 3].map((customer) => ({
        userId: `kept-${customer}`,
        orderId: `kept-${customer}`,
        total: 20,
        timestamp: new Date(Date.UTC(2026, 0, customer)).toISOString(),
      })),
    );
    const runs: IntelligenceRun[] = [];
    for (const asOf of ['2026-03-31', '2026-04-30', '2026-05-31']) {
      runs.push(await run(business, { asOf }));
    }
    const csv = (runId: string) =>
      ctx.app.inject({
        method: 'GET',
        url: `/api/v1/businesses/${business.id}/intelligence/runs/${runId}/scores.csv`,
        headers: owner.headers,
      });
    const [first, second, third] = runs.map((each) => each.id);
    const replaced = await csv(first ?? '');
    expect(replaced.statusCode).toBe(409);
    expect(replaced.json<{ error: { message: string } }>().error.message).toContain('newer runs');
    for (const kept of [second, third]) {
      const response = await csv(kept ?? '');
      expect(response.statusCode).toBe(200);
      expect(response.body.trim().split('\n')).toHaveLength(4); // the header and three customers
    }
    const partitions = async () =>
      (
        await ctx.runtime.database.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'customer_scores'::regclass`,
        )
      )
        .map((row) => row.name)
        .filter((name) => runs.some((each) => name.endsWith(each.id.replaceAll('-', ''))));
    // The first run's partition was dropped after the third run committed.
    expect((await partitions()).length).toBe(2);

    const removed = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/businesses/${business.id}`,
      headers: owner.headers,
    });
    expect(removed.statusCode).toBe(204);
    await ctx.runtime.services.intelligenceRunner.sweepScores();
    expect(await partitions()).toEqual([]);
  }, 120_000);

  it('refuses bad options and another business’s run', async () => {
    const business = await newBusiness(ctx.app, owner);
    const bad = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${business.id}/intelligence/runs`,
      headers: owner.headers,
      payload: { asOf: '30/09/1997', horizonDays: 0 },
    });
    expect(bad.statusCode).toBe(400);
    const stranger = await newUser(ctx.app);
    const elsewhere = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${business.id}/intelligence/runs`,
      headers: stranger.headers,
    });
    expect(elsewhere.statusCode).toBe(404);
  });
});

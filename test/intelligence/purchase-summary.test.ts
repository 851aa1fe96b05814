// The purchase summary the models are fitted on, computed by the database from raw orders: the
// CDNOW sample's purchases stored as orders, summarised as of the end of the papers' 39-week
// calibration period, give the published per-customer (x, t_x, T, z̄) — and the BG/NBD and
// Gamma-Gamma fits on them give the published parameters. On PGlite, and on the PostgreSQL
// server in the integration run.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fitBgNbd, type PurchaseSummary } from '../../src/modules/intelligence/models/bgnbd.ts';
import { fitGammaGamma } from '../../src/modules/intelligence/models/gamma-gamma.ts';
import { customerIdAt, purchaseSummaries } from '../../src/modules/intelligence/repository.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser } from '../helpers/fixtures.ts';

const CDNOW = path.resolve(import.meta.dirname, '../fixtures/cdnow');
const TIME_ZONE = 'America/New_York';

describe('purchase summary from the orders table (CDNOW sample)', () => {
  let ctx: TestApp;
  /** The summary's columns as one object per customer. */
  let summaries: {
    customerId: string;
    x: number;
    txDays: number;
    tDays: number;
    repeatMeanCents: number;
    totalCents: number;
    recencyDays: number;
  }[];
  const customerOf = new Map<string, string>(); // customer id → CDNOW sample id

  beforeAll(async () => {
    ctx = await buildTestApp();
    const owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner);
    const purchases = readFileSync(path.join(CDNOW, 'CDNOW_sample.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    const sampleIds = [...new Set(purchases.map(([, sampleId]) => sampleId as string))];
    const customers = await ctx.runtime.database.query<{ id: string; user_id: string }>(
      `INSERT INTO customers (business_id, user_id, first_seen_at, last_seen_at)
       SELECT $1, u, now(), now() FROM unnest($2::text[]) AS u RETURNING id, user_id`,
      [business.id, sampleIds],
    );
    const idOf = new Map(customers.map((row) => [row.user_id, row.id]));
    for (const row of customers) customerOf.set(row.id, row.user_id);
    // Noon in New York on the purchase date: the day the business's time zone reads.
    await ctx.runtime.database.query(
      `INSERT INTO orders (business_id, customer_id, order_id, total_cents, placed_at)
       SELECT $1, c, o, t, p FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::timestamptz[])
         AS x(c, o, t, p)`,
      [
        business.id,
        purchases.map(([, sampleId]) => idOf.get(sampleId as string)),
        purchases.map((_, index) => `cdnow-${index}`),
        purchases.map(([, , , , dollars]) => Math.round(Number(dollars) * 100)),
        purchases.map(([, , date]) => {
          const day = date as string;
          return `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T17:00:00Z`;
        }),
      ],
    );
    const columns = await purchaseSummaries(ctx.runtime.database, business.id, {
      asOf: '1997-09-30',
      timeZone: TIME_ZONE,
    });
    summaries = Array.from({ length: columns.customers }, (_, i) => ({
      customerId: customerIdAt(columns, i),
      x: columns.x[i] as number,
      txDays: columns.txDays[i] as number,
      tDays: columns.tDays[i] as number,
      repeatMeanCents: columns.repeatMeanCents[i] as number,
      totalCents: columns.totalCents[i] as number,
      recencyDays: columns.recencyDays[i] as number,
    }));
  }, 120_000);
  afterAll(async () => {
    await ctx.close();
  });

  it('gives every customer the published x, t_x, T (weeks) and mean repeat value', () => {
    const published = new Map(
      readFileSync(path.join(CDNOW, 'cdnow_customers_summary_with_transactions.csv'), 'utf8')
        .trim()
        .split(/\r?\n/)
        .slice(1)
        .map((line) => {
          const [id = '', x = '', tx = '', T = '', zbar = ''] = line.trim().split(',');
          return [id.padStart(4, '0'), { x, tx, T, zbar }];
        }),
    );
    expect(summaries).toHaveLength(2357);
    const different = summaries.filter((summary) => {
      const expected = published.get(customerOf.get(summary.customerId) ?? '');
      return (
        !expected ||
        String(summary.x) !== expected.x ||
        (summary.txDays / 7).toFixed(2) !== expected.tx ||
        (summary.tDays / 7).toFixed(2) !== expected.T ||
        // z̄ is published rounded half up to the cent (32.415 → 32.42).
        Math.abs(summary.repeatMeanCents / 100 - Number(expected.zbar)) > 0.0051
      );
    });
    expect(
      different.slice(0, 3).map((summary) => ({
        ...summary,
        expected: published.get(customerOf.get(summary.customerId) ?? ''),
      })),
    ).toEqual([]);
  });

  it('fits the published BG/NBD and Gamma-Gamma parameters from it', () => {
    const groups = new Map<string, PurchaseSummary>();
    for (const { x, txDays, tDays } of summaries) {
      const key = `${x}:${txDays}:${tDays}`;
      const group = groups.get(key);
      if (group) group.count += 1;
      else groups.set(key, { x, tx: txDays / 7, T: tDays / 7, count: 1 });
    }
    // Customers sharing (x, t_x, T) are one term: far fewer terms than customers.
    expect(groups.size).toBeLessThan(summaries.length);
    const bg = fitBgNbd([...groups.values()]);
    const published = { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 };
    for (const [name, value] of Object.entries(published)) {
      const fitted = bg.parameters[name as keyof typeof published];
      expect(Math.abs(fitted / value - 1), `${name} = ${fitted}`).toBeLessThanOrEqual(0.001);
    }
    expect(Math.abs(bg.logLikelihood - -9582.4)).toBeLessThanOrEqual(0.1);
    const gg = fitGammaGamma(
      summaries
        .filter((summary) => summary.x > 0)
        .map((summary) => ({ x: summary.x, meanValue: summary.repeatMeanCents / 100 })),
    );
    expect(gg.customers).toBe(946);
    // Published to two decimals, from the z̄ rounded to the cent; here from the exact means.
    const { p, q, v } = gg.parameters;
    expect(Math.abs(p - 6.25), `p = ${p}`).toBeLessThanOrEqual(0.01);
    expect(Math.abs(q - 3.74), `q = ${q}`).toBeLessThanOrEqual(0.01);
    expect(Math.abs(v - 15.45), `v = ${v}`).toBeLessThanOrEqual(0.01);
  });
});

// Each kind of segment condition, AND/OR nesting, email engagement as events, and hostile names
// and values: the live preview's count and sample against customers written into the tables,
// with the clock fixed so "within N days" is deterministic.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SegmentRules } from '../../src/modules/segments/schemas.ts';
import { createSegmentService } from '../../src/modules/segments/service.ts';
import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import type { Principal } from '../../src/platform/http/auth-guard.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser } from '../helpers/fixtures.ts';
import { addActivity, addCustomer, addEvent, addOrder } from './data.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const HOSTILE = "'; DROP TABLE customers; --";

describe('segment conditions', () => {
  let ctx: TestApp;
  let preview: (rules: SegmentRules) => Promise<string[]>;
  const people: Record<string, string> = {};
  const who = (ids: string[]) =>
    ids.map((id) => Object.entries(people).find(([, value]) => value === id)?.[0] ?? id).sort();

  beforeAll(async () => {
    ctx = await buildTestApp();
    const db = ctx.runtime.database.db;
    const owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner);
    const other = await newBusiness(ctx.app, owner);
    const b = business.id;
    people.alice = await addCustomer(db, b, {
      userId: 'u-alice',
      email: 'alice@example.com',
      traits: { plan: 'pro', seats: 12, signup: '2026-03-01', [HOSTILE]: 'x', '$.a[*]': 'path' },
      lastSeenAt: new Date('2026-11-30T10:00:00Z'),
      eventCount: 40,
      orderCount: 2,
      revenueCents: 15000,
      consent: 'subscribed',
    });
    people.bob = await addCustomer(db, b, {
      userId: 'u-bob',
      email: 'bob@shop.test',
      traits: { plan: 'free', seats: 1 },
      lastSeenAt: new Date('2026-06-01T00:00:00Z'),
      eventCount: 3,
      consent: 'unsubscribed',
    });
    people.carol = await addCustomer(db, b, {
      anonymousId: 'anon-carol',
      traits: { plan: 'pro' },
      lastSeenAt: new Date('2026-11-01T00:00:00Z'),
      eventCount: 10,
      orderCount: 1,
      revenueCents: 4990,
    });
    people.dave = await addCustomer(db, b, { email: 'dave@example.com', consent: 'pending' });
    // Another business's customer matches many rules and must never be counted here.
    await addCustomer(db, other.id, { userId: 'u-alice', traits: { plan: 'pro' }, eventCount: 99 });

    await addActivity(db, b, people.alice, 'Signed Up', '2026-01-01');
    await addActivity(db, b, people.alice, 'Email Opened', '2026-11-20', 3);
    await addActivity(db, b, people.bob, 'Signed Up', '2026-11-25');
    await addActivity(db, b, people.bob, 'Email Opened', '2026-05-01', 2);
    await addActivity(db, b, people.carol, 'Signed Up', '2026-11-30', 2);
    await addOrder(db, b, people.alice, 10000);

    const at = new Date('2026-11-28T09:00:00Z');
    // Herald's own email events link by email; the others by userId and anonymousId.
    await addEvent(db, b, {
      event: 'Email Link Clicked',
      email: 'alice@example.com',
      properties: { broadcastId: 'b-1', url: 'https://shop.test/' },
      timestamp: at,
    });
    await addEvent(db, b, {
      event: 'Email Link Clicked',
      userId: 'u-bob',
      properties: { broadcastId: 'b-2' },
      timestamp: at,
    });
    await addEvent(db, b, {
      event: 'Email Link Clicked',
      anonymousId: 'anon-carol',
      properties: { broadcastId: 'b-1' },
      timestamp: new Date('2026-01-05T00:00:00Z'),
    });
    await addEvent(db, b, {
      event: 'Product Viewed',
      userId: 'u-bob',
      properties: { price: 30, [HOSTILE]: 1 },
      timestamp: at,
    });
    await addEvent(db, other.id, {
      event: 'Email Link Clicked',
      userId: 'u-alice',
      properties: { broadcastId: 'b-2' },
      timestamp: at,
    });

    const service = createSegmentService({
      db,
      access: ctx.runtime.services.access,
      logger: ctx.runtime.logger,
      now: () => NOW,
    });
    const principal: Principal = { userId: owner.id, via: 'jwt', scopes: ['read', 'write'] };
    preview = async (rules) => {
      const result = await service.preview(principal, b, rules);
      expect(result.sample.length).toBe(Math.min(result.size, 5));
      return who(result.sample.map((customer) => customer.id));
    };
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('matches traits with every operator', async () => {
    expect(await preview({ all: [{ trait: 'plan', op: 'eq', value: 'pro' }] })).toEqual([
      'alice',
      'carol',
    ]);
    // "is not" also matches a customer without the trait.
    expect(await preview({ all: [{ trait: 'plan', op: 'neq', value: 'pro' }] })).toEqual([
      'bob',
      'dave',
    ]);
    expect(await preview({ all: [{ trait: 'plan', op: 'contains', value: 'RO' }] })).toEqual([
      'alice',
      'carol',
    ]);
    expect(await preview({ all: [{ trait: 'plan', op: 'exists' }] })).toEqual([
      'alice',
      'bob',
      'carol',
    ]);
    expect(await preview({ all: [{ trait: 'plan', op: 'not_exists' }] })).toEqual(['dave']);
    expect(await preview({ all: [{ trait: 'seats', op: 'gt', value: 5 }] })).toEqual(['alice']);
    expect(await preview({ all: [{ trait: 'seats', op: 'lte', value: 1 }] })).toEqual(['bob']);
    expect(await preview({ all: [{ trait: 'seats', op: 'eq', value: 12 }] })).toEqual(['alice']);
    expect(await preview({ all: [{ trait: 'signup', op: 'gte', value: '2026-02-01' }] })).toEqual([
      'alice',
    ]);
    // A number compared with a text trait matches nothing instead of failing.
    expect(await preview({ all: [{ trait: 'plan', op: 'gt', value: 3 }] })).toEqual([]);
  });

  it('matches customer fields: email, first and last seen, event count', async () => {
    expect(
      await preview({ all: [{ field: 'email', op: 'contains', value: 'example.com' }] }),
    ).toEqual(['alice', 'dave']);
    expect(
      await preview({ all: [{ field: 'email', op: 'eq', value: 'ALICE@example.com' }] }),
    ).toEqual(['alice']);
    expect(await preview({ all: [{ field: 'email', op: 'not_exists' }] })).toEqual(['carol']);
    expect(await preview({ all: [{ field: 'lastSeenAt', op: 'within_days', value: 7 }] })).toEqual([
      'alice',
      'dave',
    ]);
    expect(
      await preview({
        all: [{ field: 'lastSeenAt', op: 'before', value: '2026-07-01T00:00:00Z' }],
      }),
    ).toEqual(['bob']);
    expect(
      await preview({
        all: [{ field: 'firstSeenAt', op: 'after', value: '2026-01-02T00:00:00Z' }],
      }),
    ).toEqual([]);
    expect(await preview({ all: [{ field: 'eventCount', op: 'gte', value: 10 }] })).toEqual([
      'alice',
      'carol',
    ]);
  });

  it('counts event occurrences from the daily rollup, with a window', async () => {
    const signedUp = (op: 'eq' | 'gte' | 'lte', value: number, withinDays?: number) =>
      preview({
        all: [{ event: 'Signed Up', count: { op, value }, ...(withinDays ? { withinDays } : {}) }],
      });
    expect(await signedUp('gte', 1)).toEqual(['alice', 'bob', 'carol']);
    expect(await signedUp('gte', 1, 30)).toEqual(['bob', 'carol']);
    expect(await signedUp('gte', 2)).toEqual(['carol']);
    expect(await signedUp('eq', 0)).toEqual(['dave']);
    expect(await signedUp('lte', 1, 30)).toEqual(['alice', 'bob', 'dave']);
  });

  it('"opened nothing in 90 days" is Email Opened counted zero times in 90 days', async () => {
    expect(
      await preview({
        all: [{ event: 'Email Opened', count: { op: 'eq', value: 0 }, withinDays: 90 }],
      }),
    ).toEqual(['bob', 'carol', 'dave']);
  });

  it('"clicked a link of broadcast X" filters the events by property, through every identity', async () => {
    const clicked = (broadcastId: string, withinDays?: number) =>
      preview({
        all: [
          {
            event: 'Email Link Clicked',
            count: { op: 'gte', value: 1 },
            where: [{ property: 'broadcastId', op: 'eq', value: broadcastId }],
            ...(withinDays ? { withinDays } : {}),
          },
        ],
      });
    expect(await clicked('b-1')).toEqual(['alice', 'carol']);
    expect(await clicked('b-1', 30)).toEqual(['alice']);
    expect(await clicked('b-2')).toEqual(['bob']);
    expect(
      await preview({
        all: [
          {
            event: 'Product Viewed',
            count: { op: 'gte', value: 1 },
            where: [{ property: 'price', op: 'gt', value: 20 }],
          },
        ],
      }),
    ).toEqual(['bob']);
  });

  it('matches order count and revenue in major units', async () => {
    expect(await preview({ all: [{ orders: { op: 'gte', value: 1 } }] })).toEqual([
      'alice',
      'carol',
    ]);
    expect(await preview({ all: [{ orders: { op: 'eq', value: 0 } }] })).toEqual(['bob', 'dave']);
    expect(await preview({ all: [{ revenue: { op: 'gt', value: 100 } }] })).toEqual(['alice']);
    expect(await preview({ all: [{ revenue: { op: 'gte', value: 49.9 } }] })).toEqual([
      'alice',
      'carol',
    ]);
  });

  it('matches the linked subscriber’s consent, or no subscriber', async () => {
    expect(await preview({ all: [{ consent: 'subscribed' }] })).toEqual(['alice']);
    expect(await preview({ all: [{ consent: 'unsubscribed' }] })).toEqual(['bob']);
    expect(await preview({ all: [{ consent: 'pending' }] })).toEqual(['dave']);
    expect(await preview({ all: [{ consent: 'none' }] })).toEqual(['carol']);
  });

  it('combines conditions with nested AND and OR groups', async () => {
    expect(
      await preview({
        all: [
          { trait: 'plan', op: 'eq', value: 'pro' },
          { any: [{ consent: 'subscribed' }, { orders: { op: 'gte', value: 1 } }] },
        ],
      }),
    ).toEqual(['alice', 'carol']);
    expect(
      await preview({
        any: [
          { all: [{ trait: 'plan', op: 'eq', value: 'free' }, { consent: 'unsubscribed' }] },
          { field: 'email', op: 'eq', value: 'dave@example.com' },
        ],
      }),
    ).toEqual(['bob', 'dave']);
    expect(
      await preview({
        all: [
          { trait: 'plan', op: 'exists' },
          { any: [{ all: [{ any: [{ consent: 'none' }, { consent: 'unsubscribed' }] }] }] },
        ],
      }),
    ).toEqual(['bob', 'carol']);
  });

  it('treats hostile trait names and values, and JSON-path characters, as plain text', async () => {
    expect(await preview({ all: [{ trait: HOSTILE, op: 'eq', value: 'x' }] })).toEqual(['alice']);
    expect(await preview({ all: [{ trait: 'plan', op: 'eq', value: HOSTILE }] })).toEqual([]);
    expect(await preview({ all: [{ trait: '$.a[*]', op: 'eq', value: 'path' }] })).toEqual([
      'alice',
    ]);
    expect(await preview({ all: [{ trait: '{plan}', op: 'exists' }] })).toEqual([]);
    expect(await preview({ all: [{ trait: 'plan', op: 'contains', value: '%' }] })).toEqual([]);
    expect(
      await preview({ all: [{ field: 'email', op: 'contains', value: "' OR '1'='1" }] }),
    ).toEqual([]);
    expect(
      await preview({
        all: [
          {
            event: HOSTILE,
            count: { op: 'eq', value: 0 },
            where: [{ property: `broadcastId') or 1=1 --`, op: 'exists' }],
          },
        ],
      }),
    ).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(
      await preview({
        all: [
          {
            event: 'Product Viewed',
            count: { op: 'gte', value: 1 },
            where: [{ property: HOSTILE, op: 'eq', value: 1 }],
          },
        ],
      }),
    ).toEqual(['bob']);
    // The table is still there, with every row.
    const [count] = rowsOf<{ n: number }>(
      await ctx.runtime.database.db.execute(sql`select count(*)::int as n from customers`),
    );
    expect(count?.n).toBe(5);
  });
});

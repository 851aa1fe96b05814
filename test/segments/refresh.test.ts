// The membership refresh: members enter and leave as customer data changes, each entering
// customer is handed to the entry listeners once (a second refresh hands nothing), only
// businesses whose data changed are recomputed between the hourly passes, and one business's
// failing segment neither blocks nor spoils the others.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ResolvedEvent } from '../../src/modules/customers/index.ts';
import type { SegmentEntry, SegmentEntryListener } from '../../src/modules/segments/index.ts';
import { createSegmentService } from '../../src/modules/segments/service.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { customers, segmentMembers, segments } from '../../src/platform/db/schema/index.ts';
import type { Principal } from '../../src/platform/http/auth-guard.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { addCustomer } from './data.ts';

const PRO = { all: [{ trait: 'plan', op: 'eq' as const, value: 'pro' }] };

describe('segment membership refresh', () => {
  let ctx: TestApp;
  let db: Database;
  let principal: Principal;
  let owner: TestUser;
  let clock = new Date('2026-12-01T12:00:00Z');
  const entries: SegmentEntry[] = [];
  const failFor = new Set<string>();
  const listener: SegmentEntryListener = {
    name: 'test',
    onEntered(_tx, entry) {
      if (failFor.has(entry.businessId)) return Promise.reject(new Error('listener failed'));
      entries.push(entry);
      return Promise.resolve();
    },
  };
  let service: ReturnType<typeof createSegmentService>;

  const changed = (businessId: string) =>
    service.changeListener.onEvents(db, [
      {
        businessId,
        messageId: 'm',
        type: 'track',
        event: 'Anything',
        properties: {},
        traits: null,
        timestamp: clock,
        receivedAt: clock,
        customerId: '00000000-0000-4000-8000-000000000000',
        subscriberId: null,
      } satisfies ResolvedEvent,
    ]);
  const setPlan = (customerId: string, plan: string) =>
    db.update(customers).set({ traits: { plan } }).where(eq(customers.id, customerId));
  const members = async (segmentId: string) =>
    (
      await db
        .select({ id: segmentMembers.customerId })
        .from(segmentMembers)
        .where(eq(segmentMembers.segmentId, segmentId))
    )
      .map((row) => row.id)
      .sort();

  beforeAll(async () => {
    ctx = await buildTestApp();
    db = ctx.runtime.database.db;
    const createdOwner = await newUser(ctx.app);
    principal = { userId: createdOwner.id, via: 'jwt', scopes: ['read', 'write'] };
    service = createSegmentService({
      db,
      access: ctx.runtime.services.access,
      logger: ctx.runtime.logger,
      entryListeners: [listener],
      now: () => clock,
    });
    owner = createdOwner;
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('adds and removes members as data changes, handing each entering customer to the listener once', async () => {
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const x = await addCustomer(db, businessId, {
      email: 'x@example.com',
      traits: { plan: 'pro' },
    });
    const y = await addCustomer(db, businessId, {
      email: 'y@example.com',
      traits: { plan: 'free' },
    });
    entries.length = 0;

    const segment = await service.create(principal, businessId, {
      name: 'Pro',
      description: '',
      rules: PRO,
    });
    expect(segment.size).toBe(1);
    expect(await members(segment.id)).toEqual([x]);
    expect(entries).toEqual([{ businessId, segmentId: segment.id, customerIds: [x] }]);

    // The data changes; until the processor marks the business, the segment is not recomputed.
    await setPlan(x, 'free');
    await setPlan(y, 'pro');
    clock = new Date(clock.getTime() + 60_000);
    await service.refreshOnce();
    expect(await members(segment.id)).toEqual([x]);

    await changed(businessId);
    clock = new Date(clock.getTime() + 60_000);
    await service.refreshOnce();
    expect(await members(segment.id)).toEqual([y]);
    clock = new Date(clock.getTime() + 60_000);
    await service.refreshOnce();
    await service.refreshSegment(segment.id);
    expect(entries.map((entry) => entry.customerIds)).toEqual([[x], [y]]);

    const [row] = await db.select().from(segments).where(eq(segments.id, segment.id));
    expect(row?.size).toBe(1);
    expect(row?.refreshedAt?.toISOString()).toBe(clock.toISOString());

    // Both back in: x enters again (a new entry), y stays (no second entry for y).
    await setPlan(x, 'pro');
    await changed(businessId);
    clock = new Date(clock.getTime() + 60_000);
    await service.refreshOnce();
    expect(await members(segment.id)).toEqual([x, y].sort());
    expect(entries.map((entry) => entry.customerIds)).toEqual([[x], [y], [x]]);
  });

  it('recomputes every segment at least hourly, so time windows move without new events', async () => {
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const recent = await addCustomer(db, businessId, {
      email: 'recent@example.com',
      lastSeenAt: new Date(clock.getTime() - 2 * 86_400_000),
    });
    const segment = await service.create(principal, businessId, {
      name: 'Seen this week',
      description: '',
      rules: { all: [{ field: 'lastSeenAt', op: 'within_days', value: 7 }] },
    });
    expect(await members(segment.id)).toEqual([recent]);
    clock = new Date(clock.getTime() + 6 * 86_400_000);
    await service.refreshOnce();
    expect(await members(segment.id)).toEqual([]);
    const sizes = await service.sizes(principal, businessId, segment.id, 30);
    expect(sizes.items.map((point) => point.size)).toEqual([1, 0]);
  });

  it("one business's failing segment neither blocks nor spoils the others", async () => {
    const broken = (await newBusiness(ctx.app, owner)).id;
    const healthy = (await newBusiness(ctx.app, owner)).id;
    const a = await addCustomer(db, broken, { email: 'a@example.com', traits: { plan: 'pro' } });
    const b = await addCustomer(db, healthy, { email: 'b@example.com', traits: { plan: 'pro' } });
    // Saved before the listener failed for this business; a stored rule that no longer parses too.
    const failing = await service.create(principal, broken, {
      name: 'Pro',
      description: '',
      rules: PRO,
    });
    const [garbled] = await db
      .insert(segments)
      .values({ businessId: broken, name: 'Garbled', rules: { all: [{ bogus: true }] } })
      .returning();
    const fine = await service.create(principal, healthy, {
      name: 'Pro',
      description: '',
      rules: PRO,
    });
    await setPlan(a, 'free');
    await setPlan(b, 'free');
    await changed(broken);
    await changed(healthy);
    clock = new Date(clock.getTime() + 60_000);
    await service.refreshOnce();
    await setPlan(a, 'pro');
    await setPlan(b, 'pro');
    await changed(broken);
    await changed(healthy);
    failFor.add(broken);
    entries.length = 0;
    clock = new Date(clock.getTime() + 60_000);

    const pass = await service.refreshOnce();
    expect(pass.failed).toBe(2);
    // The failing refresh rolled back whole: no member, no size, no entry.
    expect(await members(failing.id)).toEqual([]);
    expect(await members(fine.id)).toEqual([b]);
    expect(entries).toEqual([{ businessId: healthy, segmentId: fine.id, customerIds: [b] }]);
    expect(garbled?.refreshedAt).toBeNull();

    // Once the listener recovers, the next pass catches up.
    failFor.clear();
    clock = new Date(clock.getTime() + 60_000);
    await service.refreshOnce();
    expect(await members(failing.id)).toEqual([a]);
    expect(entries.map((entry) => entry.customerIds)).toEqual([[b], [a]]);
  });
});

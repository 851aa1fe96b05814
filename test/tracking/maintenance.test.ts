// Monthly partitions of the events table: made ahead of time, idempotently; with a retention
// set, whole months past it are dropped; the DEFAULT partition stays whatever happens.
import { randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { maintainEventPartitions } from '../../src/modules/tracking/maintenance.ts';
import { insertEvents } from '../../src/modules/tracking/repository.ts';
import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser } from '../helpers/fixtures.ts';

describe('event partition maintenance', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(async () => {
    await ctx.close();
  });

  const db = () => ctx.runtime.database.db;

  async function partitions(): Promise<string[]> {
    return rowsOf<{ name: string }>(
      await db().execute(sql`
        SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'events'::regclass ORDER BY 1`),
    ).map((row) => row.name);
  }

  async function storeEvent(businessId: string, receivedAt: Date): Promise<string> {
    const messageId = randomUUID();
    await insertEvents(db(), [
      {
        businessId,
        messageId,
        type: 'track',
        event: 'Signed Up',
        userId: 'u1',
        anonymousId: null,
        email: null,
        groupId: null,
        previousId: null,
        properties: {},
        traits: null,
        context: {},
        integrations: null,
        timestamp: receivedAt,
        originalTimestamp: null,
        sentAt: null,
        receivedAt,
      },
    ]);
    return messageId;
  }

  async function partitionOf(messageId: string): Promise<string | undefined> {
    return rowsOf<{ part: string }>(
      await db().execute(
        sql`SELECT tableoid::regclass::text AS part FROM events WHERE message_id = ${messageId}`,
      ),
    )[0]?.part;
  }

  it('creates the current month and the next two, once', async () => {
    const now = new Date('2031-11-15T12:00:00Z');
    const first = await maintainEventPartitions(db(), { now, retentionDays: 0 });
    expect(first).toEqual({
      created: ['events_203111', 'events_203112', 'events_203201'],
      dropped: [],
    });
    const again = await maintainEventPartitions(db(), { now, retentionDays: 0 });
    expect(again).toEqual({ created: [], dropped: [] });
    expect(await partitions()).toEqual(
      expect.arrayContaining(['events_203111', 'events_203112', 'events_203201', 'events_default']),
    );
  });

  it('moves events that landed in DEFAULT into the month made for them', async () => {
    const owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner);
    const stray = await storeEvent(business.id, new Date('2032-04-10T08:00:00Z'));
    expect(await partitionOf(stray)).toBe('events_default');
    const result = await maintainEventPartitions(db(), {
      now: new Date('2032-02-20T00:00:00Z'),
      retentionDays: 0,
    });
    expect(result.created).toEqual(['events_203202', 'events_203203', 'events_203204']);
    expect(await partitionOf(stray)).toBe('events_203204');
  });

  it('drops whole months past the retention, keeps the current one and DEFAULT', async () => {
    const owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner);
    const old = await storeEvent(business.id, new Date('2031-11-20T00:00:00Z'));
    const recent = await storeEvent(business.id, new Date('2032-03-05T00:00:00Z'));
    const outside = await storeEvent(business.id, new Date('2020-01-01T00:00:00Z'));
    // 2032-03-20 with 60 days kept: the cutoff is 2032-01-20, so November and December 2031
    // (ending 2031-12-01 and 2032-01-01) go; January 2032 (ending 2032-02-01) stays.
    const result = await maintainEventPartitions(db(), {
      now: new Date('2032-03-20T00:00:00Z'),
      retentionDays: 60,
    });
    expect(result.dropped).toEqual(expect.arrayContaining(['events_203111', 'events_203112']));
    expect(result.dropped).not.toContain('events_203201');
    expect(result.dropped).not.toContain('events_default');
    const left = await partitions();
    expect(left).toEqual(
      expect.arrayContaining(['events_203201', 'events_203203', 'events_default']),
    );
    expect(left).not.toContain('events_203111');
    expect(await partitionOf(old)).toBeUndefined();
    expect(await partitionOf(recent)).toBe('events_203203');
    // DEFAULT is never dropped, even holding events older than the retention.
    expect(await partitionOf(outside)).toBe('events_default');
  });
});

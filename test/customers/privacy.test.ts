// Privacy requests on a customer: the export (a job whose result holds everything on the
// person) and the erasure, checked the way an auditor would — every row of every table of the
// schema, read as text, holds none of the person's identifiers afterwards; their identities are
// on the tracking suppression list (by hash only); the audit trail records the deletion without
// personal data; another customer's data stays.
import { randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Customer, CustomerSummary } from '../../src/modules/customers/schemas.ts';
import type { Job } from '../../src/modules/jobs/schemas.ts';
import type { Subscriber } from '../../src/modules/subscribers/schemas.ts';
import { identityHash } from '../../src/modules/tracking/index.ts';
import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { api, finishedJob } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { addMember, newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { drainEvents, sendEvents, testProcessor } from './events.ts';

describe('customer privacy requests', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  let base: string;
  const userId = `person-${randomUUID()}`;
  const anonymousId = `anon-${randomUUID()}`;
  const email = `erase-me-${randomUUID()}@example.com`;
  const otherUser = `keep-${randomUUID()}`;
  let customerId: string;

  beforeAll(async () => {
    ctx = await buildTestApp({ worker: true });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    base = `/api/v1/businesses/${businessId}/customers`;
    const db = ctx.runtime.database.db;
    await api(
      ctx.app,
      owner,
      'POST',
      `/api/v1/businesses/${businessId}/subscribers`,
      { email },
      201,
    );
    await api(
      ctx.app,
      owner,
      'POST',
      `/api/v1/businesses/${businessId}/suppressions`,
      { email, reason: 'manual' },
      201,
    );
    await sendEvents(ctx, businessId, [
      { type: 'page', event: 'Home', anonymousId, at: '2026-05-01T10:00:00Z' },
      {
        type: 'identify',
        userId,
        anonymousId,
        email,
        traits: { email, name: 'Erin Case' },
        at: '2026-05-01T10:01:00Z',
      },
      {
        type: 'track',
        event: 'Order Completed',
        userId,
        properties: { order_id: `o-${userId}`, total: 20 },
        at: '2026-05-01T10:02:00Z',
      },
      { type: 'track', event: 'Email Opened', email, at: '2026-05-01T10:03:00Z' },
      {
        type: 'identify',
        userId: otherUser,
        traits: { name: 'Kept Person' },
        at: '2026-05-01T10:04:00Z',
      },
    ]);
    const processor = testProcessor(ctx);
    await drainEvents(db, businessId, () => processor.processOnce());
    const { body } = await api<{ items: CustomerSummary[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}?userId=${userId}`,
      undefined,
      200,
    );
    customerId = body.items[0]?.id ?? '';
    // A segment membership and a message about the person.
    await db.execute(sql`
      WITH s AS (INSERT INTO segments (business_id, name, rules) VALUES (${businessId}, 'Buyers', '{}'::jsonb) RETURNING id)
      INSERT INTO segment_members (segment_id, customer_id, business_id) SELECT id, ${customerId}, ${businessId} FROM s`);
    await db.execute(sql`
      INSERT INTO messages (business_id, channel, direction, body, customer_ref)
      VALUES (${businessId}, 'email', 'inbound', 'Where is my order?', ${userId})`);
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('exports everything held on the person as one JSON document (a job)', async () => {
    const editor = await newUser(ctx.app);
    await addMember(ctx.runtime.database.db, businessId, editor, 'editor');
    expect((await api(ctx.app, editor, 'POST', `${base}/${customerId}/export`)).status).toBe(403);

    const started = await api<{ job: Job }>(
      ctx.app,
      owner,
      'POST',
      `${base}/${customerId}/export`,
      undefined,
      202,
    );
    const job = await finishedJob(ctx.app, owner, started.body.job.id);
    expect(job.status).toBe('succeeded');
    const document = (job.result as { document: Record<string, unknown[]> & { profile: Customer } })
      .document;
    expect(document.profile).toMatchObject({ id: customerId, userId, email });
    expect(document.identities).toEqual(
      expect.arrayContaining([
        { kind: 'userId', value: userId },
        { kind: 'anonymousId', value: anonymousId },
        { kind: 'email', value: email },
      ]),
    );
    expect(document.events).toHaveLength(4);
    expect(document.orders).toHaveLength(1);
    expect(document.subscribers).toHaveLength(1);
    expect(document.segments).toEqual([expect.objectContaining({ name: 'Buyers' })]);
    expect(document.messages).toHaveLength(1);
  });

  it('erases the person from every table, suppresses their identities and audits it', async () => {
    await api(ctx.app, owner, 'DELETE', `${base}/${customerId}?suppress=true`, undefined, 204);
    const db = ctx.runtime.database.db;
    const tables = rowsOf<{ table_name: string }>(
      await db.execute(sql`
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`),
    ).map((row) => row.table_name);
    expect(tables).toEqual(
      expect.arrayContaining(['events', 'events_default', 'customers', 'subscribers']),
    );
    const needles = [userId, anonymousId, email, customerId];
    const leaks: string[] = [];
    let otherSeen = false;
    for (const table of tables) {
      const rows = rowsOf<{ row: string }>(
        await db.execute(sql.raw(`SELECT t::text AS row FROM "${table}" t`)),
      );
      for (const { row } of rows) {
        for (const needle of needles) if (row.includes(needle)) leaks.push(`${table}: ${needle}`);
        if (row.includes(otherUser)) otherSeen = true;
      }
    }
    expect(leaks).toEqual([]);
    expect(otherSeen).toBe(true);

    const hashes = rowsOf<{ identity_hash: string }>(
      await db.execute(
        sql`SELECT identity_hash FROM tracking_suppressions WHERE business_id = ${businessId}`,
      ),
    ).map((row) => row.identity_hash);
    expect(hashes.sort()).toEqual(
      [
        identityHash('userId', userId),
        identityHash('anonymousId', anonymousId),
        identityHash('email', email),
      ].sort(),
    );

    const audit = rowsOf<{ action: string; details: Record<string, unknown> | string }>(
      await db.execute(
        sql`SELECT action, details FROM audit_events WHERE action = 'customer.deleted'`,
      ),
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toBeDefined();
    expect((await api(ctx.app, owner, 'GET', `${base}/${customerId}`)).status).toBe(404);
    const subscribers = await api<{ items: Subscriber[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/subscribers`,
      undefined,
      200,
    );
    expect(subscribers.body.items).toHaveLength(0);
    const kept = await api<{ items: CustomerSummary[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}?userId=${otherUser}`,
      undefined,
      200,
    );
    expect(kept.body.items).toHaveLength(1);
  });
});

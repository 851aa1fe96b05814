// The at-least-once gap, measured: a `herald worker` process is killed with SIGKILL in the
// middle of dispatching a sequence step to a slow SMTP relay on loopback, and a new worker takes
// over its stale claims. Every delivery ends sent, each Message-ID reaches the relay, and the
// messages that arrived twice (accepted by the relay, not yet marked sent when the process died)
// are counted and held to the bound docs/email-delivery.md gives. Another tenant's step that
// cannot render rides in the same batches and must change none of that: without a crash, the
// other tenants' mail arrives exactly once. Runs on the PostgreSQL server only: PGlite is one
// process's database.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { buildTestApp, serverDatabaseUrl, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser } from '../helpers/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';
import { startWorkerProcess } from '../helpers/worker-process.ts';

const SUBSCRIBERS = 300;
const BATCH_SIZE = 50;
/** Rounds in flight per worker: a crash can leave this many batches sent but not marked. */
const CONCURRENCY = 2;
/** The relay has accepted this many when the worker is killed: inside the second batch. */
const KILL_AFTER = 60;
const CLAIM_TIMEOUT_SECONDS = 5;

function workerEnv(smtpUrl: string): Record<string, string> {
  return {
    SMTP_URL: smtpUrl,
    SMTP_POOL_SIZE: '5',
    EMAIL_DISPATCH_BATCH_SIZE: String(BATCH_SIZE),
    EMAIL_DISPATCH_CONCURRENCY: String(CONCURRENCY),
    EMAIL_DISPATCH_INTERVAL_MS: '200',
    EMAIL_CLAIM_TIMEOUT_SECONDS: String(CLAIM_TIMEOUT_SECONDS),
    EMAIL_SEND_PER_MINUTE: '100000',
  };
}

interface DeliveryCounts {
  total: number;
  sent: number;
  claimed: number;
}

describe.runIf(serverDatabaseUrl)('a worker killed mid-dispatch', () => {
  let ctx: TestApp;
  let receiver: SmtpReceiver;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    // A relay that takes 25 ms to accept each message, so a batch is still sending when the
    // kill lands.
    receiver = await startSmtpReceiver({ acceptDelayMs: 25 });
    ctx = await buildTestApp(); // the API only: the worker processes send
  }, 60_000);

  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
    await ctx.close();
    await receiver.close();
  });

  /**
   * Tenant P: one subscriber enrolled in an active sequence whose step cannot render (an old
   * row saved before the save-time checks), so its delivery rides in the batches of the others.
   */
  async function brokenTenant(tag: string): Promise<string> {
    const user = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, user);
    const base = `/api/v1/businesses/${business.id}`;
    await ctx.app.inject({
      method: 'POST',
      url: `${base}/subscribers`,
      headers: user.headers,
      payload: { email: `p-${tag}@example.org` },
    });
    const created = await ctx.app.inject({
      method: 'POST',
      url: `${base}/sequences`,
      headers: user.headers,
      payload: { name: 'Broken', steps: [{ subject: 'Hi', html: '<p>Hi</p>' }] },
    });
    const sequenceId = created.json<{ id: string }>().id;
    await ctx.runtime.database.db.execute(sql`
      update sequence_steps set html = '<p>{% include ''does-not-exist'' %}</p>', updated_at = now()
      where sequence_id = ${sequenceId}::uuid`);
    for (const action of ['enrollments', 'activate']) {
      const response = await ctx.app.inject({
        method: 'POST',
        url: `${base}/sequences/${sequenceId}/${action}`,
        headers: user.headers,
        ...(action === 'enrollments' ? { payload: { filter: { all: true } } } : {}),
      });
      expect(response.statusCode).toBe(200);
    }
    return sequenceId;
  }

  async function brokenDelivery(sequenceId: string) {
    const result = await ctx.runtime.database.db.execute(sql`
      select status, attempts, error from deliveries where sequence_id = ${sequenceId}::uuid`);
    return rowsOf<{ status: string; attempts: number; error: string | null }>(result)[0];
  }

  async function deliveryCounts(sequenceId: string): Promise<DeliveryCounts> {
    const result = await ctx.runtime.database.db.execute(sql`
      select count(*)::int as total,
             count(*) filter (where status = 'sent')::int as sent,
             count(*) filter (where status = 'claimed')::int as claimed
      from deliveries where sequence_id = ${sequenceId}::uuid`);
    const [row] = rowsOf<DeliveryCounts>(result);
    return row ?? { total: 0, sent: 0, claimed: 0 };
  }

  it('when a worker is SIGKILLed mid-dispatch, the next one sends every delivery with its Message-ID, and the duplicates stay within the batches it had in flight', async () => {
    if (ctx.config.database.kind !== 'postgres') throw new Error('expected a server database');
    const databaseUrl = ctx.config.database.url;
    const user = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, user);
    await ctx.runtime.database.db.execute(sql`
      insert into subscribers (business_id, email, source)
      select ${business.id}::uuid, 'reader-' || g || '@example.org', 'test'
      from generate_series(1, ${SUBSCRIBERS}) as g`);
    const base = `/api/v1/businesses/${business.id}/sequences`;
    const created = await ctx.app.inject({
      method: 'POST',
      url: base,
      headers: user.headers,
      payload: { name: 'Welcome', steps: [{ subject: 'Hello', html: '<p>Hello</p>' }] },
    });
    expect(created.statusCode).toBe(201);
    const sequenceId = created.json<{ id: string }>().id;
    const enrolled = await ctx.app.inject({
      method: 'POST',
      url: `${base}/${sequenceId}/enrollments`,
      headers: user.headers,
      payload: { filter: { all: true } },
    });
    expect(enrolled.json<{ enrolled: number }>().enrolled).toBe(SUBSCRIBERS);
    // Due first, so its delivery is claimed in the same batch as the first of these.
    const brokenSequenceId = await brokenTenant('crash');

    const first = startWorkerProcess(databaseUrl, workerEnv(receiver.url));
    workers.push(first.child);
    await first.started;
    const activated = await ctx.app.inject({
      method: 'POST',
      url: `${base}/${sequenceId}/activate`,
      headers: user.headers,
    });
    expect(activated.statusCode).toBe(200);

    await receiver.waitFor(KILL_AFTER, 30_000);
    const exited = once(first.child, 'exit');
    first.child.kill('SIGKILL');
    await exited;
    const atKill = await deliveryCounts(sequenceId);
    const receivedAtKill = receiver.messages.length;
    // The kill landed mid-dispatch: some deliveries claimed and not marked sent, some not yet due.
    expect(atKill.claimed).toBeGreaterThan(0);
    expect(atKill.sent).toBeLessThan(SUBSCRIBERS);

    const second = startWorkerProcess(databaseUrl, workerEnv(receiver.url));
    workers.push(second.child);
    await second.started;
    let counts = atKill;
    for (let poll = 0; poll < 240; poll++) {
      counts = await deliveryCounts(sequenceId);
      if (counts.sent === SUBSCRIBERS) break;
      await sleep(250);
    }
    expect(counts).toEqual({ total: SUBSCRIBERS, sent: SUBSCRIBERS, claimed: 0 });

    // Let any send still in flight land before counting at the relay.
    await sleep(500);
    const byMessageId = receiver.countsByMessageId();
    const result = await ctx.runtime.database.db.execute(sql`
      select message_id from deliveries where sequence_id = ${sequenceId}::uuid`);
    const expectedIds = rowsOf<{ message_id: string }>(result).map((row) => row.message_id);
    // Every delivery reached the relay under its own Message-ID, and nothing else did.
    expect([...byMessageId.keys()].sort()).toEqual([...expectedIds].sort());
    const duplicates = receiver.messages.length - byMessageId.size;
    const twice = [...byMessageId.values()].filter((count) => count > 1).length;
    console.info(
      `worker crash: ${String(SUBSCRIBERS)} deliveries, killed after ${String(receivedAtKill)} accepted ` +
        `(${String(atKill.sent)} marked sent, ${String(atKill.claimed)} claimed); ` +
        `${String(receiver.messages.length)} messages received, ${String(duplicates)} duplicate(s)`,
    );
    // The documented bound: at most the deliveries the dead worker had claimed and not marked
    // sent, never more than its rounds in flight × the claim batch; no Message-ID arrives more
    // than twice.
    expect(duplicates).toBeLessThanOrEqual(Math.min(CONCURRENCY * BATCH_SIZE, atKill.claimed));
    expect([...byMessageId.values()].every((count) => count <= 2)).toBe(true);
    expect(twice).toBe(duplicates);
    // The broken step failed its own delivery only: an attempt counted, with its reason.
    const broken = await brokenDelivery(brokenSequenceId);
    expect(broken?.attempts).toBeGreaterThanOrEqual(1);
    expect(broken?.error).toMatch(/^Template error/);

    // The surviving worker stops cleanly, dispatcher first.
    const stopped = once(second.child, 'exit') as Promise<[number | null]>;
    second.child.kill('SIGTERM');
    const [code] = await stopped;
    expect(code).toBe(0);
  }, 120_000);
  it("when another tenant's step cannot render, a worker sends this tenant's mail exactly once, through reconciliations", async () => {
    if (ctx.config.database.kind !== 'postgres') throw new Error('expected a server database');
    const relay = await startSmtpReceiver();
    const user = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, user);
    const path = `/api/v1/businesses/${business.id}`;
    const emails = Array.from({ length: 5 }, (_, i) => `v-${String(i)}@example.org`);
    for (const email of emails) {
      await ctx.app.inject({
        method: 'POST',
        url: `${path}/subscribers`,
        headers: user.headers,
        payload: { email },
      });
    }
    const brokenSequenceId = await brokenTenant('isolation');
    const created = await ctx.app.inject({
      method: 'POST',
      url: `${path}/sequences`,
      headers: user.headers,
      payload: { name: 'Welcome', steps: [{ subject: 'Hello', html: '<p>Hello</p>' }] },
    });
    const sequenceId = created.json<{ id: string }>().id;
    for (const action of ['enrollments', 'activate']) {
      await ctx.app.inject({
        method: 'POST',
        url: `${path}/sequences/${sequenceId}/${action}`,
        headers: user.headers,
        ...(action === 'enrollments' ? { payload: { filter: { all: true } } } : {}),
      });
    }
    const worker = startWorkerProcess(ctx.config.database.url, workerEnv(relay.url));
    workers.push(worker.child);
    await worker.started;
    try {
      await relay.waitFor(emails.length, 30_000);
      let broken = await brokenDelivery(brokenSequenceId);
      for (let poll = 0; poll < 120 && !broken?.error; poll++) {
        await sleep(250);
        broken = await brokenDelivery(brokenSequenceId);
      }
      // Long enough for two reconciliations: a delivery left claimed would be sent again.
      await sleep(2 * CLAIM_TIMEOUT_SECONDS * 1000 + 500);
      const byMessageId = relay.countsByMessageId();
      const duplicates = relay.messages.length - byMessageId.size;
      console.info(
        `cross-tenant: ${String(relay.messages.length)} messages for ${String(emails.length)} deliveries, ${String(duplicates)} duplicate(s)`,
      );
      expect(duplicates).toBe(0);
      expect(byMessageId.size).toBe(emails.length);
      expect(await deliveryCounts(sequenceId)).toEqual({
        total: emails.length,
        sent: emails.length,
        claimed: 0,
      });
      expect(broken?.attempts).toBe(1);
      expect(broken?.error).toMatch(/^Template error/);
    } finally {
      const stopped = once(worker.child, 'exit');
      worker.child.kill('SIGTERM');
      await stopped;
      await relay.close();
    }
  }, 120_000);
});

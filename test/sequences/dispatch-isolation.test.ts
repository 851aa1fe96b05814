// One delivery's failure stays that delivery's: a step whose template fails to render (an old
// row saved before today's checks) fails only its own delivery — counted, retried a bounded
// number of times, then `failed` with the reason on the step's analytics — while the other
// tenants' deliveries of the same batch are sent once and marked sent. Time is driven from the
// test; the reconciliation claim timeout is the shortest the configuration allows.
import { randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

/** The dispatcher's default: attempts before a delivery that keeps failing is given up. */
const MAX_ATTEMPTS = 5;
const CLAIM_TIMEOUT_SECONDS = 5;

describe('dispatch isolation between deliveries', () => {
  let receiver: SmtpReceiver;
  let ctx: TestApp;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    ctx = await buildTestApp({
      env: {
        SMTP_URL: receiver.url,
        EMAIL_SEND_PER_MINUTE: '100000',
        EMAIL_CLAIM_TIMEOUT_SECONDS: String(CLAIM_TIMEOUT_SECONDS),
      },
    });
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  const db = () => ctx.runtime.database.db;

  /** One dispatch round at `at`, as the background loop runs it (a failed round is logged). */
  async function dispatch(at: number) {
    try {
      return await ctx.runtime.services.sequenceDispatcher.runOnce(new Date(at));
    } catch {
      return undefined;
    }
  }

  /** Rounds every 15 s of driven time from `from` for `minutes`: reconciliation included. */
  async function dispatchFor(from: number, minutes: number) {
    for (let at = from; at <= from + minutes * 60_000; at += 15_000) await dispatch(at);
  }

  /** A tenant: a business with these subscribers enrolled in an active one-step sequence. */
  async function tenant(emails: string[]) {
    const owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    for (const email of emails) {
      const created = await ctx.app.inject({
        method: 'POST',
        url: `${path}/subscribers`,
        headers: owner.headers,
        payload: { email },
      });
      expect(created.statusCode).toBe(201);
    }
    const sequence = await ctx.app.inject({
      method: 'POST',
      url: `${path}/sequences`,
      headers: owner.headers,
      payload: { name: 'Drip', steps: [{ subject: 'Hello', html: '<p>Hello</p>' }] },
    });
    expect(sequence.statusCode).toBe(201);
    const sequenceId = sequence.json<{ id: string }>().id;
    const base = `${path}/sequences/${sequenceId}`;
    return { owner, base, sequenceId };
  }

  async function start(owner: TestUser, base: string) {
    for (const action of ['enrollments', 'activate']) {
      const response = await ctx.app.inject({
        method: 'POST',
        url: `${base}/${action}`,
        headers: owner.headers,
        ...(action === 'enrollments' ? { payload: { filter: { all: true } } } : {}),
      });
      expect(response.statusCode).toBe(200);
    }
  }

  async function deliveries(sequenceId: string) {
    return rowsOf<{ email: string; status: string; attempts: number; error: string | null }>(
      await db().execute(sql`
        select s.email, d.status, d.attempts, d.error
        from deliveries d join subscribers s on s.id = d.subscriber_id
        where d.sequence_id = ${sequenceId}::uuid order by s.email`),
    );
  }

  const receivedBy = (prefix: string) =>
    receiver.messages.filter((message) => message.envelopeTo.some((to) => to.startsWith(prefix)));

  it("when one tenant's step fails to render, the other tenants' deliveries in the same batch are sent once and marked sent, and the broken one fails after its attempts with the reason on the step", async () => {
    const tag = randomUUID().slice(0, 8);
    const p = await tenant([`p${tag}-reader@example.org`]);
    // An old row, saved before the save-time checks refused it: it cannot render.
    await db().execute(sql`
      update sequence_steps set html = '<p>{% include ''does-not-exist'' %}</p>', updated_at = now()
      where sequence_id = ${p.sequenceId}::uuid`);
    // And one that cannot even compile: a filter that does not exist.
    const q = await tenant([`q${tag}-reader@example.org`]);
    await db().execute(sql`
      update sequence_steps set subject = '{{ "Hi" | no_such_filter }}', updated_at = now()
      where sequence_id = ${q.sequenceId}::uuid`);
    const vEmails = Array.from({ length: 5 }, (_, i) => `v${tag}-${String(i)}@example.org`);
    const v = await tenant(vEmails);
    await start(q.owner, q.base);
    await start(p.owner, p.base);
    await start(v.owner, v.base);

    const before = receiver.messages.length;
    const now = Date.now() + 1000;
    const first = await dispatch(now);
    // Long enough for four backoffs (1 + 2 + 4 + 8 minutes) and many reconciliations.
    await dispatchFor(now + 15_000, 20);
    await receiver.waitFor(before + 5);

    const vMessages = receivedBy(`v${tag}-`);
    expect(vMessages).toHaveLength(5);
    expect(new Set(vMessages.map((message) => message.messageId)).size).toBe(5);
    expect((await deliveries(v.sequenceId)).map((row) => row.status)).toEqual(
      Array.from({ length: 5 }, () => 'sent'),
    );
    // All seven were claimed together; only the broken ones failed.
    expect(first).toMatchObject({ claimed: 7, sent: 5, failed: 2 });

    expect(receivedBy(`p${tag}-`)).toHaveLength(0);
    const [broken] = await deliveries(p.sequenceId);
    expect(broken).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(broken?.error).toMatch(/^Template error/);
    expect(receivedBy(`q${tag}-`)).toHaveLength(0);
    const [uncompilable] = await deliveries(q.sequenceId);
    expect(uncompilable).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(uncompilable?.error).toContain('no_such_filter');
    // Given up for good: later reconciliations leave it alone.
    await dispatchFor(now + 30 * 60_000, 2);
    expect((await deliveries(p.sequenceId))[0]).toMatchObject({ attempts: MAX_ATTEMPTS });

    const analytics = await ctx.app.inject({
      method: 'GET',
      url: `${p.base}/analytics`,
      headers: p.owner.headers,
    });
    expect(analytics.statusCode).toBe(200);
    const body = analytics.json<{
      totals: { failed: number; sent: number };
      steps: { failed: number; lastError: string | null }[];
    }>();
    expect(body.totals).toMatchObject({ failed: 1, sent: 0 });
    expect(body.steps[0]?.failed).toBe(1);
    expect(body.steps[0]?.lastError).toBe(broken?.error);
    // The reason names the problem without showing where the server runs from.
    expect(body.steps[0]?.lastError).toContain('include is not supported');
    expect(body.steps[0]?.lastError).not.toContain(process.cwd());
  });

  it('when recording "sent" fails for one delivery, the others of its batch are still marked sent and never re-sent', async () => {
    const tag = randomUUID().slice(0, 8);
    const emails = Array.from({ length: 5 }, (_, i) => `m${tag}-${String(i)}@example.org`);
    const v = await tenant(emails);
    const stuck = emails[2] ?? '';
    // The database refuses to mark this one delivery sent (as a failing row would).
    await db().execute(
      sql.raw(`
      create function refuse_sent_${tag}() returns trigger language plpgsql as $$
      begin
        if new.status = 'sent' and exists (
          select 1 from subscribers where id = new.subscriber_id and email = '${stuck}') then
          raise exception 'refused for the test';
        end if;
        return new;
      end $$`),
    );
    await db().execute(
      sql.raw(`
      create trigger refuse_sent_${tag} before update on deliveries
        for each row execute function refuse_sent_${tag}()`),
    );
    try {
      await start(v.owner, v.base);
      const now = Date.now() + 1000;
      await dispatch(now);
      await dispatchFor(now + 15_000, 2);
      const rows = await deliveries(v.sequenceId);
      expect(rows.filter((row) => row.status === 'sent').map((row) => row.email)).toEqual(
        emails.filter((email) => email !== stuck),
      );
      for (const email of emails.filter((address) => address !== stuck)) {
        expect(receivedBy(email)).toHaveLength(1);
      }
    } finally {
      await db().execute(sql.raw(`drop trigger refuse_sent_${tag} on deliveries`));
      await db().execute(sql.raw(`drop function refuse_sent_${tag}()`));
    }
  });
});

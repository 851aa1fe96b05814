// The dispatcher's rules through a real SMTP receiver on loopback: the per-business throttle,
// hard bounces (suppressed, enrollment stopped, counted) and temporary failures (retried after
// a backoff under the same Message-ID).
import { randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

const PER_MINUTE = 3;
const DAY = 86_400_000;

describe('dispatch rules', () => {
  let receiver: SmtpReceiver;
  let ctx: TestApp;
  let owner: TestUser;
  /** Addresses refused once with 451, then accepted. */
  const refusedOnce = new Set<string>();

  beforeAll(async () => {
    receiver = await startSmtpReceiver({
      refuseRecipient(address) {
        if (address.startsWith('bounce-')) return 550;
        if (address.startsWith('later-') && !refusedOnce.has(address)) {
          refusedOnce.add(address);
          return 451;
        }
        return undefined;
      },
    });
    ctx = await buildTestApp({
      env: { SMTP_URL: receiver.url, EMAIL_SEND_PER_MINUTE: String(PER_MINUTE) },
    });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  const dispatch = (at: number) => ctx.runtime.services.sequenceDispatcher.runOnce(new Date(at));

  const api = suiteApi(() => ({ app: ctx.app, user: owner }));

  /** A business with these subscribers enrolled in an active sequence of the given steps. */
  async function activeSequence(
    emails: string[],
    steps: object[] = [{ subject: 'Hello', html: '<p>Hello</p>' }],
  ) {
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    for (const email of emails) {
      expect((await api('POST', `${path}/subscribers`, { email })).status).toBe(201);
    }
    const sequence = await api<{ id: string }>('POST', `${path}/sequences`, {
      name: 'Drip',
      steps,
    });
    const base = `${path}/sequences/${sequence.body.id}`;
    await api('POST', `${base}/enrollments`, { filter: { all: true } });
    expect((await api('POST', `${base}/activate`)).status).toBe(200);
    return { businessId: business.id, path, base, sequenceId: sequence.body.id };
  }

  const receivedBy = (prefix: string) =>
    receiver.messages.filter((message) => message.envelopeTo.some((to) => to.startsWith(prefix)))
      .length;

  async function deliveries(sequenceId: string) {
    return rowsOf<{
      email: string;
      status: string;
      message_id: string;
      attempts: number;
      error: string | null;
    }>(
      await ctx.runtime.database.db.execute(sql`
        select s.email, d.status, d.message_id, d.attempts, d.error
        from deliveries d join subscribers s on s.id = d.subscriber_id
        where d.sequence_id = ${sequenceId}::uuid order by s.email`),
    );
  }

  it('sends at most EMAIL_SEND_PER_MINUTE per business per minute; each business has its own budget, and the rest waits for the next minute', async () => {
    const tag = randomUUID().slice(0, 8);
    const busy = Array.from({ length: 5 }, (_, i) => `t${tag}-busy-${String(i)}@example.org`);
    const quiet = Array.from({ length: 2 }, (_, i) => `t${tag}-quiet-${String(i)}@example.org`);
    await activeSequence(busy);
    await activeSequence(quiet);
    const now = Date.now() + 1000;

    const first = await dispatch(now);
    expect(first.sent).toBe(PER_MINUTE + 2);
    expect(receivedBy(`t${tag}-busy-`)).toBe(PER_MINUTE);
    expect(receivedBy(`t${tag}-quiet-`)).toBe(2);

    // Half a minute on, the busy business's budget is still spent.
    expect((await dispatch(now + 30_000)).sent).toBe(0);
    expect(receivedBy(`t${tag}-busy-`)).toBe(PER_MINUTE);

    // A minute on, the rest goes; nobody gets the step twice.
    expect((await dispatch(now + 61_000)).sent).toBe(2);
    expect(receivedBy(`t${tag}-busy-`)).toBe(5);
    expect((await dispatch(now + 200_000)).sent).toBe(0);
    const perAddress = new Set(
      receiver.messages.flatMap((message) =>
        message.envelopeTo.filter((to) => to.startsWith(`t${tag}-`)),
      ),
    );
    expect(perAddress.size).toBe(7);
  });

  it('when the receiving server refuses an address for good, the delivery is marked bounced, the address suppressed and its enrollment stopped', async () => {
    const tag = randomUUID().slice(0, 8);
    const bad = `bounce-${tag}@example.org`;
    const good = `good-${tag}@example.org`;
    const sequence = await activeSequence(
      [bad, good],
      [
        { subject: 'One', html: '<p>One</p>' },
        { delay: { value: 1, unit: 'days' }, subject: 'Two', html: '<p>Two</p>' },
      ],
    );
    const now = Date.now() + 1000;
    const round = await dispatch(now);
    expect(round).toMatchObject({ claimed: 2, sent: 1, failed: 1 });
    const [bounced] = (await deliveries(sequence.sequenceId)).filter((row) => row.email === bad);
    expect(bounced).toMatchObject({ status: 'bounced', attempts: 1 });
    expect(bounced?.error).toContain('550');

    const suppressions = await api<{ items: { email: string; reason: string }[] }>(
      'GET',
      `${sequence.path}/suppressions`,
    );
    expect(suppressions.body.items).toEqual([
      expect.objectContaining({ email: bad, reason: 'bounced' }),
    ]);
    const enrollments = await api<{ items: { status: string; nextSendAt: string | null }[] }>(
      'GET',
      `${sequence.base}/enrollments`,
    );
    expect(enrollments.body.items.map((item) => item.status).sort()).toEqual([
      'active',
      'cancelled',
    ]);

    // The next step goes to the good address only.
    expect((await dispatch(now + 2 * DAY)).sent).toBe(1);
    expect(receivedBy(bad)).toBe(0);
    expect(receivedBy(good)).toBe(2);
    const analytics = await api<{ totals: { sent: number; bounced: number } }>(
      'GET',
      `${sequence.base}/analytics`,
    );
    expect(analytics.body.totals.bounced).toBe(1);
  });

  it('when the receiving server says "try again later", the delivery is retried after its backoff with the same Message-ID', async () => {
    const later = `later-${randomUUID().slice(0, 8)}@example.org`;
    const sequence = await activeSequence([later]);
    const now = Date.now() + 1000;
    expect(await dispatch(now)).toMatchObject({ claimed: 1, sent: 0, failed: 1 });
    const [pending] = await deliveries(sequence.sequenceId);
    expect(pending).toMatchObject({ status: 'claimed', attempts: 1 });
    expect(pending?.error).toContain('451');

    // Not before the backoff (one minute after the first attempt)…
    expect((await dispatch(now + 30_000)).reclaimed).toBe(0);
    expect(receivedBy(later)).toBe(0);
    // …then once, under the Message-ID the first attempt used.
    expect(await dispatch(now + 61_000)).toMatchObject({ reclaimed: 1, sent: 1 });
    const [sent] = await deliveries(sequence.sequenceId);
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, error: null });
    const [arrived] = await receiver.to(later);
    expect(arrived?.messageId).toBe(pending?.message_id);
    expect((await dispatch(now + 10 * 60_000)).sent).toBe(0);
    expect(receivedBy(later)).toBe(1);
  });
});

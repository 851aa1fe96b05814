// A/B tests of sequence steps: 2–4 variants checked like the step; while the test runs each
// delivery is split by its enrollment (a retry keeps its variant); when the wait ends the winner
// is picked by real recorded clicks and every later delivery gets it; a member may pick it by
// hand; the results count what the mail server received.
import { sql } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { assignVariant } from '../../src/modules/sequences/ab-test.ts';
import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { api as request, type Method } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

const MINUTE = 60_000;

interface ErrorBody {
  error: { details: { issues: { path: string }[] } };
}
interface StepBody {
  id: string;
  variants: { key: string; subject: string | null }[] | null;
  abTest: { metric: string; waitMinutes: number } | null;
  winner: string | null;
}
interface Results {
  status: string;
  winner: string | null;
  pickedBy: string | null;
  metric: string | null;
  decideAt: string | null;
  variants: {
    key: string;
    subject: string;
    sent: number;
    delivered: number;
    opens: number;
    uniqueOpens: number;
    clicks: number;
    uniqueClicks: number;
    clickRate: number;
  }[];
}

describe('A/B tests of sequence steps', () => {
  let receiver: SmtpReceiver;
  let ctx: TestApp;
  let owner: TestUser;
  const refusedOnce = new Set<string>();

  beforeAll(async () => {
    receiver = await startSmtpReceiver({
      refuseRecipient(address) {
        if (address.startsWith('later-') && !refusedOnce.has(address)) {
          refusedOnce.add(address);
          return 451;
        }
        return undefined;
      },
    });
    ctx = await buildTestApp({ env: { SMTP_URL: receiver.url, PUBLIC_URL: 'http://herald.test' } });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  const api = <T = unknown>(method: Method, url: string, payload?: object, expected?: number) =>
    request<T>(ctx.app, owner, method, url, payload, expected);
  const dispatch = (at: number) => ctx.runtime.services.sequenceDispatcher.runOnce(new Date(at));
  const get = (url: string) =>
    ctx.app.inject({ method: 'GET', url: url.replace('http://herald.test', '') });

  async function subscribe(path: string, emails: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const email of emails) {
      const created = await api<{ id: string }>('POST', `${path}/subscribers`, { email }, 201);
      ids.push(created.body.id);
    }
    return ids;
  }

  /** The one mail each address received (after any retry), by address. */
  async function mailsOf(emails: string[]): Promise<Map<string, ParsedMail>> {
    const mails = new Map<string, ParsedMail>();
    for (const email of emails) {
      const received = await receiver.to(email);
      expect(received, email).toHaveLength(1);
      const [mail] = received;
      if (mail) mails.set(email, mail);
    }
    return mails;
  }

  const VARIANTS = [
    { subject: 'Fresh bread today' },
    {
      subject: 'Your loaf is waiting, {{ subscriber.email }}',
      markdown: '[Order a loaf](https://bakery.example.com/loaf)',
    },
  ];

  it('checks variants like the step: 2 to 4 of them, Liquid that parses, email steps only', async () => {
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    const sequence = await api<{ id: string }>(
      'POST',
      `${path}/sequences`,
      { name: 'Checks' },
      201,
    );
    const steps = `${path}/sequences/${sequence.body.id}/steps`;
    const step = { subject: 'Hello', html: '<p>Hi</p>' };

    const one = await api<ErrorBody>('POST', steps, { ...step, variants: [{ subject: 'A' }] });
    expect(one.status).toBe(400);
    expect(one.body.error.details.issues.map((issue) => issue.path)).toContain('body.variants');
    const five = await api<ErrorBody>('POST', steps, {
      ...step,
      variants: ['A', 'B', 'C', 'D', 'E'].map((subject) => ({ subject })),
    });
    expect(five.status).toBe(400);
    expect(five.body.error.details.issues.map((issue) => issue.path)).toContain('body.variants');

    const badLiquid = await api<ErrorBody>('POST', steps, {
      ...step,
      variants: [{ subject: 'Fine' }, { subject: 'Broken {{ subscriber.first_name ' }],
    });
    expect(badLiquid.status).toBe(400);
    expect(badLiquid.body.error.details.issues[0]?.path).toBe('body.variants.1.subject');
    const badBody = await api<ErrorBody>('POST', steps, {
      ...step,
      variants: [{ subject: 'Fine' }, { markdown: 'Hi {% if %}' }],
    });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.details.issues[0]?.path).toBe('body.variants.1.markdown');

    const wait = await api<ErrorBody>('POST', steps, {
      kind: 'wait_for_event',
      waitFor: { event: 'Order Completed', limit: { value: 1, unit: 'days' } },
      variants: [{ subject: 'A' }, { subject: 'B' }],
    });
    expect(wait.status).toBe(400);
    expect(wait.body.error.details.issues[0]?.path).toBe('body.variants');

    // Settings without variants mean nothing: refused rather than silently dropped.
    const plain = await api<StepBody>('POST', steps, step, 201);
    expect(plain.body).toMatchObject({ variants: null, abTest: null, winner: null });
    const lonely = await api<ErrorBody>('PATCH', `${steps}/${plain.body.id}`, {
      abTest: { metric: 'clicks' },
    });
    expect(lonely.status).toBe(400);
    expect(lonely.body.error.details.issues[0]?.path).toBe('body.abTest');

    const tested = await api<StepBody>('PATCH', `${steps}/${plain.body.id}`, {
      variants: VARIANTS,
    });
    expect(tested.status).toBe(200);
    expect(tested.body.variants?.map((variant) => [variant.key, variant.subject])).toEqual([
      ['A', 'Fresh bread today'],
      ['B', 'Your loaf is waiting, {{ subscriber.email }}'],
    ]);
    expect(tested.body.abTest).toEqual({ metric: 'opens', waitMinutes: 7 * 24 * 60 });
    const results = await api<Results>('GET', `${steps}/${plain.body.id}/ab`, undefined, 200);
    expect(results.body).toMatchObject({ status: 'waiting', winner: null });
    expect(results.body.variants.map((variant) => [variant.key, variant.sent])).toEqual([
      ['A', 0],
      ['B', 0],
    ]);
  });

  it('splits deliveries by enrollment, keeps a retry on its variant, picks the winner by clicks and sends it to everyone after', async () => {
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    const tag = String(Date.now());
    // 20 addresses: both variants get at least two of them but about once in 25 000 runs.
    const first = Array.from({ length: 19 }, (_, i) => `ab${String(i)}-${tag}@example.org`);
    const later = `later-${tag}@example.org`;
    const testEmails = [...first, later];
    await subscribe(path, testEmails);
    const sequence = await api<{ id: string; steps: StepBody[] }>(
      'POST',
      `${path}/sequences`,
      {
        name: 'Bread',
        steps: [
          {
            subject: 'Bread',
            markdown: '[See the bread](https://bakery.example.com/bread)',
            variants: VARIANTS,
            abTest: { metric: 'clicks', waitMinutes: 60 },
          },
        ],
      },
      201,
    );
    const base = `${path}/sequences/${sequence.body.id}`;
    const stepId = sequence.body.steps[0]?.id ?? '';
    await api('POST', `${base}/enrollments`, { filter: { all: true } }, 200);
    await api('POST', `${base}/activate`, undefined, 200);

    const start = Date.now() + 1000;
    await dispatch(start);
    // The soft-bounced address is retried after its backoff.
    await dispatch(start + 5 * MINUTE);

    const enrollments = await api<{ items: { id: string; email: string }[] }>(
      'GET',
      `${base}/enrollments?limit=100`,
      undefined,
      200,
    );
    const expectedKey = new Map(
      enrollments.body.items.map((row) => [row.email, assignVariant(row.id, stepId, ['A', 'B'])]),
    );
    const subjectOf = (key: string | undefined, email: string) =>
      key === 'A' ? 'Fresh bread today' : `Your loaf is waiting, ${email}`;
    const mails = await mailsOf(testEmails);
    for (const email of testEmails) {
      expect(mails.get(email)?.subject, email).toBe(subjectOf(expectedKey.get(email), email));
    }
    const inB = testEmails.filter((email) => expectedKey.get(email) === 'B');
    const inA = testEmails.filter((email) => expectedKey.get(email) === 'A');
    expect(inA.length).toBeGreaterThan(0);
    expect(inB.length).toBeGreaterThan(0);
    // The refused address got its variant's mail on the retry, with the same Message-ID.
    const [retried] = rowsOf<{ variant: string; attempts: number }>(
      await ctx.runtime.database.db.execute(sql`
        select d.variant, d.attempts from deliveries d join subscribers s on s.id = d.subscriber_id
        where s.email = ${later}`),
    );
    expect(retried).toEqual({ variant: expectedKey.get(later), attempts: 2 });

    // B's own body: one link; two of B's recipients click it (one twice), nobody clicks in A.
    const clickUrl = (email: string) =>
      /href="(http:\/\/herald\.test\/e\/c\/[^"]+)"/.exec(String(mails.get(email)?.html ?? ''))?.[1];
    // A keeps the step's body; B sends its own.
    expect(String(mails.get(inA[0] ?? '')?.html)).toContain('See the bread');
    expect(String(mails.get(inB[0] ?? '')?.html)).toContain('Order a loaf');
    const [b1, b2] = inB;
    for (const email of [b1, b1, b2]) {
      expect((await get(clickUrl(email ?? '') ?? '')).statusCode).toBe(302);
    }
    const pixel = /src="(http:\/\/herald\.test\/e\/o\/[^"]+)"/.exec(
      String(mails.get(inA[0] ?? '')?.html ?? ''),
    )?.[1];
    expect((await get(pixel ?? '')).statusCode).toBe(200);

    const running = await api<Results>('GET', `${base}/steps/${stepId}/ab`, undefined, 200);
    expect(running.body).toMatchObject({ status: 'running', winner: null, metric: 'clicks' });
    expect(running.body.decideAt).toBe(new Date(start + 60 * MINUTE).toISOString());
    expect(running.body.variants).toMatchObject([
      { key: 'A', sent: inA.length, delivered: inA.length, uniqueOpens: 1, opens: 1, clicks: 0 },
      {
        key: 'B',
        sent: inB.length,
        delivered: inB.length,
        clicks: 3,
        uniqueClicks: 2,
      },
    ]);

    // The wait ends: B wins by clicks; everyone enrolled from now on gets B.
    expect((await dispatch(start + 59 * MINUTE)).decided).toBe(0);
    expect((await dispatch(start + 61 * MINUTE)).decided).toBe(1);
    const decided = await api<Results>('GET', `${base}/steps/${stepId}/ab`, undefined, 200);
    expect(decided.body).toMatchObject({ status: 'decided', winner: 'B', pickedBy: 'auto' });

    const newcomers = Array.from({ length: 6 }, (_, i) => `new${String(i)}-${tag}@example.org`);
    const newIds = await subscribe(path, newcomers);
    await api('POST', `${base}/enrollments`, { subscriberIds: newIds }, 200);
    await dispatch(start + 62 * MINUTE);
    const newMails = await mailsOf(newcomers);
    for (const email of newcomers) {
      expect(newMails.get(email)?.subject).toBe(`Your loaf is waiting, ${email}`);
    }
    const after = await api<Results>('GET', `${base}/steps/${stepId}/ab`, undefined, 200);
    const bSent = [...mails.values(), ...newMails.values()].filter((mail) =>
      mail.subject?.startsWith('Your loaf'),
    ).length;
    expect(after.body.variants.map((variant) => [variant.key, variant.sent])).toEqual([
      ['A', inA.length],
      ['B', bSent],
    ]);
    expect(bSent).toBe(inB.length + newcomers.length);
  });

  it('lets an approver pick the winner by hand at any time; later deliveries get it', async () => {
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    const tag = `${String(Date.now())}h`;
    const sequence = await api<{ id: string; steps: StepBody[] }>(
      'POST',
      `${path}/sequences`,
      { name: 'By hand', steps: [{ subject: 'Bread', html: '<p>Bread</p>', variants: VARIANTS }] },
      201,
    );
    const base = `${path}/sequences/${sequence.body.id}`;
    const stepId = sequence.body.steps[0]?.id ?? '';
    const missing = await api<ErrorBody>('POST', `${base}/steps/${stepId}/ab/winner`, {
      variant: 'C',
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.issues[0]?.path).toBe('body.variant');

    const picked = await api<Results>(
      'POST',
      `${base}/steps/${stepId}/ab/winner`,
      { variant: 'A' },
      200,
    );
    expect(picked.body).toMatchObject({ status: 'decided', winner: 'A', pickedBy: 'hand' });
    const emails = Array.from({ length: 5 }, (_, i) => `hand${String(i)}-${tag}@example.org`);
    await subscribe(path, emails);
    await api('POST', `${base}/enrollments`, { filter: { all: true } }, 200);
    await api('POST', `${base}/activate`, undefined, 200);
    await dispatch(Date.now() + 1000);
    for (const mail of (await mailsOf(emails)).values()) {
      expect(mail.subject).toBe('Fresh bread today');
    }
    const results = await api<Results>('GET', `${base}/steps/${stepId}/ab`, undefined, 200);
    expect(results.body.variants.map((variant) => [variant.key, variant.sent])).toEqual([
      ['A', 5],
      ['B', 0],
    ]);
    const step = await api<{ steps: StepBody[] }>('GET', base, undefined, 200);
    expect(step.body.steps[0]?.winner).toBe('A');
  });
});

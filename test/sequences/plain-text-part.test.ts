// The plain-text part of a sequence email (issue #14): made from the HTML unless the marketer
// wrote one, so an HTML edit reaches it — AI drafts included — and it carries the unsubscribe
// link once. Sent through a real SMTP receiver by the dispatcher and by a test send.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Job } from '../../src/modules/jobs/schemas.ts';
import { api as request, finishedJob, type Method } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { rawHeader, type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

interface Step {
  id: string;
  html: string;
  text: string;
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe('the plain-text part of a step', () => {
  let receiver: SmtpReceiver;
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    // The worker runs the AI draft job; each test drives the dispatcher itself.
    ctx = await buildTestApp({
      worker: true,
      env: { SMTP_URL: receiver.url, PUBLIC_URL: 'http://herald.test' },
    });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  const api = <T>(method: Method, url: string, payload?: object, expected?: number) =>
    request<T>(ctx.app, owner, method, url, payload, expected);

  it('after the HTML of an AI-drafted step is edited, the email sent carries the new words in its text part, with one unsubscribe link', async () => {
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    const started = await api<{ job: Job }>(
      'POST',
      `${path}/sequences/generate`,
      { goal: 'Welcome new customers', steps: 1, cadenceDays: 2 },
      202,
    );
    const job = await finishedJob(ctx.app, owner, started.body.job.id);
    expect(job.status).toBe('succeeded');
    const { sequenceId } = job.result as { sequenceId: string };
    const base = `${path}/sequences/${sequenceId}`;
    const draft = await api<{ steps: Step[] }>('GET', base, undefined, 200);
    const [step] = draft.body.steps;
    if (!step) throw new Error('the draft has no step');

    const edited = await api<Step>(
      'PATCH',
      `${base}/steps/${step.id}`,
      { html: '<p>Our new rye is out, {{ subscriber.first_name }}.</p>' },
      200,
    );
    const ann = `ann-${randomUUID()}@example.org`;
    await api('POST', `${path}/subscribers`, { email: ann, firstName: 'Ann' }, 201);
    await api('POST', `${base}/enrollments`, { filter: { all: true } }, 200);
    await api('POST', `${base}/activate`, undefined, 200);
    const round = await ctx.runtime.services.sequenceDispatcher.runOnce(
      new Date(Date.now() + 1000),
    );
    expect(round.sent).toBe(1);

    const [mail] = await receiver.to(ann);
    if (!mail) throw new Error('no email for Ann');
    const text = mail.text ?? '';
    expect(text).toContain('Our new rye is out, Ann.');
    const unsubscribeUrl = (rawHeader(mail, 'List-Unsubscribe') ?? '').slice(1, -1);
    expect(unsubscribeUrl).toMatch(/^http:\/\/herald\.test\/e\/u\//);
    expect(occurrences(text, unsubscribeUrl)).toBe(1);
    expect(text).not.toContain('Unsubscribe:');
    // Because a drafted step's text part is made from its HTML.
    expect(edited.body.text).toBe('');
  });

  it('a text part the marketer wrote is kept through HTML edits; an empty one goes back to the text made from the HTML', async () => {
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    const created = await api<{ id: string; steps: Step[] }>(
      'POST',
      `${path}/sequences`,
      {
        name: 'Tips',
        steps: [{ subject: 'A tip', html: '<p>Old tip</p>', text: 'Written by hand' }],
      },
      201,
    );
    const stepUrl = `${path}/sequences/${created.body.id}/steps/${created.body.steps[0]?.id ?? ''}`;
    const testSend = async () => {
      const before = (await receiver.to(owner.email)).length;
      await api('POST', `${stepUrl}/test`, { to: owner.email }, 200);
      const mails = await receiver.to(owner.email);
      expect(mails).toHaveLength(before + 1);
      return mails.at(-1)?.text ?? '';
    };

    await api('PATCH', stepUrl, { html: '<p>New tip: keep bread in paper</p>' }, 200);
    const written = await testSend();
    expect(written).toContain('Written by hand');
    expect(written).not.toContain('tip');
    // A hand-written text part without {{ unsubscribe_url }} gets the link on a line of its own.
    expect(occurrences(written, 'Unsubscribe: http://herald.test/e/u/')).toBe(1);

    const derived = await api<Step>('PATCH', stepUrl, { text: '' }, 200);
    expect(derived.body.text).toBe('');
    const made = await testSend();
    expect(made).toContain('New tip: keep bread in paper');
    expect(made).not.toContain('Written by hand');
    expect(occurrences(made, 'http://herald.test/e/u/')).toBe(1);
  });
});

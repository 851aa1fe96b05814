// Without an SMTP server: sequence emails land in the local outbox, readable through the API as
// real MIME messages, per business. And the AI sequence draft on the builtin provider: a job
// that saves a draft sequence the marketer edits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Job } from '../../src/modules/jobs/schemas.ts';
import { type Delay, delayMinutes } from '../../src/modules/sequences/schemas.ts';
import { finishedJob, suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';

interface OutboxEntry {
  id: string;
  messageId: string;
  from: string;
  to: string;
  subject: string;
  createdAt: string;
  sizeBytes: number;
}

describe('outbox and AI drafts', () => {
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    // No SMTP_URL: the outbox. The worker runs the AI jobs (its dispatcher loop is idle here:
    // each test drives dispatch rounds itself, at chosen times).
    ctx = await buildTestApp({ worker: true, env: { PUBLIC_URL: 'http://herald.test' } });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const api = suiteApi(() => ({ app: ctx.app, user: owner }));

  it('keeps sent emails in the outbox of their business, newest first, each with its whole MIME source', async () => {
    const business = await newBusiness(ctx.app, owner, {
      defaultSender: { name: 'Blue Bottle', email: 'hello@bakery.example' },
    });
    const path = `/api/v1/businesses/${business.id}`;
    for (const [email, firstName] of [
      ['ann@example.org', 'Ann'],
      ['bob@example.org', 'Bob'],
      ['cy@example.org', 'Cy'],
    ]) {
      await api('POST', `${path}/subscribers`, { email, firstName });
    }
    const sequence = await api<{ id: string }>('POST', `${path}/sequences`, {
      name: 'Welcome',
      steps: [{ subject: 'Hello {{ subscriber.first_name }}', html: '<p>Hi</p>' }],
    });
    const base = `${path}/sequences/${sequence.body.id}`;
    await api('POST', `${base}/enrollments`, { filter: { all: true } });
    await api('POST', `${base}/activate`);
    const round = await ctx.runtime.services.sequenceDispatcher.runOnce(
      new Date(Date.now() + 1000),
    );
    expect(round.sent).toBe(3);

    const page1 = await api<{ enabled: boolean; items: OutboxEntry[]; nextCursor: string | null }>(
      'GET',
      `${path}/outbox?limit=2`,
    );
    expect(page1.status).toBe(200);
    expect(page1.body.enabled).toBe(true);
    expect(page1.body.items).toHaveLength(2);
    const page2 = await api<{ items: OutboxEntry[]; nextCursor: string | null }>(
      'GET',
      `${path}/outbox?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor ?? '')}`,
    );
    const entries = [...page1.body.items, ...page2.body.items];
    expect(entries.map((entry) => entry.subject).sort()).toEqual([
      'Hello Ann',
      'Hello Bob',
      'Hello Cy',
    ]);
    expect(new Set(entries.map((entry) => entry.id)).size).toBe(3);
    const ann = entries.find((entry) => entry.to === 'ann@example.org');
    expect(ann).toMatchObject({ from: '"Blue Bottle" <hello@bakery.example>' });

    const message = await api<{ entry: OutboxEntry; raw: string }>(
      'GET',
      `${path}/outbox/${ann?.id ?? ''}`,
    );
    expect(message.status).toBe(200);
    expect(message.body.raw).toContain(`Message-ID: ${ann?.messageId ?? ''}`);
    expect(message.body.raw).toMatch(/^List-Unsubscribe:\s+<http:\/\/herald\.test\/e\/u\//m);
    expect(message.body.raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(message.body.raw).toContain('Subject: Hello Ann');

    // Another business, another owner, or an id that is not there: 404; a malformed id: 400.
    const other = await newBusiness(ctx.app, owner);
    expect(
      (await api('GET', `/api/v1/businesses/${other.id}/outbox/${ann?.id ?? ''}`)).status,
    ).toBe(404);
    expect(
      (await api<{ items: unknown[] }>('GET', `/api/v1/businesses/${other.id}/outbox`)).body.items,
    ).toEqual([]);
    const stranger = await newUser(ctx.app);
    expect((await api('GET', `${path}/outbox`, undefined, stranger)).status).toBe(404);
    expect((await api('GET', `${path}/outbox/${'0'.repeat(32)}`)).status).toBe(404);
    expect((await api('GET', `${path}/outbox/not-an-id`)).status).toBe(400);
  });

  it('drafts a whole sequence with AI on the builtin provider, saved as a draft with the asked-for steps and cadence', async () => {
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    const started = await api<{ job: Job }>('POST', `${path}/sequences/generate`, {
      goal: 'Welcome new customers and bring them back within two weeks',
      steps: 4,
      cadenceDays: 3,
    });
    expect(started.status).toBe(202);
    expect(started.body.job.kind).toBe('ai.sequence-draft');
    const job = await finishedJob(ctx.app, owner, started.body.job.id);
    expect(job.status).toBe('succeeded');
    const result = job.result as { sequenceId: string; stepCount: number; rationale: string };
    expect(result.stepCount).toBe(4);
    expect(result.rationale).not.toBe('');

    const sequence = await api<{
      status: string;
      name: string;
      steps: { subject: string; html: string; delay: Delay }[];
    }>('GET', `${path}/sequences/${result.sequenceId}`);
    expect(sequence.status).toBe(200);
    expect(sequence.body.status).toBe('draft');
    expect(sequence.body.name).toContain('Welcome new customers');
    expect(sequence.body.steps).toHaveLength(4);
    for (const step of sequence.body.steps) {
      expect(step.subject).not.toBe('');
      expect(step.html).toContain('{{ subscriber.first_name');
    }
    const days = sequence.body.steps.map((step) => delayMinutes(step.delay) / 1440);
    expect(days).toEqual([0, 3, 3, 3]);

    // The draft renders for a real subscriber, as the editor's preview would.
    const subscriber = await api<{ id: string }>('POST', `${path}/subscribers`, {
      email: 'gil@example.org',
      firstName: 'Gil',
    });
    const [first] = sequence.body.steps;
    const preview = await api<{ html: string }>('POST', `${path}/sequences/preview`, {
      subscriberId: subscriber.body.id,
      subject: first?.subject,
      html: first?.html,
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.html).toContain('Hi Gil');
  });
});

// Subscribers through the API: CRUD with normalised unique emails, validation errors that name
// the field and change nothing, the suppression list, and the CSV import job — its per-row
// error report, de-duplication, whole-row writes and progress.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Job } from '../../src/modules/jobs/schemas.ts';
import type { ImportResult, Subscriber } from '../../src/modules/subscribers/schemas.ts';
import { finishedJob, suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestBusiness, type TestUser } from '../helpers/fixtures.ts';

interface ErrorBody {
  error: { code: string; details: { issues: { path: string; message: string }[] } };
}

describe('subscribers', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;
  let base: string;

  beforeAll(async () => {
    ctx = await buildTestApp({ worker: true });
    owner = await newUser(ctx.app);
    business = await newBusiness(ctx.app, owner);
    base = `/api/v1/businesses/${business.id}`;
  });
  afterAll(async () => {
    await ctx.close();
  });

  const api = suiteApi(() => ({ app: ctx.app, user: owner }));

  async function allSubscribers(businessPath = base): Promise<Subscriber[]> {
    const { body } = await api<{ items: Subscriber[] }>(
      'GET',
      `${businessPath}/subscribers?limit=100`,
    );
    return body.items;
  }

  it('creates, reads, searches, updates and deletes a subscriber, with the email normalised and unique per business', async () => {
    const own = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${own.id}/subscribers`;
    const created = await api<Subscriber>('POST', path, {
      email: '  Ann.Martin@Example.COM ',
      firstName: 'Ann',
      attributes: { city: 'Lyon', plan: 'pro' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: 'ann.martin@example.com',
      firstName: 'Ann',
      lastName: null,
      attributes: { city: 'Lyon', plan: 'pro' },
      consentStatus: 'subscribed',
      source: 'api',
    });
    const id = created.body.id;
    expect((await api<Subscriber>('GET', `${path}/${id}`)).body.email).toBe(
      'ann.martin@example.com',
    );

    // The same address in another case is the same subscriber: 409, nothing added.
    const again = await api<ErrorBody>('POST', path, { email: 'ANN.MARTIN@example.com' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    // …but another business may have it.
    expect(
      (await api('POST', `${base}/subscribers`, { email: 'ann.martin@example.com' })).status,
    ).toBe(201);

    await api('POST', path, { email: 'bob@example.com', firstName: 'Bob' });
    const search = await api<{ items: Subscriber[] }>('GET', `${path}?search=martin`);
    expect(search.body.items.map((item) => item.email)).toEqual(['ann.martin@example.com']);

    const updated = await api<Subscriber>('PATCH', `${path}/${id}`, {
      lastName: 'Martin',
      consentStatus: 'unsubscribed',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      firstName: 'Ann',
      lastName: 'Martin',
      consentStatus: 'unsubscribed',
    });
    const filtered = await api<{ items: Subscriber[] }>(
      'GET',
      `${path}?consentStatus=unsubscribed`,
    );
    expect(filtered.body.items.map((item) => item.id)).toEqual([id]);

    expect((await api('DELETE', `${path}/${id}`)).status).toBe(204);
    expect((await api('GET', `${path}/${id}`)).status).toBe(404);
    expect((await api('DELETE', `${path}/${id}`)).status).toBe(404);
  });

  it('answers 400 with the paths of the invalid fields and changes nothing', async () => {
    const own = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${own.id}/subscribers`;
    const created = await api<Subscriber>('POST', path, { email: 'carol@example.com' });

    const invalid = await api<ErrorBody>('POST', path, {
      email: 'not an email',
      consentStatus: 'maybe',
      attributes: { '': 'empty key' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('VALIDATION_ERROR');
    expect(invalid.body.error.details.issues.map((issue) => issue.path).sort()).toEqual(
      expect.arrayContaining(['body.consentStatus', 'body.email']),
    );
    expect((await api<ErrorBody>('POST', path, {})).body.error.details.issues).toEqual([
      expect.objectContaining({ path: 'body.email' }),
    ]);

    const badPatch = await api<ErrorBody>('PATCH', `${path}/${created.body.id}`, {
      email: 'still@not@valid',
      firstName: 'x'.repeat(121),
    });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error.details.issues.map((issue) => issue.path).sort()).toEqual([
      'body.email',
      'body.firstName',
    ]);
    const badParam = await api<ErrorBody>('GET', `${path}/not-a-uuid`);
    expect(badParam.status).toBe(400);
    expect(badParam.body.error.details.issues[0]?.path).toBe('params.subscriberId');

    const after = await allSubscribers(`/api/v1/businesses/${own.id}`);
    expect(after).toEqual([created.body]);
  });

  it("treats another owner's business and subscriber as not found", async () => {
    const stranger = await newUser(ctx.app);
    const created = await api<Subscriber>('POST', `${base}/subscribers`, {
      email: `dana-${randomUUID()}@example.com`,
    });
    const mine = `${base}/subscribers/${created.body.id}`;
    expect((await api('GET', mine, undefined, stranger)).status).toBe(404);
    expect((await api('PATCH', mine, { firstName: 'Eve' }, stranger)).status).toBe(404);
    expect((await api('DELETE', mine, undefined, stranger)).status).toBe(404);
    expect(
      (await api('POST', `${base}/suppressions`, { email: 'x@example.com' }, stranger)).status,
    ).toBe(404);
    expect((await api<Subscriber>('GET', mine)).body.firstName).toBeNull();
  });

  it('keeps a suppression list: normalised, first reason kept, unsubscribes the subscriber, validated', async () => {
    const own = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${own.id}`;
    const subscriber = await api<Subscriber>('POST', `${path}/subscribers`, {
      email: 'fay@example.com',
    });
    const added = await api<{ email: string; reason: string }>('POST', `${path}/suppressions`, {
      email: ' FAY@example.com',
      reason: 'unsubscribed',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ email: 'fay@example.com', reason: 'unsubscribed' });
    expect(
      (await api<Subscriber>('GET', `${path}/subscribers/${subscriber.body.id}`)).body
        .consentStatus,
    ).toBe('unsubscribed');

    // Suppressing again keeps the first reason; a manual entry needs no subscriber.
    const again = await api<{ reason: string }>('POST', `${path}/suppressions`, {
      email: 'fay@example.com',
      reason: 'bounced',
    });
    expect(again.body.reason).toBe('unsubscribed');
    const manual = await api<{ reason: string }>('POST', `${path}/suppressions`, {
      email: 'gus@example.com',
    });
    expect(manual.body.reason).toBe('manual');

    const invalid = await api<ErrorBody>('POST', `${path}/suppressions`, {
      email: 'nope',
      reason: 'annoyed',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.issues.map((issue) => issue.path).sort()).toEqual([
      'body.email',
      'body.reason',
    ]);

    const page1 = await api<{ items: { email: string }[]; nextCursor: string | null }>(
      'GET',
      `${path}/suppressions?limit=1`,
    );
    expect(page1.body.items.map((item) => item.email)).toEqual(['gus@example.com']);
    const page2 = await api<{ items: { email: string }[]; nextCursor: string | null }>(
      'GET',
      `${path}/suppressions?limit=1&cursor=${page1.body.nextCursor ?? ''}`,
    );
    expect(page2.body.items.map((item) => item.email)).toEqual(['fay@example.com']);
    expect(page2.body.nextCursor).toBeNull();
  });

  it('takes an address off the suppression list with a note, only the owner, only when listed', async () => {
    const own = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${own.id}`;
    await api('POST', `${path}/suppressions`, { email: 'ivy@example.com', reason: 'bounced' });

    const noNote = await api<ErrorBody>('POST', `${path}/suppressions/removals`, {
      email: 'ivy@example.com',
    });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.details.issues.map((issue) => issue.path)).toEqual(['body.note']);

    const stranger = await newUser(ctx.app);
    const foreign = await api(
      'POST',
      `${path}/suppressions/removals`,
      {
        email: 'ivy@example.com',
        note: 'Mailbox fixed',
      },
      stranger,
    );
    expect(foreign.status).toBe(404);

    const removed = await api<{ email: string; reason: string; note: string }>(
      'POST',
      `${path}/suppressions/removals`,
      { email: ' IVY@example.com', note: 'Mailbox fixed, she asked by phone' },
    );
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({
      email: 'ivy@example.com',
      reason: 'bounced',
      note: 'Mailbox fixed, she asked by phone',
    });
    const list = await api<{ items: { email: string }[] }>('GET', `${path}/suppressions`);
    expect(list.body.items).toEqual([]);

    const again = await api('POST', `${path}/suppressions/removals`, {
      email: 'ivy@example.com',
      note: 'Mailbox fixed',
    });
    expect(again.status).toBe(404);
  });

  it('imports a CSV as a job: each bad row is reported with its line and reason and written not at all, duplicates are caught, existing subscribers are updated', async () => {
    const own = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${own.id}`;
    await api('POST', `${path}/subscribers`, {
      email: 'existing@example.com',
      firstName: 'Old',
      attributes: { plan: 'free', since: '2024' },
    });
    const csv = [
      'email,first_name,consent_status,plan',
      'ann@example.com,Ann,subscribed,pro',
      'not-an-email,Bob,,free',
      ',NoEmail,,free',
      'ANN@Example.com,Annie,,basic',
      'dave@example.com,Dave,,pro,extra',
      'erin@example.com,Erin,maybe,pro',
      'existing@example.com,Existing,,gold',
      '',
      'hal@example.com,,pending,',
    ].join('\n');
    const started = await api<{ job: Job }>('POST', `${path}/subscribers/import`, { csv });
    expect(started.status).toBe(202);
    expect(started.body.job.kind).toBe('subscribers.import');
    const job = await finishedJob(ctx.app, owner, started.body.job.id);
    expect(job.status).toBe('succeeded');
    expect(job.progress).toBe(100);
    const result = job.result as ImportResult;
    expect(result).toMatchObject({
      rows: 8,
      imported: 2,
      updated: 1,
      skipped: 5,
      errorCount: 5,
    });
    expect(result.errors.map((error) => error.row)).toEqual([3, 4, 5, 6, 7]);
    const reasons = result.errors.map((error) => error.reason);
    expect(reasons[0]).toContain('invalid email');
    expect(reasons[1]).toBe('missing email');
    expect(reasons[2]).toBe('duplicate of row 2');
    expect(reasons[3]).toMatch(/record length|columns/i);
    expect(reasons[4]).toContain('invalid consent_status');

    // Rows written whole, rejected rows not at all.
    const byEmail = new Map(
      (await allSubscribers(path)).map((subscriber) => [subscriber.email, subscriber]),
    );
    expect([...byEmail.keys()].sort()).toEqual([
      'ann@example.com',
      'existing@example.com',
      'hal@example.com',
    ]);
    expect(byEmail.get('ann@example.com')).toMatchObject({
      firstName: 'Ann',
      attributes: { plan: 'pro' },
      consentStatus: 'subscribed',
      source: 'csv',
    });
    expect(byEmail.get('hal@example.com')).toMatchObject({
      firstName: null,
      attributes: {},
      consentStatus: 'pending',
    });
    // An update merges attributes and keeps what the file leaves out.
    expect(byEmail.get('existing@example.com')).toMatchObject({
      firstName: 'Existing',
      attributes: { plan: 'gold', since: '2024' },
    });

    // The same file again adds nobody: every good row is an update.
    const rerun = await api<{ job: Job }>('POST', `${path}/subscribers/import`, { csv });
    const second = (await finishedJob(ctx.app, owner, rerun.body.job.id)).result as ImportResult;
    expect(second).toMatchObject({ imported: 0, updated: 3, errorCount: 5 });
    expect(await allSubscribers(path)).toHaveLength(3);
  });

  it('imports fields holding tabs, backslashes, line breaks, quotes and non-ASCII text exactly as written', async () => {
    const own = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${own.id}`;
    const csv = [
      'email,first_name,last_name,note,city',
      'tab@example.com,"Ann\tMarie",O\\Brien,"line one\nline two\r\nthree","Zoë \\N 🍞"',
      'quote@example.com,"Bob ""the baker""",\\N,"a\\tb, c\\\\d",{x:1}',
    ].join('\n');
    const started = await api<{ job: Job }>('POST', `${path}/subscribers/import`, { csv });
    const result = (await finishedJob(ctx.app, owner, started.body.job.id)).result as ImportResult;
    expect(result).toMatchObject({ rows: 2, imported: 2, errorCount: 0 });
    // The same file again, with a new row first: every row goes through the merge.
    const again = csv.replace('\n', '\nnew@example.com,"Cy\\tril",,"x\ny",\n');
    const rerun = await api<{ job: Job }>('POST', `${path}/subscribers/import`, { csv: again });
    const second = (await finishedJob(ctx.app, owner, rerun.body.job.id)).result as ImportResult;
    expect(second).toMatchObject({ rows: 3, imported: 1, updated: 2, errorCount: 0 });
    const byEmail = new Map(
      (await allSubscribers(path)).map((subscriber) => [subscriber.email, subscriber]),
    );
    expect(byEmail.get('new@example.com')).toMatchObject({
      firstName: 'Cy\\tril',
      attributes: { note: 'x\ny' },
    });
    expect(byEmail.get('tab@example.com')).toMatchObject({
      firstName: 'Ann\tMarie',
      lastName: 'O\\Brien',
      attributes: { note: 'line one\nline two\r\nthree', city: 'Zoë \\N 🍞' },
    });
    expect(byEmail.get('quote@example.com')).toMatchObject({
      firstName: 'Bob "the baker"',
      lastName: '\\N',
      attributes: { note: 'a\\tb, c\\\\d', city: '{x:1}' },
    });
  });

  it('imports a large file in batches, reporting progress as it goes', async () => {
    const own = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${own.id}`;
    const rows = 5000;
    const lines = ['email,first_name,city'];
    for (let i = 0; i < rows; i++)
      lines.push(`reader-${String(i)}@example.org,Reader ${String(i)},Lyon`);
    lines.push('reader-7@example.org,Again,Paris');
    const started = await api<{ job: Job }>('POST', `${path}/subscribers/import`, {
      csv: lines.join('\n'),
    });
    const seen: number[] = [];
    let job = started.body.job;
    while (!['succeeded', 'failed', 'cancelled'].includes(job.status)) {
      seen.push(job.progress);
      await new Promise((resolve) => setTimeout(resolve, 20));
      job = (await api<Job>('GET', `/api/v1/jobs/${job.id}`)).body;
    }
    expect(job.status).toBe('succeeded');
    expect(job.progress).toBe(100);
    // Progress only moves forward while the job runs.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(job.result).toMatchObject({
      rows: rows + 1,
      imported: rows,
      errors: [{ row: rows + 2, reason: 'duplicate of row 9' }],
    });
    const count = await api<{ items: Subscriber[]; nextCursor: string | null }>(
      'GET',
      `${path}/subscribers?limit=100&search=reader-4999@`,
    );
    expect(count.body.items).toHaveLength(1);
  });
});

// The limits of a subscriber hold however it arrives: a CSV import checks each row with the
// API's schema (names up to 120 characters, attributes up to 16 KB, no NUL), refuses a file
// with too many columns before storing it, and keeps the server answering while it runs;
// attributes nested past the depth limit are refused by the API with a 400 naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Job } from '../../src/modules/jobs/schemas.ts';
import type { ImportResult, Subscriber } from '../../src/modules/subscribers/schemas.ts';
import { suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';

interface ErrorBody {
  error: { code: string; details: { issues: { path: string; message: string }[] } };
}

describe('subscriber limits on imports and the API', () => {
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    ctx = await buildTestApp({ worker: true });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const api = suiteApi(() => ({ app: ctx.app, user: owner }));

  async function newPath(): Promise<string> {
    const business = await newBusiness(ctx.app, owner);
    return `/api/v1/businesses/${business.id}`;
  }

  async function subscribersOf(path: string): Promise<Subscriber[]> {
    return (await api<{ items: Subscriber[] }>('GET', `${path}/subscribers?limit=100`)).body.items;
  }

  async function importCsv(path: string, csv: string): Promise<ImportResult> {
    const started = await api<{ job: Job }>('POST', `${path}/subscribers/import`, { csv });
    expect(started.status).toBe(202);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { body: job } = await api<Job>('GET', `/api/v1/jobs/${started.body.job.id}`);
      if (job.status === 'succeeded') return job.result as ImportResult;
      if (job.status === 'failed') throw new Error(`import failed: ${JSON.stringify(job.error)}`);
      if (Date.now() > deadline) throw new Error(`import still ${job.status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('refuses a CSV file of a million columns with a 400 naming the file, and stores nothing', async () => {
    const path = await newPath();
    const columns = Array.from({ length: 1_000_000 }, (_, i) => `c${String(i)}`);
    const csv = `email,${columns.join(',')}\nann@example.com,${columns.map(() => '1').join(',')}\n`;
    const response = await api<ErrorBody>('POST', `${path}/subscribers/import`, { csv });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    const issue = response.body.error.details.issues[0];
    expect(issue?.path).toBe('body.csv');
    expect(issue?.message).toMatch(/more than 100 columns/);
    expect(await subscribersOf(path)).toEqual([]);
    const businessId = path.split('/').at(-1);
    const stored = await ctx.runtime.database.query<{ n: number }>(
      'select count(*)::int as n from subscriber_imports where business_id = $1',
      [businessId],
    );
    expect(stored[0]?.n).toBe(0);
  });

  it('reports a row whose first name is over 120 characters, or 20 MB, as that row’s error while the valid rows import', async () => {
    const path = await newPath();
    const csv = [
      'email,first_name,plan',
      'ann@example.com,Ann,pro',
      `long@example.com,${'x'.repeat(121)},pro`,
      `huge@example.com,${'y'.repeat(20 * 1024 * 1024)},pro`,
      'bob@example.com,Bob,free',
    ].join('\n');
    const result = await importCsv(path, csv);
    expect(result).toMatchObject({ rows: 4, imported: 2, skipped: 2, errorCount: 2 });
    expect(result.errors.map((error) => error.row)).toEqual([3, 4]);
    expect(result.errors[0]?.reason).toMatch(/^first_name: .*120/);
    expect(result.errors[1]?.reason).toMatch(/64 KB/);
    const emails = (await subscribersOf(path)).map((subscriber) => subscriber.email).sort();
    expect(emails).toEqual(['ann@example.com', 'bob@example.com']);
  }, 120_000);

  it('reports a row whose attributes are over 16 KB as that row’s error', async () => {
    const path = await newPath();
    const names = Array.from({ length: 20 }, (_, i) => `note${String(i)}`);
    const csv = [
      `email,${names.join(',')}`,
      `ann@example.com,${names.map(() => 'a').join(',')}`,
      `big@example.com,${names.map(() => 'b'.repeat(1000)).join(',')}`,
    ].join('\n');
    const result = await importCsv(path, csv);
    expect(result).toMatchObject({ rows: 2, imported: 1, errorCount: 1 });
    expect(result.errors).toEqual([
      { row: 3, reason: 'attributes: attributes are limited to 16 KB' },
    ]);
    const [ann] = await subscribersOf(path);
    expect(ann?.email).toBe('ann@example.com');
    expect(Object.keys(ann?.attributes ?? {})).toHaveLength(20);
  });

  it('reports a CSV field containing a NUL character as that row’s error, never a 500', async () => {
    const path = await newPath();
    const csv = [
      'email,first_name,city',
      'ann@example.com,Ann,Lyon',
      'nul@example.com,Nu\u0000l,Lyon',
      'bob@example.com,Bob,Pa\u0000ris',
      'cat@example.com,Cat,Nice',
    ].join('\n');
    const result = await importCsv(path, csv);
    expect(result).toMatchObject({ rows: 4, imported: 2, errorCount: 2 });
    expect(result.errors).toEqual([
      { row: 3, reason: 'first_name: contains a NUL character' },
      { row: 4, reason: 'city: contains a NUL character' },
    ]);
    const emails = (await subscribersOf(path)).map((subscriber) => subscriber.email).sort();
    expect(emails).toEqual(['ann@example.com', 'cat@example.com']);
  });

  it('refuses attributes nested 4,500 levels deep (and 9) with a 400 naming attributes, on create and on update', async () => {
    const path = await newPath();
    const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    for (const levels of [4500, 9]) {
      const created = await api<ErrorBody>(
        'POST',
        `${path}/subscribers`,
        `{"email":"deep@example.com","attributes":${nested(levels)}}`,
      );
      expect(created.status).toBe(400);
      expect(created.body.error.code).toBe('VALIDATION_ERROR');
      // 4,500 levels stop at the server's input guard (32), 9 at the attributes schema (8).
      expect(created.body.error.details.issues[0]?.path).toMatch(/^body\.attributes\b/);
      expect(created.body.error.details.issues[0]?.message).toMatch(/levels/);
    }
    expect(await subscribersOf(path)).toEqual([]);

    const ok = await api<Subscriber>(
      'POST',
      `${path}/subscribers`,
      `{"email":"deep@example.com","attributes":${nested(8)}}`,
    );
    expect(ok.status).toBe(201);
    const updated = await api<ErrorBody>(
      'PATCH',
      `${path}/subscribers/${ok.body.id}`,
      `{"attributes":${nested(4500)}}`,
    );
    expect(updated.status).toBe(400);
    expect(updated.body.error.details.issues[0]?.path).toMatch(/^body\.attributes\b/);
    const [stored] = await subscribersOf(path);
    expect(JSON.stringify(stored?.attributes)).toBe(nested(8));
  });

  it('keeps answering other requests while a 30,000-row import runs', async () => {
    const path = await newPath();
    const rows = 30_000;
    const lines = ['email,first_name,city'];
    for (let i = 0; i < rows; i++)
      lines.push(`reader-${String(i)}@example.org,Reader ${String(i)},Lyon`);
    const started = await api<{ job: Job }>('POST', `${path}/subscribers/import`, {
      csv: lines.join('\n'),
    });
    expect(started.status).toBe(202);
    const jobUrl = `/api/v1/jobs/${started.body.job.id}`;

    // Wait until the job has written part of the file…
    let job = started.body.job;
    while (job.status === 'queued' || (job.status === 'running' && job.progress < 2)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      job = (await api<Job>('GET', jobUrl)).body;
    }
    expect(job.status, 'the import finished before any request was answered during it').toBe(
      'running',
    );
    // …then a read issued now is answered while the import is still running.
    const read = await api<{ items: Subscriber[] }>('GET', `${path}/subscribers?limit=20`);
    expect(read.status).toBe(200);
    expect(read.body.items).toHaveLength(20);
    const after = (await api<Job>('GET', jobUrl)).body;
    expect(after.status).toBe('running');

    while (job.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (await api<Job>('GET', jobUrl)).body;
    }
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ rows, imported: rows, errorCount: 0 });
  }, 120_000);
});

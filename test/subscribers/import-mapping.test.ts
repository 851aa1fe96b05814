// A CSV import with the user's column mapping (`columns`, one entry per column of the header
// row): each column fills the field or attribute it was mapped to whatever its name, skipped
// columns are not read, and a mapping that does not fit the file is refused before anything
// is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Job } from '../../src/modules/jobs/schemas.ts';
import type { ImportResult, Subscriber } from '../../src/modules/subscribers/schemas.ts';
import { finishedJob, suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';

interface ErrorBody {
  error: { code: string; details: { issues: { path: string; message: string }[] } };
}

describe('a CSV import with a column mapping', () => {
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

  it('fills each field and attribute from the column mapped to it and leaves skipped columns out', async () => {
    const path = await newPath();
    const csv = [
      'E-mail,Given name,Family,Plan,Notes,Status',
      'ann@example.com,Ann,Martin,pro,"likes rye, not wheat",Subscribed',
      'bob@example.com,Bob,,free,,pending',
      'nobody,Nora,,free,,',
    ].join('\n');
    const started = await api<{ job: Job }>('POST', `${path}/subscribers/import`, {
      csv,
      columns: ['email', 'firstName', 'lastName', { attribute: 'plan' }, 'skip', 'consentStatus'],
    });
    expect(started.status).toBe(202);
    const job = await finishedJob(ctx.app, owner, started.body.job.id);
    expect(job.status).toBe('succeeded');
    expect(job.result as ImportResult).toMatchObject({
      rows: 3,
      imported: 2,
      errorCount: 1,
      errors: [{ row: 4, reason: 'invalid email "nobody"' }],
    });
    const byEmail = new Map((await subscribersOf(path)).map((s) => [s.email, s]));
    expect(byEmail.get('ann@example.com')).toMatchObject({
      firstName: 'Ann',
      lastName: 'Martin',
      consentStatus: 'subscribed',
      attributes: { plan: 'pro' },
    });
    expect(byEmail.get('bob@example.com')).toMatchObject({
      firstName: 'Bob',
      lastName: null,
      consentStatus: 'pending',
      attributes: { plan: 'free' },
    });
  });

  it('refuses a mapping that does not fit the header row, lacks email or fills a field twice, and stores nothing', async () => {
    const path = await newPath();
    const csv = 'E-mail,Given name,Plan\nann@example.com,Ann,pro\n';
    const cases: [unknown[], string][] = [
      [['email', 'firstName'], 'columns maps 2 columns but the header row has 3'],
      [['skip', 'firstName', { attribute: 'plan' }], 'one column must be mapped to email'],
      [['email', 'email', 'skip'], 'more than one column is mapped to email'],
      [
        ['email', { attribute: 'plan' }, { attribute: 'plan' }],
        'more than one column is mapped to attribute "plan"',
      ],
    ];
    for (const [columns, message] of cases) {
      const refused = await api<ErrorBody>('POST', `${path}/subscribers/import`, {
        csv,
        columns,
      });
      expect(refused.status, message).toBe(400);
      expect(refused.body.error.details.issues).toContainEqual(
        expect.objectContaining({ path: 'body.columns', message }),
      );
    }
    const unknown = await api<ErrorBody>('POST', `${path}/subscribers/import`, {
      csv,
      columns: ['email', 'nickname', 'skip'],
    });
    expect(unknown.status).toBe(400);
    expect(await subscribersOf(path)).toEqual([]);
  });

  it('without a mapping, still reads the columns by their names', async () => {
    const path = await newPath();
    const started = await api<{ job: Job }>('POST', `${path}/subscribers/import`, {
      csv: 'email,first_name,Plan\nann@example.com,Ann,pro\n',
    });
    await finishedJob(ctx.app, owner, started.body.job.id);
    const [ann] = await subscribersOf(path);
    expect(ann).toMatchObject({ firstName: 'Ann', attributes: { Plan: 'pro' } });
  });
});

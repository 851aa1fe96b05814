// Campaign CRUD through the API (happy paths, validation errors with field paths that change
// nothing) and regenerating a strategy: earlier versions are kept, placeholders of entries
// already in progress are neither duplicated nor removed, and a failed job leaves nothing made.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { api, finishedJob } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newCampaign, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type ContentView, type JobView } from './helpers.ts';

interface CampaignView {
  id: string;
  name: string;
  goal: string;
  audience: string | null;
  channels: string[];
  budgetCents: number | null;
  startDate: string | null;
  endDate: string | null;
  status: string;
  strategyVersion: number;
  updatedAt: string;
}

interface ErrorView {
  error: { code: string; details: { issues?: { path: string; message: string }[] } };
}

const pathsOf = (body: ErrorView) => (body.error.details.issues ?? []).map((issue) => issue.path);

describe('campaign CRUD', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let base: string;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    base = `/api/v1/businesses/${(await newBusiness(ctx.app, owner)).id}/campaigns`;
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function campaignCount(): Promise<number> {
    const list = await api<{ items: unknown[] }>(ctx.app, owner, 'GET', `${base}?limit=100`);
    return list.body.items.length;
  }

  it('creates a campaign with defaults, reads it back and lists it with a status filter', async () => {
    const created = await api<CampaignView>(
      ctx.app,
      owner,
      'POST',
      base,
      { name: '  Autumn bakes  ', channels: ['x', 'linkedin', 'x'] },
      201,
    );
    expect(created.body).toMatchObject({
      name: 'Autumn bakes',
      goal: '',
      audience: null,
      channels: ['x', 'linkedin'],
      budgetCents: null,
      startDate: null,
      endDate: null,
      status: 'draft',
      strategyVersion: 0,
    });
    const read = await api<CampaignView>(ctx.app, owner, 'GET', `${base}/${created.body.id}`);
    expect(read.body).toEqual(created.body);

    await newCampaign(ctx.app, owner, base.split('/')[4] ?? '', { status: 'active' });
    const active = await api<{ items: CampaignView[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}?status=active`,
      undefined,
      200,
    );
    expect(active.body.items.length).toBeGreaterThan(0);
    expect(active.body.items.every((item) => item.status === 'active')).toBe(true);
  });

  it('pages through campaigns newest first with a cursor', async () => {
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const made: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      made.push((await newCampaign(ctx.app, owner, businessId, { name })).id);
    }
    const url = `/api/v1/businesses/${businessId}/campaigns`;
    const first = await api<{ items: CampaignView[]; nextCursor: string | null }>(
      ctx.app,
      owner,
      'GET',
      `${url}?limit=2`,
    );
    expect(first.body.items.map((item) => item.name)).toEqual(['three', 'two']);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await api<{ items: CampaignView[]; nextCursor: string | null }>(
      ctx.app,
      owner,
      'GET',
      `${url}?limit=2&cursor=${first.body.nextCursor ?? ''}`,
    );
    expect(second.body.items.map((item) => item.name)).toEqual(['one']);
    expect(second.body.nextCursor).toBeNull();
    const bad = await api<ErrorView>(
      ctx.app,
      owner,
      'GET',
      `${url}?cursor=nonsense`,
      undefined,
      400,
    );
    expect(pathsOf(bad.body)).toEqual(['querystring.cursor']);
  });

  it('refuses a campaign that ends before it starts, naming body.endDate, and makes nothing', async () => {
    const before = await campaignCount();
    const refused = await api<ErrorView>(
      ctx.app,
      owner,
      'POST',
      base,
      { name: 'Backwards', startDate: '2026-05-10', endDate: '2026-05-01' },
      400,
    );
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    expect(pathsOf(refused.body)).toEqual(['body.endDate']);
    expect(await campaignCount()).toBe(before);
  });

  it('answers 400 with a path for every bad field, and makes nothing', async () => {
    const before = await campaignCount();
    const refused = await api<ErrorView>(
      ctx.app,
      owner,
      'POST',
      base,
      {
        name: '   ',
        channels: ['myspace'],
        budgetCents: -5,
        startDate: '2026-02-30x',
        status: 'running',
      },
      400,
    );
    expect(pathsOf(refused.body)).toEqual(
      expect.arrayContaining([
        'body.name',
        'body.channels.0',
        'body.budgetCents',
        'body.startDate',
        'body.status',
      ]),
    );
    const missing = await api<ErrorView>(ctx.app, owner, 'POST', base, {}, 400);
    expect(pathsOf(missing.body)).toContain('body.name');
    const badStatus = await api<ErrorView>(
      ctx.app,
      owner,
      'GET',
      `${base}?status=x`,
      undefined,
      400,
    );
    expect(pathsOf(badStatus.body)).toEqual(['querystring.status']);
    expect(await campaignCount()).toBe(before);
  });

  it('changes some fields with PATCH, and refuses a change that would end before the start', async () => {
    const businessId = base.split('/')[4] ?? '';
    const { id } = await newCampaign(ctx.app, owner, businessId);
    const changed = await api<CampaignView>(
      ctx.app,
      owner,
      'PATCH',
      `${base}/${id}`,
      { status: 'active', budgetCents: 99_00, audience: 'Students' },
      200,
    );
    expect(changed.body).toMatchObject({
      status: 'active',
      budgetCents: 9900,
      audience: 'Students',
      startDate: '2026-03-02',
      endDate: '2026-04-12',
    });

    const refused = await api<ErrorView>(
      ctx.app,
      owner,
      'PATCH',
      `${base}/${id}`,
      { endDate: '2026-03-01', name: 'Renamed' },
      400,
    );
    expect(pathsOf(refused.body)).toEqual(['body.endDate']);
    const empty = await api<ErrorView>(ctx.app, owner, 'PATCH', `${base}/${id}`, {}, 400);
    expect(empty.body.error.code).toBe('VALIDATION_ERROR');
    const unchanged = await api<CampaignView>(ctx.app, owner, 'GET', `${base}/${id}`);
    expect(unchanged.body).toEqual(changed.body);
  });

  it('lets a cleared start date go with any end date', async () => {
    const { id } = await newCampaign(ctx.app, owner, base.split('/')[4] ?? '');
    const changed = await api<CampaignView>(
      ctx.app,
      owner,
      'PATCH',
      `${base}/${id}`,
      { startDate: null, endDate: '2026-01-15' },
      200,
    );
    expect(changed.body).toMatchObject({ startDate: null, endDate: '2026-01-15' });
  });

  it('deletes a campaign with its content; a second delete is 404', async () => {
    const businessId = base.split('/')[4] ?? '';
    const { id } = await newCampaign(ctx.app, owner, businessId);
    const piece = await api<ContentView>(
      ctx.app,
      owner,
      'POST',
      `/api/v1/businesses/${businessId}/contents`,
      { campaignId: id, platform: 'x', body: { text: 'Hello' } },
      201,
    );
    await api(ctx.app, owner, 'DELETE', `${base}/${id}`, undefined, 204);
    await api(ctx.app, owner, 'GET', `${base}/${id}`, undefined, 404);
    await api(ctx.app, owner, 'DELETE', `${base}/${id}`, undefined, 404);
    await api(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/contents/${piece.body.id}`,
      undefined,
      404,
    );
  });

  it('answers 404 for a campaign id that does not exist and 400 for one that is not a uuid', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    await api(ctx.app, owner, 'GET', `${base}/${missing}`, undefined, 404);
    await api(ctx.app, owner, 'PATCH', `${base}/${missing}`, { name: 'x' }, 404);
    await api(ctx.app, owner, 'POST', `${base}/${missing}/strategy`, {}, 404);
    await api(ctx.app, owner, 'GET', `${base}/${missing}/strategies`, undefined, 404);
    const bad = await api<ErrorView>(ctx.app, owner, 'GET', `${base}/not-a-uuid`, undefined, 400);
    expect(pathsOf(bad.body)).toEqual(['params.campaignId']);
  });

  it('refuses strategy notes over 2,000 characters and starts no job', async () => {
    const { id } = await newCampaign(ctx.app, owner, base.split('/')[4] ?? '');
    const refused = await api<ErrorView>(
      ctx.app,
      owner,
      'POST',
      `${base}/${id}/strategy`,
      { notes: 'n'.repeat(2001) },
      400,
    );
    expect(pathsOf(refused.body)).toEqual(['body.notes']);
    const jobs = await api<{ items: unknown[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${base.split('/')[4] ?? ''}/jobs`,
    );
    expect(jobs.body.items).toHaveLength(0);
  });
});

interface Entry {
  date: string;
  platform: string;
  topic: string;
}

const ENTRY_A = { date: '2026-03-02', platform: 'linkedin', topic: 'Why we bake at dawn' };
const ENTRY_B = { date: '2026-03-03', platform: 'instagram', topic: 'The first spring loaf' };
const ENTRY_C = { date: '2026-03-04', platform: 'linkedin', topic: 'Meet the miller' };
const ENTRY_D = { date: '2026-03-05', platform: 'instagram', topic: 'Saturday queue' };

function strategyAnswer(entries: Entry[]): string {
  return JSON.stringify({
    summary: 'Two channels, one message: spring bread is back on Saturdays.',
    objectives: [{ objective: 'Sell out Saturdays', metric: 'orders', target: 120 }],
    audience: { description: 'Parents in Lyon' },
    keyMessages: ['Spring loaves, baked at dawn'],
    channelMix: [
      { channel: 'linkedin', sharePercent: 40, rationale: 'Local businesses order there' },
      { channel: 'instagram', sharePercent: 60, rationale: 'Where our regulars are' },
    ],
    calendar: entries.map((entry) => ({ ...entry, contentType: 'post', callToAction: 'Order' })),
  });
}

describe('regenerating a strategy', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp({ worker: true, env: fakeLlmEnv(fake, { LLM_TIMEOUT_MS: '10000' }) });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
  });

  async function generate(campaignId: string, answer: string): Promise<JobView> {
    fake.otherwise({ content: answer });
    const started = await api<{ job: JobView }>(
      ctx.app,
      owner,
      'POST',
      `/api/v1/businesses/${businessId}/campaigns/${campaignId}/strategy`,
      {},
      202,
    );
    return finishedJob(ctx.app, owner, started.body.job.id);
  }

  async function placeholders(campaignId: string): Promise<ContentView[]> {
    const list = await api<{ items: (ContentView & { strategyVersion: number })[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/contents?campaignId=${campaignId}&limit=200`,
    );
    return list.body.items;
  }

  const keyOf = (piece: { plannedDate: string | null; platform: string; topic: string }) =>
    `${piece.plannedDate ?? ''}|${piece.platform}|${piece.topic}`;

  it('keeps earlier versions and the pieces in progress, and never makes a placeholder twice', async () => {
    const campaign = await newCampaign(ctx.app, owner, businessId, {
      channels: ['linkedin', 'instagram'],
    });
    const first = await generate(campaign.id, strategyAnswer([ENTRY_A, ENTRY_B, ENTRY_C]));
    expect(first.status).toBe('succeeded');
    expect(first.result).toMatchObject({ strategyVersion: 1, placeholdersCreated: 3 });
    const v1 = await placeholders(campaign.id);
    const b = v1.find((piece) => piece.topic === ENTRY_B.topic);
    const c = v1.find((piece) => piece.topic === ENTRY_C.topic);
    if (!b || !c) throw new Error('placeholders missing');

    // B is in progress: someone wrote its caption.
    await api(
      ctx.app,
      owner,
      'PATCH',
      `/api/v1/businesses/${businessId}/contents/${b.id}`,
      { body: { caption: 'The first spring loaf is out of the oven.' } },
      200,
    );

    // The new calendar drops A, keeps B and C, adds D.
    const second = await generate(campaign.id, strategyAnswer([ENTRY_B, ENTRY_C, ENTRY_D]));
    expect(second.status).toBe('succeeded');
    expect(second.result).toMatchObject({
      strategyVersion: 2,
      placeholdersCreated: 1,
      placeholdersRemoved: 1,
    });
    const v2 = await placeholders(campaign.id);
    expect(v2.map(keyOf).sort()).toEqual(
      [ENTRY_B, ENTRY_C, ENTRY_D].map((e) => `${e.date}|${e.platform}|${e.topic}`).sort(),
    );
    const b2 = v2.find((piece) => piece.id === b.id);
    expect(b2?.body).toMatchObject({ caption: 'The first spring loaf is out of the oven.' });
    expect(b2?.currentVersion).toBe(1);
    expect(v2.find((piece) => piece.topic === ENTRY_C.topic)?.id).toBe(c.id);

    // A calendar without B: B is in progress, so it stays; untouched C and D go.
    const third = await generate(campaign.id, strategyAnswer([ENTRY_A]));
    expect(third.result).toMatchObject({
      strategyVersion: 3,
      placeholdersCreated: 1,
      placeholdersRemoved: 2,
    });
    const v3 = await placeholders(campaign.id);
    expect(v3.map((piece) => piece.topic).sort()).toEqual([ENTRY_A.topic, ENTRY_B.topic].sort());

    const versions = await api<{ items: { version: number; strategy: { calendar: Entry[] } }[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/campaigns/${campaign.id}/strategies`,
      undefined,
      200,
    );
    expect(versions.body.items.map((item) => item.version)).toEqual([3, 2, 1]);
    expect(versions.body.items[2]?.strategy.calendar.map((entry) => entry.topic)).toEqual([
      ENTRY_A.topic,
      ENTRY_B.topic,
      ENTRY_C.topic,
    ]);
    const view = await api<CampaignView>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/campaigns/${campaign.id}`,
    );
    expect(view.body.strategyVersion).toBe(3);
  });

  it('regenerating the same calendar adds no placeholder', async () => {
    const campaign = await newCampaign(ctx.app, owner, businessId, {
      channels: ['linkedin', 'instagram'],
    });
    const answer = strategyAnswer([ENTRY_A, ENTRY_B]);
    await generate(campaign.id, answer);
    const again = await generate(campaign.id, answer);
    expect(again.result).toMatchObject({
      strategyVersion: 2,
      placeholdersCreated: 0,
      placeholdersRemoved: 0,
    });
    expect(await placeholders(campaign.id)).toHaveLength(2);
  });

  it('a strategy that never fits the campaign fails and leaves the versions and placeholders as they were', async () => {
    const campaign = await newCampaign(ctx.app, owner, businessId, {
      channels: ['linkedin', 'instagram'],
    });
    await generate(campaign.id, strategyAnswer([ENTRY_A]));
    const before = await placeholders(campaign.id);
    // Out of the campaign's dates and channels on every try.
    const failed = await generate(
      campaign.id,
      strategyAnswer([{ date: '2027-01-01', platform: 'x', topic: 'Out of range' }]),
    );
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('AI_OUTPUT_INVALID');
    // The retries told the model what was wrong.
    const prompts = fake.requests.map((r) => r.body.messages.map((m) => m.content).join('\n'));
    expect(prompts.some((p) => p.includes("must be one of the campaign's channels"))).toBe(true);
    expect(await placeholders(campaign.id)).toEqual(before);
    const versions = await api<{ items: { version: number }[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/campaigns/${campaign.id}/strategies`,
    );
    expect(versions.body.items.map((item) => item.version)).toEqual([1]);
  });
});

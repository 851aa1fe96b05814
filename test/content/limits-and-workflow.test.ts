// Platform limits and the review workflow: an answer over a limit is retried with the violation
// fed back, then fails with AI_OUTPUT_INVALID leaving the piece unchanged; an invalid
// transition answers 409 and changes nothing; an edit after approval goes back to draft.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { bodySchemaOf } from '../../src/modules/content/platforms.ts';
import { type ContentView, type JobView } from '../campaigns/helpers.ts';
import { api, finishedJob } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newContent, newUser, type TestUser } from '../helpers/fixtures.ts';

const tooLong = JSON.stringify({ text: 'x'.repeat(300) });
const fits = JSON.stringify({ text: 'Fresh loaves on Saturday.' });

describe('platform limits', () => {
  it('hold every platform to its limits', () => {
    expect(bodySchemaOf('x').safeParse({ text: 'a'.repeat(281) }).success).toBe(false);
    expect(bodySchemaOf('x').safeParse({ text: 'a'.repeat(280) }).success).toBe(true);
    expect(bodySchemaOf('linkedin').safeParse({ text: 'a'.repeat(3001) }).success).toBe(false);
    const tags = Array.from({ length: 31 }, (_, i) => `#tag${i}`).join(' ');
    expect(bodySchemaOf('instagram').safeParse({ caption: tags }).success).toBe(false);
    expect(bodySchemaOf('instagram').safeParse({ caption: 'a'.repeat(2201) }).success).toBe(false);
    const ad = { headlines: ['a'.repeat(31), 'b', 'c'], descriptions: ['d', 'e'] };
    expect(bodySchemaOf('search_ads').safeParse(ad).success).toBe(false);
    const desc = { headlines: ['a', 'b', 'c'], descriptions: ['d'.repeat(91), 'e'] };
    expect(bodySchemaOf('search_ads').safeParse(desc).success).toBe(false);
    expect(bodySchemaOf('email').safeParse({ subject: 's', preheader: 'p' }).success).toBe(false);
    const blog = { title: 't', outline: ['a'], draft: 'd' };
    expect(bodySchemaOf('blog').safeParse(blog).success).toBe(false);
  });
});

describe('generation against a model that writes too much', () => {
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

  async function generate(): Promise<{ job: JobView; contentId: string }> {
    const piece = await newContent(ctx.app, owner, businessId, { body: null });
    const started = await api<{ job: JobView }>(
      ctx.app,
      owner,
      'POST',
      `/api/v1/businesses/${businessId}/contents/${piece.id}/generate`,
      {},
      202,
    );
    return { job: await finishedJob(ctx.app, owner, started.body.job.id), contentId: piece.id };
  }

  it('retries an over-limit post with the violation fed back, and saves the one that fits', async () => {
    fake.script({ content: tooLong }, { content: fits });
    const { job, contentId } = await generate();
    expect(job.status).toBe('succeeded');
    expect(fake.requests).toHaveLength(2);
    const retry = fake.requests[1]?.body.messages.map((m) => m.content).join('\n') ?? '';
    expect(retry).toContain('at most 280 characters; this one has 300');
    const piece = await api<ContentView>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/contents/${contentId}`,
    );
    expect(piece.body.body).toEqual({ text: 'Fresh loaves on Saturday.' });
    expect(piece.body.currentVersion).toBe(1);
  });

  it('fails with AI_OUTPUT_INVALID when it never fits, and never truncates or saves', async () => {
    fake.otherwise({ content: tooLong });
    const { job, contentId } = await generate();
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('AI_OUTPUT_INVALID');
    expect(fake.requests).toHaveLength(3); // the first try and LLM_MAX_RETRIES=2
    const piece = await api<ContentView>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/contents/${contentId}`,
    );
    expect(piece.body.body).toBeNull();
    expect(piece.body.currentVersion).toBe(0);
  });
});

describe('the review workflow', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  let base: string;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    base = `/api/v1/businesses/${businessId}/contents`;
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function approved(): Promise<string> {
    const piece = await newContent(ctx.app, owner, businessId);
    await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'in_review' }, 200);
    await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'approved' }, 200);
    return piece.id;
  }

  it('answers 409 to an invalid transition and changes nothing', async () => {
    const piece = await newContent(ctx.app, owner, businessId);
    const approve = await api<{ error: { code: string } }>(
      ctx.app,
      owner,
      'POST',
      `${base}/${piece.id}/status`,
      { status: 'approved' },
      409,
    );
    expect(approve.body.error.code).toBe('CONFLICT');
    await api(
      ctx.app,
      owner,
      'POST',
      `${base}/${piece.id}/schedule`,
      { publishAt: '2030-01-01T09:00' },
      409,
    );
    const after = await api<ContentView>(ctx.app, owner, 'GET', `${base}/${piece.id}`);
    expect(after.body.status).toBe('draft');
    expect(after.body.publishAt).toBeNull();
  });

  it('sends an approved piece back to draft when it is edited, as a new version', async () => {
    const id = await approved();
    const edited = await api<ContentView>(
      ctx.app,
      owner,
      'PATCH',
      `${base}/${id}`,
      { body: { text: 'A better line.' } },
      200,
    );
    expect(edited.body.status).toBe('draft');
    expect(edited.body.currentVersion).toBe(2);
    await api(ctx.app, owner, 'PATCH', `${base}/${id}`, { body: { text: 'y'.repeat(281) } }, 400);
    const restored = await api<ContentView>(
      ctx.app,
      owner,
      'POST',
      `${base}/${id}/restore`,
      { version: 1 },
      200,
    );
    expect(restored.body.currentVersion).toBe(3);
    expect(restored.body.body).toEqual({ text: 'Spring loaves are here. Come by this weekend.' });
    const versions = await api<{ items: { version: number; source: string }[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}/${id}/versions`,
    );
    expect(versions.body.items.map((v) => `${v.version}:${v.source}`)).toEqual([
      '3:restore',
      '2:edit',
      '1:edit',
    ]);
  });

  it("reads a publish time without an offset in the business's time zone", async () => {
    const id = await approved();
    const scheduled = await api<ContentView>(
      ctx.app,
      owner,
      'POST',
      `${base}/${id}/schedule`,
      { publishAt: '2030-07-01T09:30' },
      200,
    );
    // The fixture business is in Europe/Paris: 09:30 there in July is 07:30 UTC.
    expect(scheduled.body.publishAt).toBe('2030-07-01T07:30:00.000Z');
    const edited = await api<ContentView>(ctx.app, owner, 'PATCH', `${base}/${id}`, {
      topic: 'changed',
    });
    expect(edited.body.status).toBe('draft');
    expect(edited.body.publishAt).toBeNull();
  });
});

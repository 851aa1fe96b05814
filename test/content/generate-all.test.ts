// "Write all drafts": one job writes every placeholder of a campaign that has no text yet, one
// after the other, reporting "n of N pieces"; a piece the model cannot write is recorded in the
// result and the others are still written; a piece with text is left alone; while the job runs,
// asking again hands back the same job.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { type ContentView, type JobView } from '../campaigns/helpers.ts';
import { api, finishedJob } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import {
  newBusiness,
  newCampaign,
  newContent,
  newUser,
  type TestUser,
} from '../helpers/fixtures.ts';

const fits = JSON.stringify({ text: 'Fresh loaves on Saturday.' });
const tooLong = JSON.stringify({ text: 'x'.repeat(300) });

interface WriteAllResult {
  campaignId: string;
  total: number;
  written: string[];
  skipped: string[];
  failed: { contentId: string; code: string; message: string }[];
}

describe('writing all drafts of a campaign', () => {
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

  const writeAll = (campaignId: string, expected = 202) =>
    api<{ job: JobView & { progressMessage: string | null } }>(
      ctx.app,
      owner,
      'POST',
      `/api/v1/businesses/${businessId}/campaigns/${campaignId}/contents/generate-all`,
      {},
      expected,
    );
  const piece = async (id: string) =>
    (
      await api<ContentView>(
        ctx.app,
        owner,
        'GET',
        `/api/v1/businesses/${businessId}/contents/${id}`,
      )
    ).body;

  it('writes every empty placeholder, records the one that fails and leaves written ones alone', async () => {
    const campaign = await newCampaign(ctx.app, owner, businessId);
    const placeholder = (topic: string, plannedDate: string) =>
      newContent(ctx.app, owner, businessId, {
        campaignId: campaign.id,
        topic,
        plannedDate,
        body: null,
      });
    const first = await placeholder('Spring loaves', '2026-03-02');
    const broken = await placeholder('Unwritable piece', '2026-03-03');
    const third = await placeholder('Easter buns', '2026-03-04');
    const written = await newContent(ctx.app, owner, businessId, {
      campaignId: campaign.id,
      topic: 'Already written',
    });
    const elsewhere = await newContent(ctx.app, owner, businessId, { body: null });
    // The model never fits the broken piece into a post; every other piece fits at once.
    fake.otherwise((request) =>
      request.messages.some((message) => message.content.includes('Unwritable piece'))
        ? { content: tooLong }
        : { content: fits },
    );

    const started = await writeAll(campaign.id);
    const job = await finishedJob(ctx.app, owner, started.body.job.id);

    expect(job.status).toBe('succeeded');
    expect(job.progress).toBe(100);
    expect(job.progressMessage).toBe('3 of 3 pieces');
    const result = job.result as unknown as WriteAllResult;
    expect(result).toMatchObject({ campaignId: campaign.id, total: 3, skipped: [] });
    expect(result.written).toEqual([first.id, third.id]);
    expect(result.failed).toEqual([
      expect.objectContaining({ contentId: broken.id, code: 'AI_OUTPUT_INVALID' }),
    ]);
    expect((await piece(first.id)).body).toEqual({ text: 'Fresh loaves on Saturday.' });
    expect((await piece(third.id)).body).toEqual({ text: 'Fresh loaves on Saturday.' });
    expect((await piece(broken.id)).body).toBeNull();
    expect((await piece(written.id)).currentVersion).toBe(1);
    expect((await piece(elsewhere.id)).body).toBeNull();
  });

  it('hands back the running job instead of starting a second one for the campaign', async () => {
    const campaign = await newCampaign(ctx.app, owner, businessId);
    await newContent(ctx.app, owner, businessId, { campaignId: campaign.id, body: null });
    fake.script({ content: fits, delayMs: 1500 });
    fake.otherwise({ content: fits });

    const first = await writeAll(campaign.id);
    const again = await writeAll(campaign.id);
    expect(again.body.job.id).toBe(first.body.job.id);

    expect((await finishedJob(ctx.app, owner, first.body.job.id)).status).toBe('succeeded');
    const next = await writeAll(campaign.id);
    expect(next.body.job.id).not.toBe(first.body.job.id);
    const nothingLeft = await finishedJob(ctx.app, owner, next.body.job.id);
    expect(nothingLeft.result).toMatchObject({ total: 0, written: [], failed: [] });
  });

  it("answers 404 for another business's campaign", async () => {
    const stranger = await newUser(ctx.app);
    const theirs = await newBusiness(ctx.app, stranger);
    const campaign = await newCampaign(ctx.app, stranger, theirs.id);
    await writeAll(campaign.id, 404);
  });
});

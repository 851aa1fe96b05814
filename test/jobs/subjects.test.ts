// The jobs list names what each job works on, so the jobs page can link to it: a strategy or an
// insight summary names its campaign, a generation its piece, a sequence draft the sequence it
// became; a deleted subject keeps its id with no name, another business's is never named, and a
// job about the whole business (a brand voice) has none. Jobs are written straight to the table
// here: what is tested is the naming, not the running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createJobRepository } from '../../src/modules/jobs/repository.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newBusiness,
  newCampaign,
  newContent,
  newSequence,
  newUser,
  type TestUser,
} from '../helpers/fixtures.ts';

interface JobView {
  id: string;
  kind: string;
  subject?: { type: string; id: string; name: string | null } | null;
}

describe('what each job works on, on the jobs list', () => {
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('names the campaign, piece or sequence of each job, in one list', async () => {
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const campaign = await newCampaign(ctx.app, owner, businessId, { name: 'Spring launch' });
    const piece = await newContent(ctx.app, owner, businessId, { topic: 'Hot cross buns' });
    const gone = await newContent(ctx.app, owner, businessId, { topic: 'Deleted soon' });
    const sequence = await newSequence(ctx.app, owner, businessId);
    const stranger = await newUser(ctx.app);
    const theirs = await newCampaign(ctx.app, stranger, (await newBusiness(ctx.app, stranger)).id, {
      name: 'Not yours',
    });

    const jobs = createJobRepository(ctx.runtime.database.db);
    const job = async (kind: string, input: Record<string, unknown>, result?: object) => {
      const row = await jobs.insert({ businessId, userId: owner.id, kind, input });
      if (result) {
        await jobs.claim(row.id);
        await jobs.succeed(row.id, 1, result as Record<string, unknown>);
      }
      return row.id;
    };
    const ids = {
      strategy: await job('ai.campaign-strategy', { campaignId: campaign.id }),
      insights: await job('ai.campaign-insights', { campaignId: campaign.id }),
      piece: await job('ai.content-piece', { contentId: piece.id }),
      gone: await job('ai.content-piece', { contentId: gone.id }),
      draft: await job(
        'ai.sequence-draft',
        { goal: 'Welcome new customers', steps: 2, cadenceDays: 2 },
        { sequenceId: sequence.id },
      ),
      pending: await job('ai.sequence-draft', {
        goal: 'Bring them back',
        steps: 2,
        cadenceDays: 2,
      }),
      brandVoice: await job('ai.brand-voice', {}),
      foreign: await job('ai.campaign-strategy', { campaignId: theirs.id }),
    };
    await api(ctx.app, owner, 'DELETE', `/api/v1/businesses/${businessId}/contents/${gone.id}`);

    const list = await api<{ items: JobView[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/jobs`,
      undefined,
      200,
    );
    const subjectOf = (id: string) => list.body.items.find((item) => item.id === id)?.subject;
    expect(subjectOf(ids.strategy)).toEqual({
      type: 'campaign',
      id: campaign.id,
      name: 'Spring launch',
    });
    expect(subjectOf(ids.insights)).toEqual({
      type: 'campaign',
      id: campaign.id,
      name: 'Spring launch',
    });
    expect(subjectOf(ids.piece)).toEqual({ type: 'content', id: piece.id, name: 'Hot cross buns' });
    expect(subjectOf(ids.gone)).toEqual({ type: 'content', id: gone.id, name: null });
    expect(subjectOf(ids.draft)).toMatchObject({ type: 'sequence', id: sequence.id });
    expect(subjectOf(ids.draft)?.name).toEqual(expect.any(String));
    expect(subjectOf(ids.pending)).toBeNull();
    expect(subjectOf(ids.brandVoice)).toBeNull();
    // Another business's campaign id in the input is never named.
    expect(subjectOf(ids.foreign)).toEqual({ type: 'campaign', id: theirs.id, name: null });
  });
});

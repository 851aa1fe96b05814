// A campaign's status follows its pieces where it must and its progress is counted from them:
// a draft campaign becomes active when one of its pieces is scheduled (a paused one stays
// paused), and every campaign answered — list, one, update — carries how many of its pieces are
// written, in review, approved, scheduled, published and failed, the same numbers the content
// list gives by status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newBusiness,
  newCampaign,
  newContent,
  newUser,
  type TestUser,
} from '../helpers/fixtures.ts';
import { dueNow, untilStatus } from './helpers.ts';

interface Progress {
  total: number;
  written: number;
  inReview: number;
  approved: number;
  scheduled: number;
  published: number;
  failed: number;
}
interface CampaignView {
  id: string;
  status: string;
  progress: Progress;
}

const LATER = '2030-06-01T09:00:00Z';

describe('campaign status and progress', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  let base: string;

  beforeAll(async () => {
    ctx = await buildTestApp({ worker: true });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    base = `/api/v1/businesses/${businessId}`;
  });
  afterAll(async () => {
    await ctx.close();
  });

  const status = (contentId: string, to: string) =>
    api(ctx.app, owner, 'POST', `${base}/contents/${contentId}/status`, { status: to }, 200);
  const approved = async (campaignId: string) => {
    const piece = await newContent(ctx.app, owner, businessId, { campaignId });
    await status(piece.id, 'in_review');
    await status(piece.id, 'approved');
    return piece;
  };
  const schedule = (contentId: string, publishAt: string) =>
    api(ctx.app, owner, 'POST', `${base}/contents/${contentId}/schedule`, { publishAt }, 200);

  it('a new campaign is a draft with no pieces', async () => {
    const created = await api<CampaignView>(
      ctx.app,
      owner,
      'POST',
      `${base}/campaigns`,
      { name: 'Empty' },
      201,
    );
    expect(created.body.status).toBe('draft');
    expect(created.body.progress).toEqual({
      total: 0,
      written: 0,
      inReview: 0,
      approved: 0,
      scheduled: 0,
      published: 0,
      failed: 0,
    });
  });

  it('counts every stage of the pieces, matching the content list, and turns active when a piece is scheduled', async () => {
    const campaign = await newCampaign(ctx.app, owner, businessId, { name: 'Spring' });
    const other = await newCampaign(ctx.app, owner, businessId, { name: 'Quiet' });
    // A placeholder (no text), a written draft, one in review, one approved, one scheduled, one
    // published, one archived; and a piece of the other campaign.
    await newContent(ctx.app, owner, businessId, { campaignId: campaign.id, body: null });
    await newContent(ctx.app, owner, businessId, { campaignId: campaign.id });
    const inReview = await newContent(ctx.app, owner, businessId, { campaignId: campaign.id });
    await status(inReview.id, 'in_review');
    await approved(campaign.id);

    // Still a draft until something is scheduled.
    const before = await api<CampaignView>(
      ctx.app,
      owner,
      'GET',
      `${base}/campaigns/${campaign.id}`,
    );
    expect(before.body.status).toBe('draft');

    await schedule((await approved(campaign.id)).id, LATER);
    const published = await approved(campaign.id);
    await schedule(published.id, dueNow());
    await untilStatus(ctx.app, owner, businessId, published.id, ['published']);
    const archived = await newContent(ctx.app, owner, businessId, { campaignId: campaign.id });
    await status(archived.id, 'archived');
    await newContent(ctx.app, owner, businessId, { campaignId: other.id, body: null });

    const expected: Progress = {
      total: 6,
      written: 5,
      inReview: 1,
      approved: 1,
      scheduled: 1,
      published: 1,
      failed: 0,
    };
    const list = await api<{ items: CampaignView[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}/campaigns`,
      undefined,
      200,
    );
    const listed = list.body.items.find((item) => item.id === campaign.id);
    expect(listed?.progress).toEqual(expected);
    expect(listed?.status).toBe('active');
    expect(list.body.items.find((item) => item.id === other.id)?.progress).toMatchObject({
      total: 1,
      written: 0,
    });
    const one = await api<CampaignView>(ctx.app, owner, 'GET', `${base}/campaigns/${campaign.id}`);
    expect(one.body.progress).toEqual(expected);

    // The same numbers the content list gives for each status.
    for (const [key, contentStatus] of [
      ['inReview', 'in_review'],
      ['approved', 'approved'],
      ['scheduled', 'scheduled'],
      ['published', 'published'],
    ] as const) {
      const pieces = await api<{ items: unknown[] }>(
        ctx.app,
        owner,
        'GET',
        `${base}/contents?campaignId=${campaign.id}&status=${contentStatus}`,
      );
      expect(pieces.body.items.length, contentStatus).toBe(expected[key]);
    }

    // An update answers with the progress too.
    const renamed = await api<CampaignView>(
      ctx.app,
      owner,
      'PATCH',
      `${base}/campaigns/${campaign.id}`,
      { name: 'Spring launch' },
      200,
    );
    expect(renamed.body.progress).toEqual(expected);
  });

  it('leaves a status the marketer set other than draft as it is', async () => {
    const campaign = await newCampaign(ctx.app, owner, businessId, { status: 'paused' });
    await schedule((await approved(campaign.id)).id, LATER);
    const after = await api<CampaignView>(
      ctx.app,
      owner,
      'GET',
      `${base}/campaigns/${campaign.id}`,
    );
    expect(after.body.status).toBe('paused');
    expect(after.body.progress.scheduled).toBe(1);
  });
});

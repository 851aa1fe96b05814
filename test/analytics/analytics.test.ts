// Analytics through the API: per-content figures in (validated; the same day and source again
// replaces, never doubles), campaign rollups with CTR, conversion rate, cost per conversion and
// ROAS computed from known figures, the business overview, and the AI insight job on builtin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { dueNow, type JobView, untilStatus } from '../campaigns/helpers.ts';
import { api, finishedJob } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newBusiness,
  newCampaign,
  newContent,
  newUser,
  type TestUser,
} from '../helpers/fixtures.ts';

interface Totals {
  impressions: number;
  clicks: number;
  reactions: number;
  shares: number;
  conversions: number;
  spendCents: number;
  revenueCents: number;
  ctr: number | null;
  conversionRate: number | null;
  costPerConversionCents: number | null;
  roas: number | null;
}

interface CampaignAnalytics {
  campaignId: string;
  totals: Totals;
  byPlatform: (Totals & { platform: string })[];
  byDay: (Totals & { day: string })[];
  byContent: (Totals & { contentId: string; platform: string; topic: string })[];
  contentByStatus: Record<string, number>;
}

interface Overview {
  totals: Totals;
  campaigns: (Totals & { campaignId: string; name: string; status: string })[];
  contentByStatus: Record<string, number>;
  publishedLast30Days: number;
}

interface ErrorView {
  error: { code: string; details: { issues?: { path: string; message: string }[] } };
}

const pathsOf = (body: ErrorView) => (body.error.details.issues ?? []).map((issue) => issue.path);

const ZERO = {
  impressions: 0,
  clicks: 0,
  reactions: 0,
  shares: 0,
  conversions: 0,
  spendCents: 0,
  revenueCents: 0,
};
const NO_RATIOS = { ctr: null, conversionRate: null, costPerConversionCents: null, roas: null };

describe('analytics', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  let b: string;
  let campaignId: string;
  let quietCampaignId: string;
  let linkedin: string;
  let instagram: string;
  let loose: string;

  const put = (contentId: string, figures: Record<string, unknown>, expected = 200) =>
    api<Record<string, unknown>>(
      ctx.app,
      owner,
      'PUT',
      `${b}/contents/${contentId}/metrics`,
      figures,
      expected,
    );

  beforeAll(async () => {
    ctx = await buildTestApp({ worker: true });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    b = `/api/v1/businesses/${businessId}`;
    quietCampaignId = (await newCampaign(ctx.app, owner, businessId, { name: 'Quiet' })).id;
    campaignId = (await newCampaign(ctx.app, owner, businessId, { name: 'Spring' })).id;
    linkedin = (
      await newContent(ctx.app, owner, businessId, {
        campaignId,
        platform: 'linkedin',
        topic: 'Dawn bakes',
        body: { text: 'We bake at dawn.' },
      })
    ).id;
    instagram = (
      await newContent(ctx.app, owner, businessId, {
        campaignId,
        platform: 'instagram',
        topic: 'First loaf',
        body: { caption: 'The first loaf. #bread' },
      })
    ).id;
    loose = (await newContent(ctx.app, owner, businessId, { body: { text: 'No campaign.' } })).id;

    await put(linkedin, {
      day: '2026-03-02',
      impressions: 10_000,
      clicks: 300,
      reactions: 120,
      shares: 15,
      conversions: 12,
      spendCents: 30_000,
      revenueCents: 96_000,
    });
    // Sent twice: the second report of the same day and source replaces the first.
    await put(linkedin, { day: '2026-03-03', impressions: 4_000, clicks: 90, conversions: 2 });
    await put(linkedin, {
      day: '2026-03-03',
      impressions: 5_000,
      clicks: 100,
      conversions: 3,
      spendCents: 10_000,
      revenueCents: 24_000,
    });
    await put(instagram, {
      day: '2026-03-02',
      source: 'meta-ads',
      impressions: 20_000,
      clicks: 200,
      conversions: 5,
      spendCents: 20_000,
      revenueCents: 30_000,
    });
    await put(loose, {
      day: '2026-03-02',
      impressions: 1_000,
      clicks: 50,
      conversions: 1,
      revenueCents: 5_000,
    });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it("records a piece's figures per day and source, and adds them up", async () => {
    const metrics = await api<{ items: Record<string, unknown>[]; totals: Totals }>(
      ctx.app,
      owner,
      'GET',
      `${b}/contents/${linkedin}/metrics`,
      undefined,
      200,
    );
    expect(metrics.body.items.map((item) => [item.day, item.source, item.impressions])).toEqual([
      ['2026-03-03', 'manual', 5_000],
      ['2026-03-02', 'manual', 10_000],
    ]);
    expect(metrics.body.items[0]).toMatchObject({ contentId: linkedin, campaignId });
    expect(metrics.body.totals).toEqual({
      impressions: 15_000,
      clicks: 400,
      reactions: 120,
      shares: 15,
      conversions: 15,
      spendCents: 40_000,
      revenueCents: 120_000,
      ctr: 0.0267,
      conversionRate: 0.0375,
      costPerConversionCents: 2667,
      roas: 3,
    });
    const none = await api<{ items: unknown[]; totals: Totals }>(
      ctx.app,
      owner,
      'GET',
      `${b}/contents/${(await newContent(ctx.app, owner, businessId)).id}/metrics`,
    );
    expect(none.body).toEqual({ items: [], totals: { ...ZERO, ...NO_RATIOS } });
  });

  it('refuses bad figures with a path for each field, and keeps the figures it had', async () => {
    const refused = await put(
      linkedin,
      {
        day: '2026-02-30',
        source: '',
        impressions: -1,
        clicks: 2.5,
        conversions: 'many',
        spendCents: 1e14,
      },
      400,
    );
    const body = refused.body as unknown as ErrorView;
    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(pathsOf(body)).toEqual(
      expect.arrayContaining([
        'body.day',
        'body.source',
        'body.impressions',
        'body.clicks',
        'body.conversions',
        'body.spendCents',
      ]),
    );
    const missingDay = await put(linkedin, { impressions: 5 }, 400);
    expect(pathsOf(missingDay.body as unknown as ErrorView)).toEqual(['body.day']);
    await put('00000000-0000-4000-8000-000000000000', { day: '2026-03-02' }, 404);
    const metrics = await api<{ totals: Totals }>(
      ctx.app,
      owner,
      'GET',
      `${b}/contents/${linkedin}/metrics`,
    );
    expect(metrics.body.totals.impressions).toBe(15_000);
  });

  it('rolls a campaign up with CTR, conversion rate, cost per conversion and ROAS', async () => {
    const rollup = await api<CampaignAnalytics>(
      ctx.app,
      owner,
      'GET',
      `${b}/campaigns/${campaignId}/analytics`,
      undefined,
      200,
    );
    // 35,000 impressions, 600 clicks, 20 conversions, €600 spent, €1,500 earned.
    expect(rollup.body.totals).toEqual({
      impressions: 35_000,
      clicks: 600,
      reactions: 120,
      shares: 15,
      conversions: 20,
      spendCents: 60_000,
      revenueCents: 150_000,
      ctr: 0.0171,
      conversionRate: 0.0333,
      costPerConversionCents: 3000,
      roas: 2.5,
    });
    expect(rollup.body.byPlatform).toEqual([
      {
        platform: 'instagram',
        impressions: 20_000,
        clicks: 200,
        reactions: 0,
        shares: 0,
        conversions: 5,
        spendCents: 20_000,
        revenueCents: 30_000,
        ctr: 0.01,
        conversionRate: 0.025,
        costPerConversionCents: 4000,
        roas: 1.5,
      },
      {
        platform: 'linkedin',
        impressions: 15_000,
        clicks: 400,
        reactions: 120,
        shares: 15,
        conversions: 15,
        spendCents: 40_000,
        revenueCents: 120_000,
        ctr: 0.0267,
        conversionRate: 0.0375,
        costPerConversionCents: 2667,
        roas: 3,
      },
    ]);
    expect(
      rollup.body.byDay.map((day) => [
        day.day,
        day.impressions,
        day.ctr,
        day.conversionRate,
        day.costPerConversionCents,
        day.roas,
      ]),
    ).toEqual([
      ['2026-03-02', 30_000, 0.0167, 0.034, 2941, 2.52],
      ['2026-03-03', 5_000, 0.02, 0.03, 3333, 2.4],
    ]);
    expect(rollup.body.byContent.map((row) => [row.contentId, row.platform, row.topic])).toEqual([
      [linkedin, 'linkedin', 'Dawn bakes'],
      [instagram, 'instagram', 'First loaf'],
    ]);
    expect(rollup.body.contentByStatus).toEqual({ draft: 2 });
  });

  it('answers an empty campaign with zeros and no ratios rather than dividing by zero', async () => {
    const rollup = await api<CampaignAnalytics>(
      ctx.app,
      owner,
      'GET',
      `${b}/campaigns/${quietCampaignId}/analytics`,
      undefined,
      200,
    );
    expect(rollup.body).toEqual({
      campaignId: quietCampaignId,
      totals: { ...ZERO, ...NO_RATIOS },
      byPlatform: [],
      byDay: [],
      byContent: [],
      contentByStatus: {},
    });
    await api(
      ctx.app,
      owner,
      'GET',
      `${b}/campaigns/00000000-0000-4000-8000-000000000000/analytics`,
      undefined,
      404,
    );
  });

  it('gives the business overview: every figure, each campaign, content by status', async () => {
    // One piece goes out, so the overview counts a publication.
    await api(ctx.app, owner, 'POST', `${b}/contents/${loose}/status`, { status: 'in_review' });
    await api(ctx.app, owner, 'POST', `${b}/contents/${loose}/status`, { status: 'approved' });
    await api(ctx.app, owner, 'POST', `${b}/contents/${loose}/schedule`, { publishAt: dueNow() });
    expect((await untilStatus(ctx.app, owner, businessId, loose, ['published'])).status).toBe(
      'published',
    );

    const overview = await api<Overview>(
      ctx.app,
      owner,
      'GET',
      `${b}/analytics/overview`,
      undefined,
      200,
    );
    // The campaign's figures plus the piece outside any campaign.
    expect(overview.body.totals).toEqual({
      impressions: 36_000,
      clicks: 650,
      reactions: 120,
      shares: 15,
      conversions: 21,
      spendCents: 60_000,
      revenueCents: 155_000,
      ctr: 0.0181,
      conversionRate: 0.0323,
      costPerConversionCents: 2857,
      roas: 2.5833,
    });
    expect(
      overview.body.campaigns.map((row) => [row.name, row.impressions, row.roas, row.ctr]),
    ).toEqual([
      ['Spring', 35_000, 2.5, 0.0171],
      ['Quiet', 0, null, null],
    ]);
    expect(overview.body.contentByStatus).toMatchObject({ draft: 3, published: 1 });
    expect(overview.body.publishedLast30Days).toBe(1);

    // Another business starts from nothing.
    const other = (await newBusiness(ctx.app, owner)).id;
    const empty = await api<Overview>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${other}/analytics/overview`,
    );
    expect(empty.body).toEqual({
      totals: { ...ZERO, ...NO_RATIOS },
      campaigns: [],
      contentByStatus: {},
      publishedLast30Days: 0,
    });
  });

  it('writes an insight summary from the figures on the builtin provider', async () => {
    const started = await api<{ job: JobView }>(
      ctx.app,
      owner,
      'POST',
      `${b}/campaigns/${campaignId}/insights`,
      undefined,
      202,
    );
    const job = await finishedJob(ctx.app, owner, started.body.job.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('succeeded');
    const result = job.result as {
      campaignId: string;
      insight: { summary: string; highlights: string[]; recommendations: string[] };
      totals: Totals;
    };
    expect(result.campaignId).toBe(campaignId);
    expect(result.totals).toMatchObject({ impressions: 35_000, conversions: 20, roas: 2.5 });
    expect(result.insight.highlights).toEqual([
      '35000 impressions, 600 clicks (CTR 1.71%)',
      '20 conversions (rate 3.33%)',
      'ROAS 2.50',
    ]);
    expect(result.insight.summary).toContain('35000 impressions');
    expect(result.insight.recommendations.length).toBeGreaterThan(0);
    await api(
      ctx.app,
      owner,
      'POST',
      `${b}/campaigns/00000000-0000-4000-8000-000000000000/insights`,
      undefined,
      404,
    );
  });
});

// Approving and scheduling many pieces at once: each id gets its own answer by the single-piece
// rules (a draft with text is submitted and approved, a draft without text or a published piece
// is refused with 409, an unknown id with 404), one refusal does not stop the others, and
// scheduling makes a draft campaign active as scheduling one piece does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ContentView } from '../campaigns/helpers.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newBusiness,
  newCampaign,
  newContent,
  newUser,
  type TestUser,
} from '../helpers/fixtures.ts';

interface BulkView {
  items: {
    id: string;
    ok: boolean;
    content?: ContentView;
    error?: { code: string; message: string };
  }[];
}

describe('bulk approve and schedule', () => {
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

  const bulk = (body: object, expected = 200) =>
    api<BulkView>(ctx.app, owner, 'POST', `${base}/bulk`, body, expected);
  const statusOf = async (id: string) =>
    (await api<ContentView>(ctx.app, owner, 'GET', `${base}/${id}`)).body.status;

  it('approves each piece it may and reports why the others were not', async () => {
    const draft = await newContent(ctx.app, owner, businessId);
    const inReview = await newContent(ctx.app, owner, businessId);
    await api(
      ctx.app,
      owner,
      'POST',
      `${base}/${inReview.id}/status`,
      { status: 'in_review' },
      200,
    );
    const empty = await newContent(ctx.app, owner, businessId, { body: null });
    const archived = await newContent(ctx.app, owner, businessId);
    await api(ctx.app, owner, 'POST', `${base}/${archived.id}/status`, { status: 'archived' }, 200);
    const unknown = '00000000-0000-4000-8000-000000000000';

    const { body } = await bulk({
      action: 'approve',
      ids: [draft.id, empty.id, inReview.id, unknown, archived.id, draft.id],
    });

    expect(body.items.map((item) => [item.id, item.ok, item.error?.code])).toEqual([
      [draft.id, true, undefined],
      [empty.id, false, 'CONFLICT'],
      [inReview.id, true, undefined],
      [unknown, false, 'NOT_FOUND'],
      [archived.id, false, 'CONFLICT'],
    ]);
    expect(body.items[0]?.content?.status).toBe('approved');
    expect(await statusOf(draft.id)).toBe('approved');
    expect(await statusOf(inReview.id)).toBe('approved');
    expect(await statusOf(empty.id)).toBe('draft');
    expect(await statusOf(archived.id)).toBe('archived');
  });

  it('schedules approved pieces, refuses the rest, and makes the draft campaign active', async () => {
    const campaign = await newCampaign(ctx.app, owner, businessId);
    const approved = await newContent(ctx.app, owner, businessId, { campaignId: campaign.id });
    await bulk({ action: 'approve', ids: [approved.id] });
    const draft = await newContent(ctx.app, owner, businessId, { campaignId: campaign.id });

    const { body } = await bulk({
      action: 'schedule',
      ids: [draft.id, approved.id],
      publishAt: '2030-03-02T09:30',
    });

    expect(body.items.map((item) => [item.ok, item.error?.code])).toEqual([
      [false, 'CONFLICT'],
      [true, undefined],
    ]);
    expect(body.items[1]?.content).toMatchObject({ status: 'scheduled' });
    expect(body.items[1]?.content?.publishAt).toMatch(/^2030-03-02T/);
    expect(await statusOf(draft.id)).toBe('draft');
    const { body: after } = await api<{ status: string }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/campaigns/${campaign.id}`,
    );
    expect(after.status).toBe('active');
  });

  it('refuses a request without ids, over 100 ids, or a schedule without a time', async () => {
    const piece = await newContent(ctx.app, owner, businessId);
    await bulk({ action: 'approve', ids: [] }, 400);
    const many = Array.from({ length: 101 }, () => piece.id);
    await bulk({ action: 'approve', ids: many }, 400);
    await bulk({ action: 'schedule', ids: [piece.id] }, 400);
    await bulk({ action: 'publish', ids: [piece.id] }, 400);
    expect(await statusOf(piece.id)).toBe('draft');
  });

  it("answers 404 for another business's pieces", async () => {
    const stranger = await newUser(ctx.app);
    const theirs = await newBusiness(ctx.app, stranger);
    const piece = await newContent(ctx.app, stranger, theirs.id);
    const { body } = await bulk({ action: 'approve', ids: [piece.id] });
    expect(body.items.map((item) => [item.ok, item.error?.code])).toEqual([[false, 'NOT_FOUND']]);
    expect(
      (await api(ctx.app, stranger, 'GET', `/api/v1/businesses/${theirs.id}/contents/${piece.id}`))
        .body,
    ).toMatchObject({ status: 'draft' });
  });
});

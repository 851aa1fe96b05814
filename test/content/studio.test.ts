// The content studio through the API: CRUD with the platform checked at save (400 with field
// paths, nothing changed), version history (an edit is a new version, a restore is a new
// version equal to the old text), the review workflow's endpoints, publish times read in the
// business's time zone across daylight-saving changes and stored as UTC, and the outbox list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ContentView, dueNow, untilStatus } from '../campaigns/helpers.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newBusiness,
  newCampaign,
  newContent,
  newUser,
  type TestUser,
} from '../helpers/fixtures.ts';

interface ErrorView {
  error: { code: string; details: { issues?: { path: string; message: string }[] } };
}

const pathsOf = (body: ErrorView) => (body.error.details.issues ?? []).map((issue) => issue.path);

interface VersionView {
  version: number;
  body: Record<string, unknown>;
  source: string;
}

describe('the content studio', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  let base: string;

  beforeAll(async () => {
    ctx = await buildTestApp({ worker: true });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    base = `/api/v1/businesses/${businessId}/contents`;
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function get(id: string): Promise<ContentView & Record<string, unknown>> {
    return (
      await api<ContentView & Record<string, unknown>>(ctx.app, owner, 'GET', `${base}/${id}`)
    ).body;
  }

  async function approved(fields: Record<string, unknown> = {}): Promise<string> {
    const piece = await newContent(ctx.app, owner, businessId, fields);
    await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'in_review' }, 200);
    await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'approved' }, 200);
    return piece.id;
  }

  it('creates a piece with its text as version 1, and lists it with filters', async () => {
    const campaign = await newCampaign(ctx.app, owner, businessId);
    const created = await api<ContentView & { campaignId: string; channel: string }>(
      ctx.app,
      owner,
      'POST',
      base,
      {
        campaignId: campaign.id,
        platform: 'email',
        topic: 'Spring menu',
        plannedDate: '2026-03-05',
        body: { subject: 'Spring menu', preheader: 'Five new loaves', body: 'Hello!' },
      },
      201,
    );
    expect(created.body).toMatchObject({
      campaignId: campaign.id,
      platform: 'email',
      status: 'draft',
      currentVersion: 1,
      channel: 'outbox',
      plannedDate: '2026-03-05',
    });
    const empty = await newContent(ctx.app, owner, businessId, { platform: 'x', body: null });
    expect((await get(empty.id)).currentVersion).toBe(0);

    const byCampaign = await api<{ items: ContentView[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}?campaignId=${campaign.id}`,
      undefined,
      200,
    );
    expect(byCampaign.body.items.map((item) => item.id)).toEqual([created.body.id]);
    const byPlatform = await api<{ items: ContentView[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}?platform=email&status=draft`,
    );
    expect(byPlatform.body.items.every((item) => item.platform === 'email')).toBe(true);
    expect(byPlatform.body.items.map((item) => item.id)).toContain(created.body.id);
    const bad = await api<ErrorView>(
      ctx.app,
      owner,
      'GET',
      `${base}?platform=myspace&status=lost&limit=500`,
      undefined,
      400,
    );
    expect(pathsOf(bad.body)).toEqual(
      expect.arrayContaining(['querystring.platform', 'querystring.status', 'querystring.limit']),
    );
  });

  it('refuses text that does not fit the platform, naming each field, and saves nothing', async () => {
    const count = async () =>
      (await api<{ items: unknown[] }>(ctx.app, owner, 'GET', `${base}?limit=200`)).body.items
        .length;
    const before = await count();
    const tooLong = await api<ErrorView>(
      ctx.app,
      owner,
      'POST',
      base,
      { platform: 'x', body: { text: 'x'.repeat(281) } },
      400,
    );
    expect(pathsOf(tooLong.body)).toEqual(['body.text']);
    const email = await api<ErrorView>(
      ctx.app,
      owner,
      'POST',
      base,
      { platform: 'email', body: { subject: 'Hi' } },
      400,
    );
    expect(pathsOf(email.body)).toEqual(['body.preheader', 'body.body']);
    const shape = await api<ErrorView>(
      ctx.app,
      owner,
      'POST',
      base,
      { platform: 'tiktok', plannedDate: 'tomorrow' },
      400,
    );
    expect(pathsOf(shape.body)).toEqual(
      expect.arrayContaining(['body.platform', 'body.plannedDate']),
    );
    const otherCampaign = await api<ErrorView>(
      ctx.app,
      owner,
      'POST',
      base,
      { platform: 'x', campaignId: '00000000-0000-4000-8000-000000000000' },
      404,
    );
    expect(otherCampaign.body.error.code).toBe('NOT_FOUND');
    expect(await count()).toBe(before);
  });

  it('keeps every edit as a version; a restore is a new version equal to the old text', async () => {
    const piece = await newContent(ctx.app, owner, businessId, {
      platform: 'linkedin',
      body: { text: 'First draft.' },
    });
    await api(ctx.app, owner, 'PATCH', `${base}/${piece.id}`, { body: { text: 'Second.' } }, 200);
    await api(ctx.app, owner, 'PATCH', `${base}/${piece.id}`, { body: { text: 'Third.' } }, 200);
    // Changing only the topic changes no text: no new version.
    await api(ctx.app, owner, 'PATCH', `${base}/${piece.id}`, { topic: 'Renamed' }, 200);
    expect((await get(piece.id)).currentVersion).toBe(3);

    const restored = await api<ContentView>(
      ctx.app,
      owner,
      'POST',
      `${base}/${piece.id}/restore`,
      { version: 1 },
      200,
    );
    expect(restored.body.currentVersion).toBe(4);
    expect(restored.body.body).toEqual({ text: 'First draft.' });

    const versions = await api<{ items: VersionView[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}/${piece.id}/versions`,
      undefined,
      200,
    );
    expect(versions.body.items.map((v) => [v.version, v.source, v.body.text])).toEqual([
      [4, 'restore', 'First draft.'],
      [3, 'edit', 'Third.'],
      [2, 'edit', 'Second.'],
      [1, 'edit', 'First draft.'],
    ]);
    expect(versions.body.items[0]?.body).toEqual(versions.body.items[3]?.body);
  });

  it('refuses a bad restore or edit and leaves the text and its history alone', async () => {
    const piece = await newContent(ctx.app, owner, businessId, { body: { text: 'Only one.' } });
    const missing = await api<ErrorView>(
      ctx.app,
      owner,
      'POST',
      `${base}/${piece.id}/restore`,
      { version: 7 },
      404,
    );
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const zero = await api<ErrorView>(
      ctx.app,
      owner,
      'POST',
      `${base}/${piece.id}/restore`,
      { version: 0 },
      400,
    );
    expect(pathsOf(zero.body)).toEqual(['body.version']);
    const tooLong = await api<ErrorView>(
      ctx.app,
      owner,
      'PATCH',
      `${base}/${piece.id}`,
      { body: { text: 'y'.repeat(281) }, topic: 'should not stick' },
      400,
    );
    expect(pathsOf(tooLong.body)).toEqual(['body.text']);
    const empty = await api<ErrorView>(ctx.app, owner, 'PATCH', `${base}/${piece.id}`, {}, 400);
    expect(empty.body.error.code).toBe('VALIDATION_ERROR');
    const badTarget = await api<ErrorView>(
      ctx.app,
      owner,
      'PATCH',
      `${base}/${piece.id}`,
      { channel: 'fax', channelTarget: { url: 'not a url', recipients: ['nobody'] } },
      400,
    );
    expect(pathsOf(badTarget.body)).toEqual(
      expect.arrayContaining([
        'body.channel',
        'body.channelTarget.url',
        'body.channelTarget.recipients.0',
      ]),
    );
    const after = await get(piece.id);
    expect(after).toMatchObject({ body: { text: 'Only one.' }, currentVersion: 1 });
    expect(after.topic).not.toBe('should not stick');
    const versions = await api<{ items: VersionView[] }>(
      ctx.app,
      owner,
      'GET',
      `${base}/${piece.id}/versions`,
    );
    expect(versions.body.items).toHaveLength(1);
  });

  it('moves a piece through review and refuses a status the endpoint does not set', async () => {
    const id = await approved();
    expect((await get(id)).status).toBe('approved');
    const refused = await api<ErrorView>(
      ctx.app,
      owner,
      'POST',
      `${base}/${id}/status`,
      { status: 'published' },
      400,
    );
    expect(pathsOf(refused.body)).toEqual(['body.status']);
    const archived = await api<ContentView>(
      ctx.app,
      owner,
      'POST',
      `${base}/${id}/status`,
      { status: 'archived' },
      200,
    );
    expect(archived.body.status).toBe('archived');
    // An archived piece is not edited, restored or generated; it can come back as a draft.
    await api(ctx.app, owner, 'PATCH', `${base}/${id}`, { body: { text: 'No.' } }, 409);
    await api(ctx.app, owner, 'POST', `${base}/${id}/restore`, { version: 1 }, 409);
    await api(ctx.app, owner, 'POST', `${base}/${id}/generate`, {}, 409);
    await api(ctx.app, owner, 'POST', `${base}/${id}/status`, { status: 'draft' }, 200);
    // A piece with no text cannot go to review.
    const blank = await newContent(ctx.app, owner, businessId, { body: null });
    await api(ctx.app, owner, 'POST', `${base}/${blank.id}/status`, { status: 'in_review' }, 409);
  });

  it('deletes a piece with its versions; a second delete is 404', async () => {
    const piece = await newContent(ctx.app, owner, businessId);
    await api(ctx.app, owner, 'DELETE', `${base}/${piece.id}`, undefined, 204);
    await api(ctx.app, owner, 'GET', `${base}/${piece.id}`, undefined, 404);
    await api(ctx.app, owner, 'GET', `${base}/${piece.id}/versions`, undefined, 404);
    await api(ctx.app, owner, 'DELETE', `${base}/${piece.id}`, undefined, 404);
  });

  it('refuses a publish time that is not a real date and time, and leaves the piece approved', async () => {
    const id = await approved();
    for (const publishAt of [
      'next tuesday',
      '2030-02-30T09:00',
      '2030-04-31T09:00:00Z',
      '2030-13-01T09:00',
      '2030-01-01T24:30',
    ]) {
      const refused = await api<ErrorView>(
        ctx.app,
        owner,
        'POST',
        `${base}/${id}/schedule`,
        { publishAt },
        400,
      );
      expect(pathsOf(refused.body), publishAt).toEqual(['body.publishAt']);
    }
    const noTarget = await api<ErrorView>(
      ctx.app,
      owner,
      'POST',
      `${base}/${id}/schedule`,
      { publishAt: '2030-01-01T09:00', channel: 'slack' },
      400,
    );
    expect(pathsOf(noTarget.body)).toEqual(['body.channelTarget']);
    const after = await get(id);
    expect(after).toMatchObject({ status: 'approved', publishAt: null, channel: 'outbox' });
  });

  it('reads a publish time in the business time zone across daylight-saving changes, stored as UTC', async () => {
    // Europe/Paris moves to summer time on 2030-03-31 at 02:00 (UTC+1 → UTC+2).
    const cases: [string, string][] = [
      ['2030-03-30T09:00', '2030-03-30T08:00:00.000Z'],
      ['2030-03-31T09:00', '2030-03-31T07:00:00.000Z'],
      ['2030-03-31T01:59', '2030-03-31T00:59:00.000Z'],
      // 02:30 does not exist that night: it is read as 03:30 summer time.
      ['2030-03-31T02:30', '2030-03-31T01:30:00.000Z'],
      // And back to winter time on 2030-10-27 at 03:00 (UTC+2 → UTC+1).
      ['2030-10-26T18:45', '2030-10-26T16:45:00.000Z'],
      ['2030-10-27T18:45', '2030-10-27T17:45:00.000Z'],
      // With an offset the time is absolute, whatever the zone.
      ['2030-03-31T09:00:00Z', '2030-03-31T09:00:00.000Z'],
      ['2030-03-31T09:00:00-05:00', '2030-03-31T14:00:00.000Z'],
    ];
    for (const [local, utc] of cases) {
      const id = await approved();
      const scheduled = await api<ContentView>(
        ctx.app,
        owner,
        'POST',
        `${base}/${id}/schedule`,
        { publishAt: local },
        200,
      );
      expect(scheduled.body.publishAt, local).toBe(utc);
      expect((await get(id)).publishAt, local).toBe(utc);
    }
  });

  it('uses the time zone of the business the piece belongs to', async () => {
    // New York moves to daylight time on 2030-03-10 (UTC-5 → UTC-4).
    const ny = (await newBusiness(ctx.app, owner, { timezone: 'America/New_York' })).id;
    const nyBase = `/api/v1/businesses/${ny}/contents`;
    for (const [local, utc] of [
      ['2030-03-09T09:00', '2030-03-09T14:00:00.000Z'],
      ['2030-03-10T09:00', '2030-03-10T13:00:00.000Z'],
    ] as const) {
      const piece = await newContent(ctx.app, owner, ny);
      await api(ctx.app, owner, 'POST', `${nyBase}/${piece.id}/status`, { status: 'in_review' });
      await api(ctx.app, owner, 'POST', `${nyBase}/${piece.id}/status`, { status: 'approved' });
      const scheduled = await api<ContentView>(
        ctx.app,
        owner,
        'POST',
        `${nyBase}/${piece.id}/schedule`,
        { publishAt: local },
        200,
      );
      expect(scheduled.body.publishAt, local).toBe(utc);
    }
  });

  it('lists published pieces in the outbox, newest first, page by page', async () => {
    const business = (await newBusiness(ctx.app, owner)).id;
    const b = `/api/v1/businesses/${business}`;
    const ids: string[] = [];
    for (const text of ['First out.', 'Second out.']) {
      const piece = await newContent(ctx.app, owner, business, { body: { text } });
      await api(ctx.app, owner, 'POST', `${b}/contents/${piece.id}/status`, {
        status: 'in_review',
      });
      await api(ctx.app, owner, 'POST', `${b}/contents/${piece.id}/status`, { status: 'approved' });
      await api(
        ctx.app,
        owner,
        'POST',
        `${b}/contents/${piece.id}/schedule`,
        { publishAt: dueNow() },
        200,
      );
      expect((await untilStatus(ctx.app, owner, business, piece.id, ['published'])).status).toBe(
        'published',
      );
      ids.push(piece.id);
    }
    const page = await api<{
      items: { contentId: string; channel: string; payload: Record<string, unknown> }[];
      nextCursor: string | null;
    }>(ctx.app, owner, 'GET', `${b}/publications?limit=1`, undefined, 200);
    expect(page.body.items).toEqual([
      expect.objectContaining({
        contentId: ids[1],
        channel: 'outbox',
        payload: expect.objectContaining({ text: 'Second out.', platform: 'x' }) as unknown,
      }),
    ]);
    const next = await api<{ items: { contentId: string }[]; nextCursor: string | null }>(
      ctx.app,
      owner,
      'GET',
      `${b}/publications?limit=1&cursor=${page.body.nextCursor ?? ''}`,
    );
    expect(next.body.items.map((item) => item.contentId)).toEqual([ids[0]]);
    expect(next.body.nextCursor).toBeNull();
    await api(ctx.app, owner, 'GET', `${b}/publications?limit=0`, undefined, 400);
    // A published piece is not edited again.
    await api(ctx.app, owner, 'PATCH', `${b}/contents/${ids[0] ?? ''}`, { topic: 'x' }, 409);
  });
});

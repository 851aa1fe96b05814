// The messages log through the API: recording a customer communication, listing newest first
// with filters and pages, validation errors that record nothing, and a content reference that
// must belong to the business.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newContent, newUser, type TestUser } from '../helpers/fixtures.ts';

interface MessageView {
  id: string;
  businessId: string;
  channel: string;
  direction: string;
  subject: string | null;
  body: string;
  status: string;
  customerRef: string | null;
  contentId: string | null;
  createdAt: string;
}

interface Page {
  items: MessageView[];
  nextCursor: string | null;
}

interface ErrorView {
  error: { code: string; details: { issues?: { path: string; message: string }[] } };
}

const pathsOf = (body: ErrorView) => (body.error.details.issues ?? []).map((issue) => issue.path);

describe('the messages log', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  let url: string;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    url = `/api/v1/businesses/${businessId}/messages`;
  });
  afterAll(async () => {
    await ctx.close();
  });

  const record = (payload: Record<string, unknown>, expected = 201) =>
    api<MessageView>(ctx.app, owner, 'POST', url, payload, expected);
  const list = async (query = '') =>
    (await api<Page>(ctx.app, owner, 'GET', `${url}${query}`, undefined, 200)).body;

  it('records a communication with defaults and reads it back in the list', async () => {
    const piece = await newContent(ctx.app, owner, businessId);
    const created = await record({
      channel: 'email',
      direction: 'outbound',
      subject: '  Your order is ready  ',
      body: 'Pick it up on Saturday.',
      customerRef: 'ann@example.org',
      contentId: piece.id,
    });
    expect(created.body).toMatchObject({
      businessId,
      channel: 'email',
      direction: 'outbound',
      subject: 'Your order is ready',
      body: 'Pick it up on Saturday.',
      status: 'sent',
      customerRef: 'ann@example.org',
      contentId: piece.id,
    });
    const minimal = await record({ channel: 'phone', direction: 'inbound' });
    expect(minimal.body).toMatchObject({
      subject: null,
      body: '',
      status: 'sent',
      customerRef: null,
      contentId: null,
    });
    const page = await list();
    expect(page.items.slice(0, 2).map((item) => item.id)).toEqual([
      minimal.body.id,
      created.body.id,
    ]);
  });

  it('filters by channel, direction, status and customer, and pages newest first', async () => {
    const business = (await newBusiness(ctx.app, owner)).id;
    const own = `/api/v1/businesses/${business}/messages`;
    const made: string[] = [];
    for (const [channel, direction, status, customerRef] of [
      ['email', 'inbound', 'received', 'ann@example.org'],
      ['sms', 'outbound', 'delivered', '+33600000000'],
      ['email', 'outbound', 'failed', 'ann@example.org'],
      ['chat', 'inbound', 'read', 'ben'],
    ] as const) {
      const response = await api<MessageView>(
        ctx.app,
        owner,
        'POST',
        own,
        { channel, direction, status, customerRef, body: `${channel} ${direction}` },
        201,
      );
      made.push(response.body.id);
    }
    const get = async (query: string) =>
      (await api<Page>(ctx.app, owner, 'GET', `${own}${query}`, undefined, 200)).body;
    expect((await get('?channel=email')).items.map((m) => m.id)).toEqual([made[2], made[0]]);
    expect((await get('?direction=inbound')).items.map((m) => m.id)).toEqual([made[3], made[0]]);
    expect((await get('?status=failed')).items.map((m) => m.id)).toEqual([made[2]]);
    expect(
      (await get(`?customerRef=${encodeURIComponent('ann@example.org')}`)).items.map((m) => m.id),
    ).toEqual([made[2], made[0]]);
    expect(
      (await get('?channel=email&direction=inbound&customerRef=ann%40example.org')).items.map(
        (m) => m.id,
      ),
    ).toEqual([made[0]]);
    expect((await get('?channel=social')).items).toEqual([]);

    const first = await get('?limit=3');
    expect(first.items.map((m) => m.id)).toEqual([made[3], made[2], made[1]]);
    const second = await get(`?limit=3&cursor=${first.nextCursor ?? ''}`);
    expect(second.items.map((m) => m.id)).toEqual([made[0]]);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses bad fields with a path for each, and records nothing', async () => {
    const before = (await list('?limit=100')).items.length;
    const refused = await record(
      {
        channel: 'pigeon',
        direction: 'sideways',
        status: 'lost',
        subject: 's'.repeat(301),
        customerRef: '   ',
        contentId: 'not-a-uuid',
      },
      400,
    );
    const body = refused.body as unknown as ErrorView;
    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(pathsOf(body)).toEqual(
      expect.arrayContaining([
        'body.channel',
        'body.direction',
        'body.status',
        'body.subject',
        'body.customerRef',
        'body.contentId',
      ]),
    );
    const missing = await record({}, 400);
    expect(pathsOf(missing.body as unknown as ErrorView)).toEqual(
      expect.arrayContaining(['body.channel', 'body.direction']),
    );
    const badQuery = await api<ErrorView>(
      ctx.app,
      owner,
      'GET',
      `${url}?channel=pigeon&limit=0`,
      undefined,
      400,
    );
    expect(pathsOf(badQuery.body)).toEqual(
      expect.arrayContaining(['querystring.channel', 'querystring.limit']),
    );
    expect((await list('?limit=100')).items.length).toBe(before);
  });

  it("refuses a content reference that is not the business's own, and records nothing", async () => {
    const before = (await list('?limit=100')).items.length;
    const elsewhere = (await newBusiness(ctx.app, owner)).id;
    const foreign = await newContent(ctx.app, owner, elsewhere);
    const refused = await record(
      { channel: 'email', direction: 'outbound', contentId: foreign.id },
      404,
    );
    expect((refused.body as unknown as ErrorView).error.code).toBe('NOT_FOUND');
    await record(
      {
        channel: 'email',
        direction: 'outbound',
        contentId: '00000000-0000-4000-8000-000000000000',
      },
      404,
    );
    expect((await list('?limit=100')).items.length).toBe(before);
  });

  it('keeps a message when the piece it refers to is deleted, without the reference', async () => {
    const piece = await newContent(ctx.app, owner, businessId);
    const message = await record({ channel: 'social', direction: 'outbound', contentId: piece.id });
    await api(
      ctx.app,
      owner,
      'DELETE',
      `/api/v1/businesses/${businessId}/contents/${piece.id}`,
      undefined,
      204,
    );
    const page = await list('?channel=social');
    expect(page.items.find((item) => item.id === message.body.id)?.contentId).toBeNull();
  });
});

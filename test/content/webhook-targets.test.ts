// Webhook and Slack targets are https:// URLs; plain http:// only where the server allows
// private targets for development (PUBLISH_WEBHOOK_ALLOW_PRIVATE). Other schemes — file:,
// javascript:, ftp:, gopher: — are refused when saved, naming the field (issue #11, item 14).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newContent, newUser, type TestUser } from '../helpers/fixtures.ts';

const REFUSED = [
  'file:///etc/passwd',
  'javascript:alert(1)',
  'ftp://files.example.com/hook',
  'gopher://example.com:70/_hello',
  'data:text/plain,hello',
];

interface Refusal {
  error: { code: string; details: { issues: { path: string }[] } };
}

async function approvedPiece(ctx: TestApp, owner: TestUser, businessId: string) {
  const base = `/api/v1/businesses/${businessId}/contents`;
  const piece = await newContent(ctx.app, owner, businessId);
  await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'in_review' }, 200);
  await api(ctx.app, owner, 'POST', `${base}/${piece.id}/status`, { status: 'approved' }, 200);
  return `${base}/${piece.id}`;
}

describe('webhook and Slack target schemes (default configuration)', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('refuses file:, javascript:, ftp:, gopher: and data: targets on edit and schedule, naming the field, and keeps the piece unscheduled', async () => {
    const piece = await approvedPiece(ctx, owner, businessId);
    for (const url of REFUSED) {
      const attempts = [
        { method: 'PATCH', url: piece, body: { channel: 'webhook', channelTarget: { url } } },
        {
          method: 'PATCH',
          url: piece,
          body: { channel: 'slack', channelTarget: { webhookUrl: url } },
        },
        {
          method: 'POST',
          url: `${piece}/schedule`,
          body: {
            publishAt: new Date(Date.now() + 3_600_000).toISOString(),
            channel: 'webhook',
            channelTarget: { url },
          },
        },
      ] as const;
      for (const attempt of attempts) {
        const response = await ctx.app.inject({
          method: attempt.method,
          url: attempt.url,
          headers: owner.headers,
          payload: attempt.body,
        });
        expect({ url, status: response.statusCode }).toEqual({ url, status: 400 });
        const { error } = response.json<Refusal>();
        expect(error.code).toBe('VALIDATION_ERROR');
        const field = 'webhookUrl' in attempt.body.channelTarget ? 'webhookUrl' : 'url';
        expect(error.details.issues.map((issue) => issue.path)).toEqual([
          `body.channelTarget.${field}`,
        ]);
      }
    }
    const stored = await api<{ status: string; channelTarget: unknown }>(
      ctx.app,
      owner,
      'GET',
      piece,
    );
    expect(stored.body).toMatchObject({ status: 'approved', channelTarget: null });
  });

  it('refuses plain http:// targets unless the server allows them for development', async () => {
    const piece = await approvedPiece(ctx, owner, businessId);
    const response = await ctx.app.inject({
      method: 'PATCH',
      url: piece,
      headers: owner.headers,
      payload: { channel: 'slack', channelTarget: { webhookUrl: 'http://hooks.example.com/x' } },
    });
    expect(response.statusCode).toBe(400);
    const { error } = response.json<Refusal & { error: { message: string } }>();
    expect(error.details.issues.map((issue) => issue.path)).toEqual([
      'body.channelTarget.webhookUrl',
    ]);
    expect(error.message).toContain('https://');
  });

  it('accepts https:// targets', async () => {
    const piece = await approvedPiece(ctx, owner, businessId);
    const response = await ctx.app.inject({
      method: 'PATCH',
      url: piece,
      headers: owner.headers,
      payload: {
        channel: 'webhook',
        channelTarget: { url: 'https://hooks.example.com/herald', secret: 'a'.repeat(16) },
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ channelTarget: unknown }>().channelTarget).toEqual({
      url: 'https://hooks.example.com/herald',
      hasSecret: true,
    });
  });
});

describe('webhook targets when private targets are allowed (development)', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp({ env: { PUBLISH_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('accepts plain http:// and still refuses other schemes', async () => {
    const owner = await newUser(ctx.app);
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const piece = await approvedPiece(ctx, owner, businessId);
    const http = await ctx.app.inject({
      method: 'PATCH',
      url: piece,
      headers: owner.headers,
      payload: { channel: 'webhook', channelTarget: { url: 'http://127.0.0.1:9/hook' } },
    });
    expect(http.statusCode).toBe(200);
    const gopher = await ctx.app.inject({
      method: 'PATCH',
      url: piece,
      headers: owner.headers,
      payload: { channel: 'webhook', channelTarget: { url: 'gopher://127.0.0.1:9/_x' } },
    });
    expect(gopher.statusCode).toBe(400);
  });
});

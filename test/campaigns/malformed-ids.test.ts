// Every route of the campaign, content, analytics and messages modules answers 400 naming the
// parameter when an id in its path is not a UUID (instead of a 404 or a database error), and
// the AI routes refuse over-long notes before starting a job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api, type Method } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  newBusiness,
  newCampaign,
  newContent,
  newUser,
  type TestUser,
} from '../helpers/fixtures.ts';

/** [method, path with :businessId, :campaignId, :contentId, a body that passes validation]. */
const ROUTES: [Method, string, object?][] = [
  ['POST', '/campaigns', { name: 'n' }],
  ['GET', '/campaigns'],
  ['GET', '/campaigns/:campaignId'],
  ['PATCH', '/campaigns/:campaignId', { name: 'n' }],
  ['DELETE', '/campaigns/:campaignId'],
  ['POST', '/campaigns/:campaignId/strategy', {}],
  ['GET', '/campaigns/:campaignId/strategies'],
  ['GET', '/campaigns/:campaignId/analytics'],
  ['POST', '/campaigns/:campaignId/insights'],
  ['POST', '/contents', { platform: 'x' }],
  ['GET', '/contents'],
  ['GET', '/contents/:contentId'],
  ['PATCH', '/contents/:contentId', { topic: 't' }],
  ['DELETE', '/contents/:contentId'],
  ['POST', '/contents/:contentId/generate', {}],
  ['GET', '/contents/:contentId/versions'],
  ['POST', '/contents/:contentId/restore', { version: 1 }],
  ['POST', '/contents/:contentId/status', { status: 'archived' }],
  ['POST', '/contents/:contentId/schedule', { publishAt: '2030-01-01T09:00' }],
  ['GET', '/contents/:contentId/attempts'],
  ['PUT', '/contents/:contentId/metrics', { day: '2026-03-02' }],
  ['GET', '/contents/:contentId/metrics'],
  ['GET', '/publications'],
  ['GET', '/analytics/overview'],
  ['POST', '/messages', { channel: 'email', direction: 'inbound' }],
  ['GET', '/messages'],
];

describe('malformed ids and over-long notes', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let ids: Record<string, string>;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    const businessId = (await newBusiness(ctx.app, owner)).id;
    ids = {
      businessId,
      campaignId: (await newCampaign(ctx.app, owner, businessId)).id,
      contentId: (await newContent(ctx.app, owner, businessId)).id,
    };
  });
  afterAll(async () => {
    await ctx.close();
  });

  const urlOf = (path: string, broken: string) =>
    `/api/v1/businesses/:businessId${path}`.replace(/:([A-Za-z]+)/g, (_, name: string) =>
      name === broken ? 'not-a-uuid' : (ids[name] ?? ''),
    );

  it('answers 400 naming the parameter for every id that is not a UUID', async () => {
    for (const [method, path, body] of ROUTES) {
      const params = ['businessId', ...[...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] ?? '')];
      for (const param of params) {
        const response = await api<{
          error: { code: string; details: { issues: { path: string }[] } };
        }>(ctx.app, owner, method, urlOf(path, param), body);
        const label = `${method} ${path} with a malformed ${param}`;
        expect(response.status, label).toBe(400);
        expect(response.body.error.code, label).toBe('VALIDATION_ERROR');
        expect(
          response.body.error.details.issues.map((issue) => issue.path),
          label,
        ).toContain(`params.${param}`);
      }
    }
  });

  it('refuses notes over 2,000 characters for a strategy or a piece, starting no job', async () => {
    const b = `/api/v1/businesses/${ids.businessId ?? ''}`;
    for (const url of [
      `${b}/campaigns/${ids.campaignId ?? ''}/strategy`,
      `${b}/contents/${ids.contentId ?? ''}/generate`,
    ]) {
      const refused = await api<{ error: { details: { issues: { path: string }[] } } }>(
        ctx.app,
        owner,
        'POST',
        url,
        { notes: 'n'.repeat(2001) },
        400,
      );
      expect(refused.body.error.details.issues.map((issue) => issue.path)).toEqual(['body.notes']);
    }
    const jobs = await api<{ items: unknown[] }>(
      ctx.app,
      owner,
      'GET',
      `${b}/jobs`,
      undefined,
      200,
    );
    expect(jobs.body.items).toEqual([]);
  });
});

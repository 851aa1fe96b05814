// The webhook endpoints API: create (secret shown), list (no secrets), read, change, rotate,
// delete; a target URL refused when private, loopback or not https (SSRF) and bad input answered
// 400 with nothing saved; another business's endpoints and deliveries are 404; no credentials 401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type {
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '../../src/modules/webhooks/schemas.ts';
import { suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { addMember, newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';

interface ErrorBody {
  error: { code: string; message: string; details: { issues?: { path: string }[] } };
}

describe('webhook endpoints API (private targets refused, the default)', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  let base: string;
  const api = suiteApi(() => ({ app: ctx.app, user: owner }));

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    base = `/api/v1/businesses/${businessId}/webhooks`;
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('creates an endpoint with its secret shown, lists it without, reads, changes and deletes it', async () => {
    const created = await api<WebhookEndpointWithSecret>('POST', base, {
      url: 'https://hooks.example.com/herald',
      eventTypes: ['content.published', 'email.bounced', 'content.published'],
      description: 'CRM sync',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      businessId,
      url: 'https://hooks.example.com/herald',
      eventTypes: ['content.published', 'email.bounced'],
      description: 'CRM sync',
      active: true,
      disabledReason: null,
      consecutiveFailures: 0,
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(32);
    const id = created.body.id;

    const list = await api<{ items: Record<string, unknown>[]; nextCursor: string | null }>(
      'GET',
      base,
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((item) => item.id)).toContain(id);
    expect(list.body.items.every((item) => !('secret' in item))).toBe(true);

    const read = await api<WebhookEndpointWithSecret>('GET', `${base}/${id}`);
    expect(read.body.secret).toBe(created.body.secret);

    const changed = await api<WebhookEndpoint>('PATCH', `${base}/${id}`, {
      eventTypes: ['job.failed'],
      active: false,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ eventTypes: ['job.failed'], active: false });

    const rotated = await api<WebhookEndpointWithSecret>('POST', `${base}/${id}/rotate-secret`);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect((await api<WebhookEndpointWithSecret>('GET', `${base}/${id}`)).body.secret).toBe(
      rotated.body.secret,
    );

    expect((await api('DELETE', `${base}/${id}`)).status).toBe(204);
    expect((await api('GET', `${base}/${id}`)).status).toBe(404);
    expect((await api('DELETE', `${base}/${id}`)).status).toBe(404);
  });

  it.each([
    ['a loopback address', 'https://127.0.0.1/hook'],
    ['a name for loopback', 'https://localhost:8443/hook'],
    ['a private address', 'https://10.1.2.3/hook'],
    ['a link-local address (cloud metadata)', 'https://169.254.169.254/latest/meta-data'],
    ['IPv6 loopback', 'https://[::1]/hook'],
    ['plain http', 'http://hooks.example.com/hook'],
  ])('refuses %s as a target with 400, saving nothing', async (_what, url) => {
    const before = (await api<{ items: unknown[] }>('GET', base)).body.items.length;
    const refused = await api<ErrorBody>('POST', base, { url, eventTypes: ['job.failed'] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    expect(refused.body.error.details.issues?.[0]?.path).toBe('body.url');
    expect((await api<{ items: unknown[] }>('GET', base)).body.items).toHaveLength(before);
  });

  it('refuses a private target when an endpoint is changed too', async () => {
    const created = await api<WebhookEndpointWithSecret>('POST', base, {
      url: 'https://hooks.example.com/a',
      eventTypes: ['job.failed'],
    });
    const refused = await api<ErrorBody>('PATCH', `${base}/${created.body.id}`, {
      url: 'https://192.168.1.20/hook',
    });
    expect(refused.status).toBe(400);
    expect((await api<WebhookEndpoint>('GET', `${base}/${created.body.id}`)).body.url).toBe(
      'https://hooks.example.com/a',
    );
  });

  it.each([
    ['no event types', { url: 'https://hooks.example.com/x', eventTypes: [] }],
    ['an unknown event type', { url: 'https://hooks.example.com/x', eventTypes: ['email.sent'] }],
    ['no URL', { eventTypes: ['job.failed'] }],
    ['not a URL', { url: 'hooks.example.com', eventTypes: ['job.failed'] }],
    ['an ftp URL', { url: 'ftp://hooks.example.com/x', eventTypes: ['job.failed'] }],
    [
      'a URL too long',
      { url: `https://hooks.example.com/${'a'.repeat(2000)}`, eventTypes: ['job.failed'] },
    ],
  ])('answers 400 to %s, saving nothing', async (_what, body) => {
    const before = (await api<{ items: unknown[] }>('GET', base)).body.items.length;
    const refused = await api<ErrorBody>('POST', base, body);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    expect((await api<{ items: unknown[] }>('GET', base)).body.items).toHaveLength(before);
  });

  it('answers 400 to an empty change and to malformed ids', async () => {
    const created = await api<WebhookEndpointWithSecret>('POST', base, {
      url: 'https://hooks.example.com/b',
      eventTypes: ['job.failed'],
    });
    expect((await api('PATCH', `${base}/${created.body.id}`, {})).status).toBe(400);
    expect((await api('GET', `${base}/not-a-uuid`)).status).toBe(400);
    expect((await api('POST', `${base}/deliveries/not-a-uuid/redeliver`)).status).toBe(400);
    expect((await api('GET', `${base}/${created.body.id}/deliveries?status=lost`)).status).toBe(
      400,
    );
  });

  it("answers 404 for another business's endpoint and delivery, and changes nothing", async () => {
    const created = await api<WebhookEndpointWithSecret>('POST', base, {
      url: 'https://hooks.example.com/c',
      eventTypes: ['job.failed'],
    });
    const endpointId = created.body.id;
    // A test event to a name that does not resolve here: a failed delivery to point at.
    const test = await api<WebhookDelivery>('POST', `${base}/${endpointId}/test`);
    expect(test.status).toBe(200);
    expect(test.body.status).toBe('failed');
    expect(test.body.attemptLog[0]).toMatchObject({ manual: true, statusCode: null });

    const stranger = await newUser(ctx.app);
    const theirs = `/api/v1/businesses/${(await newBusiness(ctx.app, stranger)).id}/webhooks`;
    const mine = base;
    for (const [method, url, body] of [
      ['GET', `${theirs}/${endpointId}`],
      ['PATCH', `${theirs}/${endpointId}`, { active: false }],
      ['DELETE', `${theirs}/${endpointId}`],
      ['POST', `${theirs}/${endpointId}/rotate-secret`],
      ['POST', `${theirs}/${endpointId}/test`],
      ['GET', `${theirs}/${endpointId}/deliveries`],
      ['POST', `${theirs}/deliveries/${test.body.id}/redeliver`],
      ['GET', `${mine}/${endpointId}`],
      ['GET', `${mine}/${endpointId}/deliveries`],
    ] as const) {
      const answer = await api(method, url, body, stranger);
      expect(answer.status, `${method} ${url}`).toBe(404);
    }
    const after = await api<WebhookEndpointWithSecret>('GET', `${base}/${endpointId}`);
    expect(after.body).toMatchObject({ active: true, secret: created.body.secret });
  });

  it('is for those who may manage the business: an editor gets 403, no credentials 401', async () => {
    const editor = await newUser(ctx.app);
    await addMember(ctx.runtime.database.db, businessId, editor, 'editor');
    expect((await api('GET', base, undefined, editor)).status).toBe(403);
    expect(
      (
        await api(
          'POST',
          base,
          { url: 'https://hooks.example.com/d', eventTypes: ['job.failed'] },
          editor,
        )
      ).status,
    ).toBe(403);
    const anonymous = await ctx.app.inject({ method: 'GET', url: base });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('webhook endpoints where private targets are allowed (development)', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp({ env: { PUBLISH_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('accepts an http loopback target', async () => {
    const owner = await newUser(ctx.app);
    const businessId = (await newBusiness(ctx.app, owner)).id;
    const created = await suiteApi(() => ({ app: ctx.app, user: owner }))(
      'POST',
      `/api/v1/businesses/${businessId}/webhooks`,
      { url: 'http://127.0.0.1:9/hook', eventTypes: ['job.failed'] },
    );
    expect(created.status).toBe(201);
  });
});

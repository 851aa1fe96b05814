// With SMTP configured, an invitation's link goes to the invitee's mailbox and never back to the
// inviter: the answer has no acceptUrl, and the mail says who invited, to what, as what, until when.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser } from '../helpers/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

describe('invitations by email (SMTP configured)', () => {
  let smtp: SmtpReceiver;
  let ctx: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpReceiver({
      refuseRecipient: (address) => (address.startsWith('bounce-') ? 550 : undefined),
    });
    ctx = await buildTestApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://herald.test' } });
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.close();
  });

  it('emails the link to the invitee, leaves it out of the answer, and the emailed link works', async () => {
    const owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner, { name: 'Blue Bottle Bakery' });
    const email = `grace-${randomUUID()}@example.com`;
    const created = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${business.id}/invitations`,
      headers: owner.headers,
      payload: { email, role: 'editor', approver: true },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ email, role: 'editor', status: 'pending' });
    expect(created.json()).not.toHaveProperty('acceptUrl');
    expect(created.body).not.toContain('/invitations/hinv_');

    await smtp.waitFor(1);
    const [mail] = await smtp.to(email);
    expect(mail?.subject).toBe('Test User invited you to Blue Bottle Bakery on Herald');
    const text = mail?.text ?? '';
    expect(text).toContain(owner.email);
    expect(text).toContain('as an editor');
    expect(text).toContain('approve content');
    expect(text).toMatch(/works until .+ GMT, once/);
    const match = /https:\/\/herald\.test\/invitations\/(hinv_[\w-]+)/.exec(text);
    expect(match, 'the link in the mail').not.toBeNull();
    const token = match?.[1] ?? '';

    const invitee = await newUser(ctx.app, { email });
    const accepted = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${token}/accept`,
      headers: invitee.headers,
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({
      businessId: business.id,
      role: 'editor',
      approver: true,
    });
  });

  it('answers 503 when the mail cannot be sent, and the unsent invitation is withdrawn', async () => {
    const owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner);
    const url = `/api/v1/businesses/${business.id}/invitations`;
    const email = `bounce-${randomUUID()}@example.com`;
    const created = await ctx.app.inject({
      method: 'POST',
      url,
      headers: owner.headers,
      payload: { email, role: 'viewer' },
    });
    expect(created.statusCode).toBe(503);
    expect(created.json()).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
    const list = await ctx.app.inject({ method: 'GET', url, headers: owner.headers });
    expect(list.json()).toMatchObject({ items: [{ email, status: 'revoked' }] });
  });
});

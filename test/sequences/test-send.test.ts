// A step's test send goes only to people of the business: the signed-in user's own address and
// the business's team (today its owner). Any other address is refused before anything is sent,
// so the test send cannot be used to mail strangers.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newSequence, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

describe('step test sends', () => {
  let receiver: SmtpReceiver;
  let ctx: TestApp;
  let owner: TestUser;
  let testUrl: string;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    ctx = await buildTestApp({ env: { SMTP_URL: receiver.url } });
    owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner);
    const sequence = await newSequence(ctx.app, owner, business.id);
    testUrl = `/api/v1/businesses/${business.id}/sequences/${sequence.id}/steps/${sequence.steps[0]?.id ?? ''}/test`;
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  const testSend = (to: string) =>
    ctx.app.inject({ method: 'POST', url: testUrl, headers: owner.headers, payload: { to } });

  it("sends a step's test to the signed-in user's own address, whatever its case", async () => {
    const response = await testSend(owner.email.toUpperCase());
    expect(response.statusCode).toBe(200);
    const [mail] = await receiver.to(owner.email);
    expect(mail?.subject).toMatch(/^\[Test\] Hello/);
    expect(mail?.messageId).toBe(response.json<{ messageId: string }>().messageId);
  });

  it('refuses a test send to an address outside the business with a 400 naming the field, and sends nothing', async () => {
    const stranger = `stranger-${randomUUID()}@example.org`;
    const before = receiver.messages.length;
    const response = await testSend(stranger);
    expect(response.statusCode).toBe(400);
    const { error } = response.json<{
      error: { code: string; message: string; details: { issues: { path: string }[] } };
    }>();
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message).toMatch(/your own address/i);
    expect(error.details.issues[0]?.path).toBe('body.to');
    expect(receiver.messages.length).toBe(before);
    expect(await receiver.to(stranger)).toHaveLength(0);
  });

  it("refuses another Herald user's address too: being registered is not being on the team", async () => {
    const other = await newUser(ctx.app);
    const response = await testSend(other.email);
    expect(response.statusCode).toBe(400);
    expect(await receiver.to(other.email)).toHaveLength(0);
  });
});

// When Slack is down: failures open the breaker of Slack's host, and the messages still waiting
// are deferred without an attempt counted (none lost, none sent twice). An incoming webhook on a
// private address is refused when it is connected, unless private targets are allowed.
import { randomUUID } from 'node:crypto';

import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { slackNotifications } from '../../src/platform/db/schema/index.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { installSlackApp } from './install.ts';

describe('Slack unavailable', () => {
  let ctx: TestApp;
  let slack: FakeSlack;
  let owner: TestUser;
  let businessId: string;

  beforeAll(async () => {
    slack = await startFakeSlack({ clientId: 'c', clientSecret: 's', signingSecret: 'sig' });
    ctx = await buildTestApp({
      env: {
        SLACK_CLIENT_ID: 'c',
        SLACK_CLIENT_SECRET: 's',
        SLACK_SIGNING_SECRET: 'sig',
        SLACK_API_URL: slack.url,
      },
    });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    await installSlackApp(ctx.app, owner, businessId);
    await api(
      ctx.app,
      owner,
      'PATCH',
      `/api/v1/businesses/${businessId}/slack`,
      {
        notifications: { jobs: true },
      },
      200,
    );
  });

  afterAll(async () => {
    await ctx.close();
    await slack.close();
  });

  it('refuses an incoming webhook on a loopback address (SSRF) and keeps the app connected', async () => {
    const { body } = await api<{ error: { code: string; message: string } }>(
      ctx.app,
      owner,
      'PUT',
      `/api/v1/businesses/${businessId}/slack/webhook`,
      { url: slack.incomingWebhookUrl() },
      400,
    );
    expect(body.error.message).toContain('PUBLISH_WEBHOOK_ALLOW_PRIVATE');
    const settings = await api<{ connection: { kind: string } }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/slack`,
      undefined,
      200,
    );
    expect(settings.body.connection.kind).toBe('app');
  });

  it('opens the breaker after repeated failures and defers the rest without counting attempts', async () => {
    for (let index = 0; index < 20; index++) slack.failNext('chat.postMessage', 503);
    const keys: string[] = [];
    for (let index = 0; index < 12; index++) {
      const jobId = randomUUID();
      keys.push(`job.failed:${jobId}`);
      await ctx.runtime.services.heraldEvents.publish(ctx.runtime.database.db, {
        businessId,
        type: 'job.failed',
        key: `job.failed:${jobId}`,
        data: { jobId, kind: 'content.generate', error: 'boom' },
      });
    }
    const now = new Date();
    await ctx.runtime.services.slack.outbox.deliverDue(now);

    const rows = await ctx.runtime.database.db
      .select()
      .from(slackNotifications)
      .where(eq(slackNotifications.businessId, businessId));
    expect(rows).toHaveLength(12);
    const tried = rows.filter((row) => row.attempts === 1);
    const deferred = rows.filter((row) => row.attempts === 0);
    // Slack was asked once per counted attempt, and not at all once the breaker opened.
    expect(slack.callsOf('chat.postMessage')).toHaveLength(tried.length);
    expect(tried.length).toBeGreaterThan(0);
    expect(deferred.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.status === 'pending')).toBe(true);
    expect(deferred.every((row) => row.nextAttemptAt > now && row.lastError === null)).toBe(true);
    expect(ctx.runtime.breakers.states()[`slack:${new URL(slack.url).host}`]).toBe('open');
  });
});

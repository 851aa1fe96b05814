// The Slack app against a local server speaking Slack's Web API: installing it (OAuth v2), the
// notifications Herald's events become, approving a piece from its Slack message (signed
// interactions, the workflow's 409s included), refused unsigned or replayed requests, and
// `/herald ask`.
import { randomUUID } from 'node:crypto';

import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { APPROVE_ACTION, REQUEST_CHANGES_ACTION } from '../../src/modules/slack/messages.ts';
import { slackConnections, slackNotifications } from '../../src/platform/db/schema/index.ts';
import type { HeraldEvent } from '../../src/platform/events.ts';
import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.ts';
import { addMember, newBusiness, newContent, newUser, type TestUser } from '../helpers/fixtures.ts';

const CLIENT_ID = '1234.5678';
const CLIENT_SECRET = 'client-secret';
const SIGNING_SECRET = 'signing-secret-for-tests';

interface SlackSettings {
  connection: {
    kind: string;
    teamId: string | null;
    teamName: string | null;
    channelId: string | null;
    channelName: string | null;
    notifications: Record<string, boolean>;
    bounceRateThreshold: number;
  } | null;
  installAvailable: boolean;
}

interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Record<string, unknown>[];
}

describe('the Slack app', () => {
  let ctx: TestApp;
  let slack: FakeSlack;
  let owner: TestUser;
  let businessId: string;

  const publish = (event: Omit<HeraldEvent, 'businessId'>, id = businessId) =>
    ctx.runtime.services.heraldEvents.publish(ctx.runtime.database.db, {
      ...event,
      businessId: id,
    });
  const deliver = (at?: Date) => ctx.runtime.services.slack.outbox.deliverDue(at);

  /** Starts an install as `user`'s browser: Slack's consent URL and the browser's cookie. */
  async function startInstall(
    user: TestUser,
    id: string,
  ): Promise<{ url: string; cookie: string }> {
    const response = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${id}/slack/install`,
      headers: user.headers,
    });
    expect(response.statusCode).toBe(200);
    const cookie = String(response.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    return { url: response.json<{ url: string }>().url, cookie };
  }

  /** Installs the app the way a browser does: Herald's URL, Slack's consent, the callback. */
  async function install(user: TestUser, id: string): Promise<string> {
    const started = await startInstall(user, id);
    const consent = await fetch(started.url, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location') ?? '');
    const response = await ctx.app.inject({
      method: 'GET',
      url: `${callback.pathname}${callback.search}`,
      headers: { cookie: started.cookie },
    });
    expect(response.statusCode).toBe(302);
    return response.headers.location as string;
  }

  beforeAll(async () => {
    slack = await startFakeSlack({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      signingSecret: SIGNING_SECRET,
    });
    ctx = await buildTestApp({
      env: {
        SLACK_CLIENT_ID: CLIENT_ID,
        SLACK_CLIENT_SECRET: CLIENT_SECRET,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.url,
        // The fake's webhook and response URLs are on loopback.
        PUBLISH_WEBHOOK_ALLOW_PRIVATE: 'true',
      },
    });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    slack.emails.set('U0OWNER', owner.email);
  });

  afterAll(async () => {
    await ctx.close();
    await slack.close();
  });

  it('installs through Slack’s consent page and keeps the bot token encrypted', async () => {
    const before = await api<SlackSettings>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/slack`,
      undefined,
      200,
    );
    expect(before.body).toEqual({ connection: null, installAvailable: true });

    const landing = await install(owner, businessId);
    expect(landing).toBe(
      `${ctx.config.http.publicUrl}/businesses/${businessId}/integrations?slack=connected`,
    );
    const authorize = slack.callsOf('authorize')[0]?.body ?? {};
    expect(authorize.client_id).toBe(CLIENT_ID);
    expect(authorize.scope).toContain('chat:write');

    const { body } = await api<SlackSettings>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/slack`,
      undefined,
      200,
    );
    expect(body.connection).toMatchObject({
      kind: 'app',
      teamId: slack.team.id,
      teamName: slack.team.name,
      channelId: 'C0MARKETING',
      channelName: 'marketing',
    });
    const [row] = await ctx.runtime.database.db
      .select()
      .from(slackConnections)
      .where(eq(slackConnections.businessId, businessId));
    expect(row?.credential).not.toContain(slack.botToken);
    expect(JSON.stringify(body)).not.toContain(slack.botToken);
  });

  it('refuses a callback whose state was tampered with, or that another browser brings', async () => {
    const other = await newUser(ctx.app);
    const otherBusiness = (await newBusiness(ctx.app, other)).id;
    const started = await startInstall(other, otherBusiness);
    expect(started.cookie).toMatch(/^herald_slack_install=.+/);
    const state = new URL(started.url).searchParams.get('state') ?? '';
    const payload = JSON.parse(
      Buffer.from(state.split('.')[0] ?? '', 'base64url').toString(),
    ) as Record<string, unknown>;
    const forged = `${Buffer.from(JSON.stringify({ ...payload, businessId })).toString('base64url')}.${state.split('.')[1] ?? ''}`;
    const tampered = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/slack/oauth/callback?code=anything&state=${encodeURIComponent(forged)}`,
      headers: { cookie: started.cookie },
    });
    expect(tampered.statusCode).toBe(400);
    // The genuine state, but in a browser that did not start the install (login CSRF).
    const elsewhere = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/slack/oauth/callback?code=anything&state=${encodeURIComponent(state)}`,
    });
    expect(elsewhere.statusCode).toBe(400);
    expect(slack.callsOf('oauth.v2.access')).toHaveLength(1);
    const settings = await api<SlackSettings>(
      ctx.app,
      other,
      'GET',
      `/api/v1/businesses/${otherBusiness}/slack`,
      undefined,
      200,
    );
    expect(settings.body.connection).toBeNull();
  });

  it('lists the channels and keeps the notification choices a manager makes', async () => {
    const channels = await api<{ items: { id: string; name: string }[] }>(
      ctx.app,
      owner,
      'GET',
      `/api/v1/businesses/${businessId}/slack/channels`,
      undefined,
      200,
    );
    expect(channels.body.items).toContainEqual({ id: 'C0MARKETING', name: 'marketing' });

    const { body } = await api<SlackSettings['connection']>(
      ctx.app,
      owner,
      'PATCH',
      `/api/v1/businesses/${businessId}/slack`,
      {
        notifications: { jobs: true },
        bounceRateThreshold: 0.1,
      },
      200,
    );
    expect(body).toMatchObject({
      notifications: { jobs: true, publishing: true, bounces: true, budget: true, approvals: true },
      bounceRateThreshold: 0.1,
    });
    await api(
      ctx.app,
      owner,
      'PATCH',
      `/api/v1/businesses/${businessId}/slack`,
      { bounceRateThreshold: 2 },
      400,
    );
    await api(ctx.app, owner, 'PATCH', `/api/v1/businesses/${businessId}/slack`, {}, 400);
  });

  it('answers 404 to another tenant and 401 without credentials', async () => {
    const stranger = await newUser(ctx.app);
    await api(ctx.app, stranger, 'GET', `/api/v1/businesses/${businessId}/slack`, undefined, 404);
    await api(
      ctx.app,
      stranger,
      'DELETE',
      `/api/v1/businesses/${businessId}/slack`,
      undefined,
      404,
    );
    const anonymous = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${businessId}/slack`,
    });
    expect(anonymous.statusCode).toBe(401);
    const viewer = await newUser(ctx.app);
    await addMember(ctx.runtime.database.db, businessId, viewer, 'viewer');
    await api(
      ctx.app,
      viewer,
      'PATCH',
      `/api/v1/businesses/${businessId}/slack`,
      { bounceRateThreshold: 0.2 },
      403,
    );
  });

  it('posts a failed job to the channel once, however often the event is published', async () => {
    const jobId = randomUUID();
    const event = {
      type: 'job.failed' as const,
      key: `job.failed:${jobId}`,
      data: { jobId, kind: 'content.generate', error: 'The model timed out' },
    };
    await publish(event);
    await publish(event);
    await deliver();
    const posts = slack
      .callsOf('chat.postMessage')
      .filter((call) => JSON.stringify(call.body).includes(jobId));
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body.channel).toBe('C0MARKETING');
    expect(posts[0]?.body.text).toContain('The model timed out');
  });

  it('tells of a bounce rate only at or above the threshold chosen', async () => {
    const bounce = (stepId: string, bounceRate: number) => ({
      type: 'sequence.bounce_rate_exceeded' as const,
      key: `sequence.bounce_rate_exceeded:${stepId}`,
      data: {
        sequenceId: randomUUID(),
        sequenceName: 'Welcome',
        stepId,
        stepPosition: 2,
        sent: 100,
        bounced: bounceRate * 100,
        bounceRate,
        threshold: 0.05,
      },
    });
    const low = randomUUID();
    const high = randomUUID();
    await publish(bounce(low, 0.06));
    await publish(bounce(high, 0.12));
    await deliver();
    const texts = slack.callsOf('chat.postMessage').map((call) => JSON.stringify(call.body));
    expect(texts.some((text) => text.includes('12.0 %'))).toBe(true);
    expect(texts.some((text) => text.includes('6.0 %'))).toBe(false);
  });

  it('posts nothing for a kind of notification the business turned off', async () => {
    await api(
      ctx.app,
      owner,
      'PATCH',
      `/api/v1/businesses/${businessId}/slack`,
      {
        notifications: { publishing: false },
      },
      200,
    );
    const publicationId = randomUUID();
    await publish({
      type: 'content.failed',
      key: `content.failed:${publicationId}`,
      data: {
        contentId: randomUUID(),
        campaignId: null,
        platform: 'x',
        publicationId,
        error: 'Quota',
      },
    });
    // An event Slack is never told of (email engagement goes to webhooks only).
    await publish({
      type: 'email.opened',
      key: `email.opened:${publicationId}`,
      data: { subscriberId: randomUUID(), email: 'a@example.com', source: 'broadcast' },
    });
    await deliver();
    const rows = await ctx.runtime.database.db
      .select()
      .from(slackNotifications)
      .where(eq(slackNotifications.businessId, businessId));
    expect(rows.some((row) => row.eventKey.endsWith(publicationId))).toBe(false);
    await api(
      ctx.app,
      owner,
      'PATCH',
      `/api/v1/businesses/${businessId}/slack`,
      {
        notifications: { publishing: true },
      },
      200,
    );
  });

  it('retries a message Slack failed with backoff, then posts it', async () => {
    const month = `2031-0${Math.floor(Math.random() * 9) + 1}`;
    slack.failNext('chat.postMessage', 500);
    await publish({
      type: 'ai.budget_threshold',
      key: `ai.budget_threshold:${month}:80`,
      data: { percent: 80, spentUsd: 4, budgetUsd: 5, month },
    });
    const now = new Date();
    await deliver(now);
    const [row] = await ctx.runtime.database.db
      .select()
      .from(slackNotifications)
      .where(eq(slackNotifications.eventKey, `ai.budget_threshold:${month}:80`));
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    await deliver(now); // not due yet: nothing is asked of Slack
    expect(
      slack.callsOf('chat.postMessage').filter((c) => JSON.stringify(c.body).includes(month)),
    ).toHaveLength(1);
    await deliver(new Date(now.getTime() + 60_000));
    const [sent] = await ctx.runtime.database.db
      .select()
      .from(slackNotifications)
      .where(eq(slackNotifications.eventKey, `ai.budget_threshold:${month}:80`));
    expect(sent?.status).toBe('sent');
  });

  describe('approvals from Slack', () => {
    async function pieceInReview(): Promise<{ contentId: string; message: PostedMessage }> {
      const { id: contentId } = await newContent(ctx.app, owner, businessId, {
        topic: `Rye ${randomUUID()}`,
      });
      await api(
        ctx.app,
        owner,
        'POST',
        `/api/v1/businesses/${businessId}/contents/${contentId}/status`,
        { status: 'in_review' },
        200,
      );
      await publish({
        type: 'content.in_review',
        key: `content.in_review:${contentId}:1`,
        data: {
          contentId,
          campaignId: null,
          platform: 'x',
          title: 'Spring loaves',
          excerpt: 'Spring loaves are here.',
        },
      });
      await deliver();
      const post = await slack.waitFor('chat.postMessage', (call) =>
        JSON.stringify(call.body).includes(contentId),
      );
      return {
        contentId,
        message: {
          channel: String(post.body.channel),
          ts: await postedTs(contentId),
          text: String(post.body.text),
          blocks: post.body.blocks as Record<string, unknown>[],
        },
      };
    }

    async function postedTs(contentId: string): Promise<string> {
      const result = await ctx.runtime.database.query<{ ts: string }>(
        'SELECT ts FROM slack_approval_messages WHERE content_id = $1',
        [contentId],
      );
      const ts = result[0]?.ts;
      if (!ts) throw new Error('the approval message was not stored');
      return ts;
    }

    const statusOf = async (contentId: string) =>
      (
        await api<{ status: string }>(
          ctx.app,
          owner,
          'GET',
          `/api/v1/businesses/${businessId}/contents/${contentId}`,
          undefined,
          200,
        )
      ).body.status;

    it('approves a piece through a signed interaction and updates the message', async () => {
      const { contentId, message } = await pieceInReview();
      expect(JSON.stringify(message.blocks)).toContain('Approve');
      const response = await slack.click(ctx.app, message, APPROVE_ACTION, 'U0OWNER');
      expect(response.statusCode).toBe(200);
      expect(await statusOf(contentId)).toBe('approved');
      const update = await slack.waitFor('chat.update', (call) => call.body.ts === message.ts);
      expect(JSON.stringify(update.body)).toContain('Approved by <@U0OWNER>');
      expect(JSON.stringify(update.body)).not.toContain(APPROVE_ACTION);
      // The review trail names the Herald account behind the Slack user, as for the dashboard.
      const trail = await api<{ items: { toStatus: string; actor: { email: string } | null }[] }>(
        ctx.app,
        owner,
        'GET',
        `/api/v1/businesses/${businessId}/contents/${contentId}/transitions`,
        undefined,
        200,
      );
      expect(trail.body.items.at(-1)).toMatchObject({
        toStatus: 'approved',
        actor: { email: owner.email },
      });

      // The same button again: the workflow's 409, told in the message; nothing changes.
      await slack.click(ctx.app, message, APPROVE_ACTION, 'U0OWNER');
      expect(await statusOf(contentId)).toBe('approved');
      const refused = slack.callsOf('chat.update').filter((call) => call.body.ts === message.ts);
      expect(JSON.stringify(refused.at(-1)?.body)).toContain('could not approve');
    });

    it('sends a piece back to draft with Request changes', async () => {
      const { contentId, message } = await pieceInReview();
      await slack.click(ctx.app, message, REQUEST_CHANGES_ACTION, 'U0OWNER');
      expect(await statusOf(contentId)).toBe('draft');
    });

    it('refuses politely a Slack user without a Herald account, and a member who may not approve', async () => {
      const { contentId, message } = await pieceInReview();
      await slack.click(ctx.app, message, APPROVE_ACTION, 'U0NOBODY');
      const answer = await slack.waitFor('response', (call) =>
        String(call.body.text).includes('no account'),
      );
      expect(answer.body.response_type).toBe('ephemeral');

      const editor = await newUser(ctx.app);
      await addMember(ctx.runtime.database.db, businessId, editor, 'editor');
      slack.emails.set('U0EDITOR', editor.email);
      await slack.click(ctx.app, message, APPROVE_ACTION, 'U0EDITOR');
      expect(await statusOf(contentId)).toBe('in_review');
      const update = slack
        .callsOf('chat.update')
        .filter((call) => call.body.ts === message.ts)
        .at(-1);
      expect(JSON.stringify(update?.body)).toContain('may not approve');
      expect(JSON.stringify(update?.body)).toContain(APPROVE_ACTION); // someone else still can
    });

    it('refuses a bad signature or an old timestamp with 401, and changes nothing', async () => {
      const { contentId, message } = await pieceInReview();
      const forged = await slack.click(ctx.app, message, APPROVE_ACTION, 'U0OWNER', {
        secret: 'not-the-secret',
      });
      expect(forged.statusCode).toBe(401);
      expect(forged.json<{ error: { code: string } }>().error.code).toBe('UNAUTHENTICATED');
      const replayed = await slack.click(ctx.app, message, APPROVE_ACTION, 'U0OWNER', {
        ageSeconds: 6 * 60,
      });
      expect(replayed.statusCode).toBe(401);
      const unsigned = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/slack/interactions',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'payload=%7B%7D',
      });
      expect(unsigned.statusCode).toBe(401);
      // Signed, but not a payload Herald sent buttons for: 400, nothing changed.
      const malformed = slack.signed({ payload: '{not json' });
      const bad = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/slack/interactions',
        headers: malformed.headers,
        payload: malformed.body,
      });
      expect(bad.statusCode).toBe(400);
      expect(await statusOf(contentId)).toBe('in_review');
    });
  });

  it('answers /herald ask through the agents, on the response_url', async () => {
    const response = await slack.command(
      ctx.app,
      'ask what should we post this week?',
      'U0OWNER',
      'C0MARKETING',
    );
    expect(response.statusCode).toBe(200);
    expect(response.json<{ response_type: string; text: string }>()).toMatchObject({
      response_type: 'ephemeral',
    });
    await ctx.runtime.services.slack.interactions.settle();
    const answer = await slack.waitFor('response', (call) =>
      String(call.body.text).includes('what should we post this week?'),
    );
    expect(String(answer.body.text).length).toBeGreaterThan(
      '*You asked:* what should we post this week?'.length + 2,
    );
    expect(String(answer.body.text)).not.toContain('could not answer');

    const help = await slack.command(ctx.app, 'hello', 'U0OWNER', 'C0MARKETING');
    expect(help.json<{ text: string }>().text).toContain('/herald ask');
  });

  it('posts to an incoming webhook, and stops after disconnecting', async () => {
    const owner2 = await newUser(ctx.app);
    const business2 = (await newBusiness(ctx.app, owner2)).id;
    const hook = slack.incomingWebhookUrl();
    await api(
      ctx.app,
      owner2,
      'PUT',
      `/api/v1/businesses/${business2}/slack/webhook`,
      { url: 'not a url' },
      400,
    );
    const { body } = await api<{ kind: string }>(
      ctx.app,
      owner2,
      'PUT',
      `/api/v1/businesses/${business2}/slack/webhook`,
      { url: hook, channelName: 'news' },
      200,
    );
    expect(body.kind).toBe('webhook');
    const publicationId = randomUUID();
    await publish(
      {
        type: 'content.published',
        key: `content.published:${publicationId}`,
        data: {
          contentId: randomUUID(),
          campaignId: null,
          platform: 'linkedin',
          publicationId,
          url: 'https://example.com/post/1',
        },
      },
      business2,
    );
    await deliver();
    const posted = await slack.waitFor('webhook', (call) =>
      JSON.stringify(call.body).includes('https://example.com/post/1'),
    );
    expect(posted.token).toBeUndefined();

    await api(ctx.app, owner2, 'DELETE', `/api/v1/businesses/${business2}/slack`, undefined, 204);
    await api(ctx.app, owner2, 'DELETE', `/api/v1/businesses/${business2}/slack`, undefined, 204);
    await api(
      ctx.app,
      owner2,
      'PATCH',
      `/api/v1/businesses/${business2}/slack`,
      { bounceRateThreshold: 0.2 },
      409,
    );
    const later = randomUUID();
    await publish(
      {
        type: 'content.published',
        key: `content.published:${later}`,
        data: {
          contentId: randomUUID(),
          campaignId: null,
          platform: 'linkedin',
          publicationId: later,
          url: 'https://example.com/post/2',
        },
      },
      business2,
    );
    await deliver();
    expect(
      slack.callsOf('webhook').some((call) => JSON.stringify(call.body).includes('post/2')),
    ).toBe(false);
  });
});

// The whole path a marketer takes, through the API only: business → campaign → strategy job →
// placeholders → generated content → review → schedule → published through the outbox. Once on
// the builtin provider, once on the fault-injecting OpenAI-compatible server (which also fails
// a few calls on the way).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api, finishedJob } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newCampaign, newUser } from '../helpers/fixtures.ts';
import { type ContentView, dueNow, type JobView, untilStatus } from './helpers.ts';

async function walkThrough(ctx: TestApp, expectedProvider: string) {
  const { app } = ctx;
  const owner = await newUser(app);
  const business = await newBusiness(app, owner, {
    channels: ['linkedin', 'instagram', 'email'],
    products: [{ name: 'Spring sourdough' }],
  });
  const campaign = await newCampaign(app, owner, business.id);
  const b = `/api/v1/businesses/${business.id}`;

  const started = await api<{ job: JobView }>(
    app,
    owner,
    'POST',
    `${b}/campaigns/${campaign.id}/strategy`,
    { notes: 'Saturdays matter most' },
    202,
  );
  const strategyJob = await finishedJob(app, owner, started.body.job.id);
  expect(strategyJob.error).toBeNull();
  expect(strategyJob.status).toBe('succeeded');
  expect(strategyJob.result?.generatedBy).toEqual([
    expect.objectContaining({ provider: expectedProvider }),
  ]);

  const strategies = await api<{
    items: { version: number; strategy: { calendar: { date: string; platform: string }[] } }[];
  }>(app, owner, 'GET', `${b}/campaigns/${campaign.id}/strategies`, undefined, 200);
  expect(strategies.body.items.map((item) => item.version)).toEqual([1]);
  const calendar = strategies.body.items[0]?.strategy.calendar ?? [];
  expect(calendar.length).toBeGreaterThan(0);
  for (const entry of calendar) {
    expect(entry.date >= '2026-03-02' && entry.date <= '2026-04-12').toBe(true);
    expect(['linkedin', 'instagram', 'email']).toContain(entry.platform);
  }
  const campaignView = await api<{ strategyVersion: number }>(
    app,
    owner,
    'GET',
    `${b}/campaigns/${campaign.id}`,
  );
  expect(campaignView.body.strategyVersion).toBe(1);

  const placeholders = await api<{ items: ContentView[] }>(
    app,
    owner,
    'GET',
    `${b}/contents?campaignId=${campaign.id}&limit=200`,
    undefined,
    200,
  );
  expect(placeholders.body.items).toHaveLength(
    new Set(calendar.map((e) => JSON.stringify(e))).size,
  );
  expect(placeholders.body.items.every((item) => item.status === 'draft' && !item.body)).toBe(true);

  const piece =
    placeholders.body.items.find((item) => item.platform === 'instagram') ??
    placeholders.body.items[0];
  if (!piece) throw new Error('no placeholder');
  const generated = await api<{ job: JobView }>(
    app,
    owner,
    'POST',
    `${b}/contents/${piece.id}/generate`,
    {},
    202,
  );
  const contentJob = await finishedJob(app, owner, generated.body.job.id);
  expect(contentJob.error).toBeNull();
  const written = await api<ContentView>(app, owner, 'GET', `${b}/contents/${piece.id}`);
  expect(written.body.currentVersion).toBe(1);
  expect(written.body.body).toBeTruthy();

  await api(app, owner, 'POST', `${b}/contents/${piece.id}/status`, { status: 'in_review' }, 200);
  await api(app, owner, 'POST', `${b}/contents/${piece.id}/status`, { status: 'approved' }, 200);
  const scheduled = await api<ContentView>(
    app,
    owner,
    'POST',
    `${b}/contents/${piece.id}/schedule`,
    { publishAt: dueNow() },
    200,
  );
  expect(scheduled.body.status).toBe('scheduled');

  const published = await untilStatus(app, owner, business.id, piece.id, ['published', 'failed']);
  expect(published.status).toBe('published');
  expect(published.publishedAt).not.toBeNull();
  const attempts = await api<{ items: { outcome: string; channel: string }[] }>(
    app,
    owner,
    'GET',
    `${b}/contents/${piece.id}/attempts`,
  );
  expect(attempts.body.items).toEqual([
    expect.objectContaining({ outcome: 'success', channel: 'outbox' }),
  ]);
  const outbox = await api<{ items: { contentId: string; payload: Record<string, unknown> }[] }>(
    app,
    owner,
    'GET',
    `${b}/publications`,
  );
  expect(outbox.body.items).toHaveLength(1);
  expect(outbox.body.items[0]?.contentId).toBe(piece.id);
  expect(outbox.body.items[0]?.payload).toMatchObject(written.body.body ?? {});

  // Regenerating keeps version 1, and the piece in progress is not made again.
  const again = await api<{ job: JobView }>(
    app,
    owner,
    'POST',
    `${b}/campaigns/${campaign.id}/strategy`,
    {},
    202,
  );
  expect((await finishedJob(app, owner, again.body.job.id)).status).toBe('succeeded');
  const versions = await api<{ items: { version: number }[] }>(
    app,
    owner,
    'GET',
    `${b}/campaigns/${campaign.id}/strategies`,
  );
  expect(versions.body.items.map((item) => item.version)).toEqual([2, 1]);
  const after = await api<{ items: ContentView[] }>(
    app,
    owner,
    'GET',
    `${b}/contents?campaignId=${campaign.id}&limit=200`,
  );
  expect(after.body.items.filter((item) => item.id === piece.id)).toHaveLength(1);
  const topics = after.body.items.map(
    (item) => `${item.plannedDate}|${item.platform}|${item.topic}`,
  );
  expect(new Set(topics).size).toBe(topics.length);

  // The overview counts it.
  const overview = await api<{ contentByStatus: Record<string, number> }>(
    app,
    owner,
    'GET',
    `${b}/analytics/overview`,
    undefined,
    200,
  );
  expect(overview.body.contentByStatus.published).toBe(1);
}

describe('campaign to published post, on the builtin provider', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp({ worker: true });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('creates a strategy, placeholders, content, and publishes it through the outbox', async () => {
    await walkThrough(ctx, 'builtin');
  }, 60_000);
});

/** Answers like a model: a valid strategy or a piece for the platform the prompt names. */
export function modelAnswer(prompt: string): string {
  if (prompt.includes('Now do the task "campaign-strategy"')) {
    const calendar = [];
    const platforms = ['linkedin', 'instagram', 'email'];
    for (let week = 0; week < 6; week++) {
      for (const [index, platform] of platforms.entries()) {
        const day = new Date(Date.UTC(2026, 2, 2 + week * 7 + index));
        calendar.push({
          date: day.toISOString().slice(0, 10),
          platform,
          contentType: platform === 'email' ? 'newsletter' : 'post',
          topic: `Week ${week + 1} on ${platform}: the spring loaves`,
          callToAction: 'Order for Saturday',
        });
      }
    }
    return JSON.stringify({
      summary: 'Six weeks of spring bread, three channels, one message: come on Saturday.',
      objectives: [
        { objective: 'Sell out Saturdays', metric: 'orders', target: 200, unit: 'orders' },
      ],
      audience: { description: 'Parents in Lyon', segments: ['Regulars', 'New neighbours'] },
      keyMessages: ['Spring loaves, baked at dawn'],
      channelMix: platforms.map((channel) => ({
        channel,
        sharePercent: 33,
        rationale: 'Where our customers are',
      })),
      calendar,
    });
  }
  if (/"platform":\s*"instagram"/.test(prompt)) {
    return JSON.stringify({ caption: 'Spring loaves are here. #bread #lyon', imageIdea: 'Loaves' });
  }
  if (/"platform":\s*"email"/.test(prompt)) {
    return JSON.stringify({ subject: 'Spring loaves', preheader: 'Baked at dawn', body: 'Hello!' });
  }
  return JSON.stringify({ text: 'Spring loaves are here. Order for Saturday.' });
}

describe('campaign to published post, on an OpenAI-compatible model server', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  beforeAll(async () => {
    fake = await startFakeLlm();
    fake.otherwise((request) => ({
      content: modelAnswer(request.messages.map((message) => message.content).join('\n')),
    }));
    ctx = await buildTestApp({ worker: true, env: fakeLlmEnv(fake, { LLM_TIMEOUT_MS: '10000' }) });
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  it('gets through a 500 and a broken answer on the way and publishes through the outbox', async () => {
    fake.script({ status: 500 }, { content: '{"summary": "cut off' });
    await walkThrough(ctx, 'openai-compatible');
    const strong = fake.requests.filter((request) => request.body.model === 'fake-strong');
    const fast = fake.requests.filter((request) => request.body.model === 'fake-fast');
    expect(strong.length).toBeGreaterThanOrEqual(3); // 500, broken, valid (+ the regeneration)
    expect(fast.length).toBeGreaterThanOrEqual(1);
  }, 60_000);
});

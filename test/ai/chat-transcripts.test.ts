// The kept transcript of each model call (chat steps and ai.run alike): what was sent and what
// came back, secrets redacted, readable only by its business, and purged after the retention.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { transcriptPurgeLoop } from '../../src/ai/transcript-purge.ts';
import { aiCallTranscripts } from '../../src/platform/db/schema/index.ts';
import { api, finishedJob } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newUser, type TestBusiness, type TestUser } from '../helpers/fixtures.ts';
import { chatStep } from './chat-helpers.ts';
import { callsOf, rejection, suggestVoice, VALID_JSON } from './helpers.ts';

const DAY = 86_400_000;
const KEY = 'sk-proj-Zx81abcdefghijklmnopqrstu';

describe('transcripts of model calls', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;
  let who: { businessId: string; userId: string };

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp({ env: fakeLlmEnv(fake, { LLM_MAX_RETRIES: '0' }) });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });
  beforeEach(async () => {
    fake.reset();
    business = await newBusiness(ctx.app, owner);
    who = { businessId: business.id, userId: owner.id };
  });

  const ai = () => ctx.runtime.services.ai;
  const db = () => ctx.runtime.database.db;

  it('keeps what a chat step sent and got back, with secrets redacted', async () => {
    fake.script({
      content: 'Checking.',
      toolCalls: [{ name: 'segment_size', arguments: '{"segment": "vip",' }],
    });
    const { result } = await chatStep(
      ctx,
      [{ role: 'user', content: `Our key is ${KEY} and the SMTP password: hunter2. VIPs?` }],
      who,
    );

    const transcript = await ai().transcriptOf(business.id, result.callId);
    expect(transcript).toBeDefined();
    const prompt = JSON.stringify(transcript?.prompt);
    expect(prompt).not.toContain(KEY);
    expect(prompt).not.toContain('hunter2');
    expect(prompt).toContain('[REDACTED]');
    expect(transcript?.prompt).toMatchObject({
      system: expect.stringContaining('You are the analyst of a marketing team.') as string,
      messages: [{ role: 'user', content: expect.stringContaining('VIPs?') as string }],
    });
    const tools = transcript?.prompt.tools as { name: string; inputSchema: unknown }[];
    expect(tools.map((tool) => tool.name)).toContain('segment_size');
    // The answer as the model wrote it: the tool call's raw, broken arguments.
    expect(transcript?.response).toEqual({
      text: 'Checking.',
      toolCalls: [
        { id: expect.any(String) as string, name: 'segment_size', arguments: '{"segment": "vip",' },
      ],
    });

    // Another business cannot read it.
    const other = await newBusiness(ctx.app, owner);
    expect(await ai().transcriptOf(other.id, result.callId)).toBeUndefined();
  });

  it('keeps the transcript of a failed attempt, with why', async () => {
    fake.script({ status: 500 });
    await rejection(chatStep(ctx, [{ role: 'user', content: 'Hello' }], who));
    const [row] = await callsOf(ctx, business.id);
    expect(row?.outcome).toBe('upstream_error');
    const transcript = await ai().transcriptOf(business.id, row?.id ?? '');
    expect(transcript?.response).toMatchObject({ text: '', toolCalls: [] });
    expect(transcript?.response?.error).toMatch(/500/);
  });

  it('keeps the transcripts of ai.run calls too', async () => {
    fake.script({ content: VALID_JSON });
    await suggestVoice(ctx, owner, business);
    const [row] = await callsOf(ctx, business.id);
    const transcript = await ai().transcriptOf(business.id, row?.id ?? '');
    expect(transcript?.prompt).toMatchObject({
      system: expect.stringContaining('JSON schema') as string,
      jsonSchema: { type: 'object' },
    });
    expect(transcript?.response).toEqual({ text: VALID_JSON });
  });

  it('purges only the transcripts older than the cut-off', async () => {
    fake.script({ content: 'Old answer.' }, { content: 'New answer.' });
    const old = await chatStep(ctx, [{ role: 'user', content: 'Old' }], who);
    const recent = await chatStep(ctx, [{ role: 'user', content: 'New' }], who);
    await db()
      .update(aiCallTranscripts)
      .set({ createdAt: new Date(Date.now() - 40 * DAY) })
      .where(eq(aiCallTranscripts.callId, old.result.callId));

    expect(await ai().purgeTranscripts(new Date(Date.now() - 30 * DAY))).toBe(1);
    expect(await ai().transcriptOf(business.id, old.result.callId)).toBeUndefined();
    expect(await ai().transcriptOf(business.id, recent.result.callId)).toBeDefined();
    // The call's ai_calls row stays: usage figures outlive transcripts.
    expect((await callsOf(ctx, business.id)).map((row) => row.id)).toContain(old.result.callId);
  });

  it('the background purge deletes what the retention has passed', async () => {
    fake.script({ content: 'Answer.' });
    const step = await chatStep(ctx, [{ role: 'user', content: 'Hi' }], who);
    // Seen from 31 days ahead, with a 30-day retention, today's transcript has expired.
    const loop = transcriptPurgeLoop(ai(), {
      retentionDays: 30,
      intervalMs: 60 * 60_000,
      logger: ctx.runtime.logger,
      now: () => new Date(Date.now() + 31 * DAY),
    });
    loop.start(); // its first round runs at once; stop() waits for it
    await loop.stop();
    expect(await ai().transcriptOf(business.id, step.result.callId)).toBeUndefined();
  });
});

describe('a job’s model calls', () => {
  let fake: FakeLlm;
  let jobsCtx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;

  beforeAll(async () => {
    fake = await startFakeLlm();
    jobsCtx = await buildTestApp({ worker: true, env: fakeLlmEnv(fake) });
    owner = await newUser(jobsCtx.app);
    business = await newBusiness(jobsCtx.app, owner);
  });
  afterAll(async () => {
    await jobsCtx.close();
    await fake.close();
  });

  it('lists a job’s model calls, each retry too, with their transcripts; not another business’s', async () => {
    fake.script({ content: 'not json at all' }, { content: VALID_JSON });
    const started = await api<{ job: { id: string } }>(
      jobsCtx.app,
      owner,
      'POST',
      `/api/v1/businesses/${business.id}/ai/brand-voice`,
      { notes: 'Sourdough only.' },
      202,
    );
    const jobId = started.body.job.id;
    expect((await finishedJob(jobsCtx.app, owner, jobId)).status).toBe('succeeded');
    const calls = await api<{ items: { id: string; outcome: string; hasTranscript: boolean }[] }>(
      jobsCtx.app,
      owner,
      'GET',
      `/api/v1/businesses/${business.id}/jobs/${jobId}/ai-calls`,
    );
    expect(calls.status).toBe(200);
    expect(calls.body.items.map((call) => [call.outcome, call.hasTranscript])).toEqual([
      ['invalid_output', true],
      ['success', true],
    ]);
    const first = await api<{ response: { text: string } }>(
      jobsCtx.app,
      owner,
      'GET',
      `/api/v1/businesses/${business.id}/ai/calls/${calls.body.items[0]?.id ?? ''}/transcript`,
    );
    expect(first.body.response.text).toBe('not json at all');

    const stranger = await newUser(jobsCtx.app);
    const theirs = await newBusiness(jobsCtx.app, stranger);
    const elsewhere = await api(
      jobsCtx.app,
      stranger,
      'GET',
      `/api/v1/businesses/${theirs.id}/jobs/${jobId}/ai-calls`,
    );
    expect(elsewhere.status).toBe(404);

    const badId = await api<{ error: { code: string } }>(
      jobsCtx.app,
      owner,
      'GET',
      `/api/v1/businesses/${business.id}/jobs/not-a-job/ai-calls`,
    );
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe('VALIDATION_ERROR');
    const anonymous = await jobsCtx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${business.id}/jobs/${jobId}/ai-calls`,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

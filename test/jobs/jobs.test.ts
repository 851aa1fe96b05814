import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestBusiness, type TestUser } from '../helpers/fixtures.ts';

interface Job {
  id: string;
  businessId: string;
  kind: string;
  status: string;
  progress: number;
  result: {
    suggestion?: { tone: string; wordsToUse: string[] };
    generatedBy?: { provider: string; model: string }[];
  } | null;
  error: { code: string; message: string } | null;
}

describe('asynchronous AI jobs', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;
  let baseUrl: string;

  beforeAll(async () => {
    ctx = await buildTestApp({ worker: true });
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
    owner = await newUser(ctx.app);
    business = await newBusiness(ctx.app, owner);
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function startBrandVoice(
    user: TestUser,
    businessId: string,
    options: { key?: string; body?: Record<string, unknown> } = {},
  ) {
    return ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/ai/brand-voice`,
      headers: { ...user.headers, ...(options.key ? { 'idempotency-key': options.key } : {}) },
      payload: options.body ?? { notes: 'We bake sourdough every morning.' },
    });
  }

  async function waitForJob(jobId: string, user: TestUser = owner): Promise<Job> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const response = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/jobs/${jobId}`,
        headers: user.headers,
      });
      expect(response.statusCode).toBe(200);
      const job = response.json<Job>();
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Reads a server-sent event stream to its end and returns the events. */
  async function readEvents(url: string): Promise<{ event: string; data: Job }[]> {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    return text
      .split('\n\n')
      .filter((block) => block.startsWith('event:'))
      .map((block) => {
        const lines = block.split('\n');
        const event = lines.find((line) => line.startsWith('event: '))?.slice(7) ?? '';
        const data = lines.find((line) => line.startsWith('data: '))?.slice(6) ?? 'null';
        return { event, data: JSON.parse(data) as Job };
      });
  }

  it('answers 202 with a queued job that a worker completes, visible by polling', async () => {
    const response = await startBrandVoice(owner, business.id);
    expect(response.statusCode).toBe(202);
    const { job } = response.json<{ job: Job }>();
    expect(job).toMatchObject({
      businessId: business.id,
      kind: 'ai.brand-voice',
      status: 'queued',
    });

    const done = await waitForJob(job.id);
    expect(done.status).toBe('succeeded');
    expect(done.progress).toBe(100);
    expect(done.result?.suggestion?.tone.length).toBeGreaterThan(0);
    expect(done.result?.suggestion?.wordsToUse.length).toBeGreaterThanOrEqual(3);
    // The embedded default is labelled for what it is: templates, not a model.
    expect(done.result?.generatedBy).toEqual([{ provider: 'builtin', model: 'builtin' }]);

    const listed = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${business.id}/jobs`,
      headers: owner.headers,
    });
    expect(listed.json<{ items: Job[] }>().items.map((item) => item.id)).toContain(job.id);
  });

  it('streams progress and the final result as server-sent events', async () => {
    const { job } = (await startBrandVoice(owner, business.id)).json<{ job: Job }>();
    const events = await readEvents(
      `${baseUrl}/api/v1/jobs/${job.id}/events?accessToken=${owner.accessToken}`,
    );
    expect(events.length).toBeGreaterThanOrEqual(1);
    const last = events.at(-1);
    expect(last?.event).toBe('done');
    expect(last?.data.status).toBe('succeeded');
    expect(last?.data.result?.suggestion).toBeDefined();
    expect(events.slice(0, -1).every((event) => event.event === 'progress')).toBe(true);
  });

  it('keeps running when the client disconnects from the stream', async () => {
    const { job } = (await startBrandVoice(owner, business.id)).json<{ job: Job }>();
    const controller = new AbortController();
    const response = await fetch(
      `${baseUrl}/api/v1/jobs/${job.id}/events?accessToken=${owner.accessToken}`,
      { signal: controller.signal },
    );
    expect(response.status).toBe(200);
    controller.abort();
    const done = await waitForJob(job.id);
    expect(done.status).toBe('succeeded');
  });

  it('returns the same job for the same Idempotency-Key and body, 409 for another body', async () => {
    const first = await startBrandVoice(owner, business.id, { key: 'voice-1' });
    const again = await startBrandVoice(owner, business.id, { key: 'voice-1' });
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json<{ job: Job }>().job.id).toBe(first.json<{ job: Job }>().job.id);

    const other = await startBrandVoice(owner, business.id, {
      key: 'voice-1',
      body: { notes: 'something else entirely' },
    });
    expect(other.statusCode).toBe(409);
    expect(other.json<{ error: { code: string } }>().error.code).toBe('CONFLICT');
  });

  it("hides a business's jobs from another user (404), and from anonymous callers (401)", async () => {
    const { job } = (await startBrandVoice(owner, business.id)).json<{ job: Job }>();
    const stranger = await newUser(ctx.app);
    for (const url of [`/api/v1/jobs/${job.id}`, `/api/v1/businesses/${business.id}/jobs`]) {
      const response = await ctx.app.inject({ method: 'GET', url, headers: stranger.headers });
      expect(response.statusCode).toBe(404);
      expect((await ctx.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    }
    const stream = await fetch(
      `${baseUrl}/api/v1/jobs/${job.id}/events?accessToken=${stranger.accessToken}`,
    );
    expect(stream.status).toBe(404);
    expect((await startBrandVoice(stranger, business.id)).statusCode).toBe(404);
    await waitForJob(job.id);
  });

  it('records a failed job with an error code and a message a marketer can act on', async () => {
    const broke = await newBusiness(ctx.app, owner, { aiDailyBudgetUsd: 0 });
    const { job } = (await startBrandVoice(owner, broke.id)).json<{ job: Job }>();
    const done = await waitForJob(job.id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('AI_BUDGET_EXCEEDED');
    expect(done.error?.message).toMatch(/budget/i);
  });

  it('rejects a bad body with 400 and starts nothing', async () => {
    const before = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${business.id}/jobs?limit=100`,
      headers: owner.headers,
    });
    const response = await startBrandVoice(owner, business.id, {
      body: { notes: 'x'.repeat(5000) },
    });
    expect(response.statusCode).toBe(400);
    const after = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${business.id}/jobs?limit=100`,
      headers: owner.headers,
    });
    expect(after.json<{ items: Job[] }>().items.length).toBe(
      before.json<{ items: Job[] }>().items.length,
    );
  });
});

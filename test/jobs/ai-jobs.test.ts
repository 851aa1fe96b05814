// AI jobs against a real (fake) model server: the job runs the provider call in the worker,
// streams its progress, survives a client that goes away, names the model that answered, and
// fails with a code and message a marketer can act on.
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { callsOf, VALID_JSON, VALID_VOICE } from '../ai/helpers.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newUser, type TestBusiness, type TestUser } from '../helpers/fixtures.ts';

interface Job {
  id: string;
  status: string;
  progress: number;
  progressMessage: string | null;
  result: {
    suggestion?: typeof VALID_VOICE;
    generatedBy?: { provider: string; model: string }[];
  } | null;
  error: { code: string; message: string } | null;
}

describe('AI jobs with a model provider', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;
  let baseUrl: string;

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp({ worker: true, env: fakeLlmEnv(fake) });
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
    owner = await newUser(ctx.app);
    business = await newBusiness(ctx.app, owner);
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
  });

  async function start(): Promise<Job> {
    const response = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${business.id}/ai/brand-voice`,
      headers: owner.headers,
      payload: { notes: 'Sourdough only.' },
    });
    expect(response.statusCode).toBe(202);
    return response.json<{ job: Job }>().job;
  }

  async function finished(jobId: string): Promise<Job> {
    for (;;) {
      const response = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/jobs/${jobId}`,
        headers: owner.headers,
      });
      const job = response.json<Job>();
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
      await sleep(50);
    }
  }

  async function untilModelAsked(count: number): Promise<void> {
    while (fake.requests.length < count) await sleep(20);
  }

  it('runs the model call in the worker and names the model in the result', async () => {
    fake.script({ content: VALID_JSON });
    const job = await start();
    expect(job.status).toBe('queued');
    const done = await finished(job.id);
    expect(done).toMatchObject({ status: 'succeeded', progress: 100, error: null });
    expect(done.result?.suggestion).toEqual(VALID_VOICE);
    expect(done.result?.generatedBy).toEqual([
      { provider: 'openai-compatible', model: 'fake-fast' },
    ]);
    const rows = (await callsOf(ctx, business.id)).filter((row) => row.jobId === job.id);
    expect(rows.map((row) => [row.outcome, row.userId])).toEqual([['success', owner.id]]);
  });

  it('streams progress while the model works, then the result', async () => {
    // Slow enough that the stream (which re-reads the job every 400 ms) sees it running.
    fake.script({ content: VALID_JSON, delayMs: 1200 });
    const job = await start();
    const response = await fetch(
      `${baseUrl}/api/v1/jobs/${job.id}/events?accessToken=${owner.accessToken}`,
    );
    const events = (await response.text())
      .split('\n\n')
      .filter((block) => block.startsWith('event:'))
      .map((block) => ({
        event: block.split('\n')[0]?.slice(7),
        data: JSON.parse(
          block
            .split('\n')
            .find((line) => line.startsWith('data: '))
            ?.slice(6) ?? 'null',
        ) as Job,
      }));
    const progress = events.filter((e) => e.event === 'progress');
    expect(progress.some((e) => e.data.status === 'running' && e.data.progress > 0)).toBe(true);
    expect(progress.map((e) => e.data.progressMessage)).toContain('Drafting a brand voice');
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { status: 'succeeded' } });
    expect(events.at(-1)?.data.result?.suggestion).toEqual(VALID_VOICE);
  });

  it('keeps the model call and the job going when the client disconnects mid-run', async () => {
    fake.script({ content: VALID_JSON, delayMs: 800 });
    const job = await start();
    const controller = new AbortController();
    const stream = await fetch(
      `${baseUrl}/api/v1/jobs/${job.id}/events?accessToken=${owner.accessToken}`,
      { signal: controller.signal },
    );
    expect(stream.status).toBe(200);
    await untilModelAsked(1); // the job is now waiting on the model
    controller.abort();

    const done = await finished(job.id);
    expect(done.status).toBe('succeeded');
    expect(done.result?.suggestion).toEqual(VALID_VOICE);
    expect(fake.requests).toHaveLength(1);
  });

  it('fails with AI_OUTPUT_INVALID and a message a marketer can act on when answers stay unusable', async () => {
    fake.otherwise({ content: 'Sorry, I cannot help with bread.' });
    try {
      const job = await start();
      const done = await finished(job.id);
      expect(done.status).toBe('failed');
      expect(done.result).toBeNull();
      expect(done.error?.code).toBe('AI_OUTPUT_INVALID');
      expect(done.error?.message).toMatch(/Nothing was saved\. Try again/);
      const rows = (await callsOf(ctx, business.id)).filter((row) => row.jobId === job.id);
      expect(rows.map((row) => row.outcome)).toEqual([
        'invalid_output',
        'invalid_output',
        'invalid_output',
      ]);
    } finally {
      fake.otherwise({ status: 500 });
    }
  });

  it('fails with UPSTREAM_UNAVAILABLE when the provider keeps erroring', async () => {
    fake.script({ status: 502 }, { status: 503 }, { status: 500 });
    const done = await finished((await start()).id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(done.error?.message).toMatch(/unavailable right now.*Try again in a few minutes/);
    // Recover the breaker's failure count for the other tests.
    fake.script({ content: VALID_JSON });
    expect((await finished((await start()).id)).status).toBe('succeeded');
  });
});

// A job whose worker is lost mid-run (killed, its host gone) is retried once its queue heartbeat
// goes stale — not at the 15-minute expiry — and says so in the meantime. Here the lost worker is
// a run started from a job taken off the queue by hand, which then never heartbeats: exactly what
// the queue sees of a killed process. Elapsed time is driven from the test (queue-clock.ts).
// test/system/worker-killed.test.ts does the same with a real process and SIGKILL on PostgreSQL.
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RUN_JOB_QUEUE } from '../../src/modules/jobs/service.ts';
import { VALID_JSON, VALID_VOICE } from '../ai/helpers.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { ageHeartbeat, queueJob, superviseNow } from '../helpers/queue-clock.ts';

interface Job {
  id: string;
  status: string;
  progress: number;
  progressMessage: string | null;
  result: { suggestion?: unknown } | null;
  error: { code: string; message: string } | null;
}

describe('a job whose worker is lost', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;

  beforeAll(async () => {
    fake = await startFakeLlm();
    // No in-process worker at first: the test plays the worker that dies.
    // The lost run's model call hangs until the test ends (a dead worker never gets an answer).
    ctx = await buildTestApp({
      env: fakeLlmEnv(fake, { LLM_TIMEOUT_MS: '600000', LLM_DEADLINE_MS: '600000' }),
    });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  async function job(id: string): Promise<Job> {
    const response = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/jobs/${id}`,
      headers: owner.headers,
    });
    expect(response.statusCode).toBe(200);
    return response.json<Job>();
  }

  it('is retried after its heartbeat goes stale, says "worker lost; retrying", and completes', async () => {
    // The lost run's model call never answers; the retry's does.
    fake.script({ hang: true });
    fake.otherwise({ content: VALID_JSON });
    const started = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/ai/brand-voice`,
      headers: owner.headers,
      payload: { notes: 'Sourdough only.' },
    });
    expect(started.statusCode).toBe(202);
    const jobId = started.json<{ job: Job }>().job.id;

    // Worker A takes the job off the queue and starts it, then dies: no heartbeat after this.
    const [taken] = await ctx.runtime.queue.boss.fetch<{ jobId: string }>(RUN_JOB_QUEUE);
    expect(taken?.data.jobId).toBe(jobId);
    const queueJobId = taken?.id ?? '';
    const lostRun = new AbortController();
    const zombie = ctx.runtime.services.jobs.runQueued(jobId, lostRun.signal);
    while (fake.requests.length < 1) await sleep(20);
    const running = await job(jobId);
    expect(running.status).toBe('running');
    expect(running.progressMessage).not.toMatch(/worker lost/i);

    // 45 s without a heartbeat (the queue's limit is 30 s; its expiry is 15 minutes away).
    await ageHeartbeat(ctx.runtime, queueJobId, 45);
    expect(await job(jobId)).toMatchObject({
      status: 'running',
      progressMessage: 'Worker lost; retrying',
    });
    const list = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${businessId}/jobs`,
      headers: owner.headers,
    });
    expect(list.json<{ items: Job[] }>().items).toEqual([
      expect.objectContaining({ id: jobId, progressMessage: 'Worker lost; retrying' }),
    ]);

    // The supervisor's next pass fails the job by heartbeat and queues its retry.
    await superviseNow(ctx.runtime);
    expect(await queueJob(ctx.runtime, queueJobId)).toMatchObject({
      state: 'retry',
      output: { value: { message: 'job heartbeat timeout' } },
    });
    expect((await job(jobId)).progressMessage).toBe('Worker lost; retrying');

    // A live worker takes the retry and finishes it.
    await ctx.runtime.queue.work(ctx.runtime.jobs);
    let done = await job(jobId);
    for (let poll = 0; poll < 300 && done.status === 'running'; poll++) {
      await sleep(100);
      done = await job(jobId);
    }
    expect(done).toMatchObject({ status: 'succeeded', progress: 100, error: null });
    expect(done.result?.suggestion).toEqual(VALID_VOICE);
    expect(fake.requests).toHaveLength(2);
    expect(
      ctx.logs.entries.some(
        (entry) => entry.msg === 'job resumed after its worker was lost' && entry.jobId === jobId,
      ),
    ).toBe(true);

    // The lost run, told its claim is gone, stops without touching the finished job.
    lostRun.abort();
    await zombie;
    expect(await job(jobId)).toMatchObject({ status: 'succeeded' });
  }, 60_000);

  it('is failed with WORKER_LOST, not left running, when its retry is lost too', async () => {
    // Only the test's dying workers from here on.
    await ctx.runtime.queue.boss.offWork(RUN_JOB_QUEUE);
    fake.reset();
    fake.otherwise({ hang: true });
    const started = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/ai/brand-voice`,
      headers: owner.headers,
      payload: { notes: 'Rye only.' },
    });
    const jobId = started.json<{ job: Job }>().job.id;
    const runs: { controller: AbortController; done: Promise<void> }[] = [];
    // Two workers in turn take it and die (the queue retries a lost job once).
    for (let attempt = 1; attempt <= 2; attempt++) {
      let taken: { id: string } | undefined;
      while (!taken) {
        [taken] = await ctx.runtime.queue.boss.fetch<{ jobId: string }>(RUN_JOB_QUEUE);
        if (!taken) await sleep(100); // the retry waits out its short delay
      }
      const controller = new AbortController();
      runs.push({
        controller,
        done: ctx.runtime.services.jobs.runQueued(jobId, controller.signal),
      });
      while (fake.requests.length < attempt) await sleep(20);
      await ageHeartbeat(ctx.runtime, taken.id, 45);
      await superviseNow(ctx.runtime);
    }
    const failed = await job(jobId);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'WORKER_LOST' } });
    expect(failed.error?.message).toMatch(/stopped, and so did its retry/);
    for (const run of runs) run.controller.abort();
    await Promise.all(runs.map((run) => run.done));
  }, 60_000);
});

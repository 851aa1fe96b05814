// A `herald worker` killed with SIGKILL in the middle of a long job, on the PostgreSQL server: the
// job's queue heartbeat stops, the job says "Worker lost; retrying", the queue's supervisor fails
// it by heartbeat (not by its 15-minute expiry) and another worker process retries it to the end.
// Elapsed time is driven from the test (queue-clock.ts) instead of waited for.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { VALID_JSON, VALID_VOICE } from '../ai/helpers.ts';
import { buildTestApp, serverDatabaseUrl, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { ageHeartbeat, queueJob, superviseNow } from '../helpers/queue-clock.ts';
import { startWorkerProcess } from '../helpers/worker-process.ts';

interface Job {
  id: string;
  status: string;
  progress: number;
  progressMessage: string | null;
  result: { suggestion?: unknown } | null;
  error: { code: string; message: string } | null;
}

describe.runIf(serverDatabaseUrl)('a worker process killed mid-job', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp(); // the API only: workers are separate processes
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
  }, 60_000);

  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
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

  it('is retried by another worker once its heartbeat is stale, and says so meanwhile', async () => {
    fake.script({ hang: true }); // worker A's model call never answers
    fake.otherwise({ content: VALID_JSON });
    const databaseUrl = ctx.config.database.kind === 'postgres' ? ctx.config.database.url : '';
    const a = startWorkerProcess(
      databaseUrl,
      fakeLlmEnv(fake, { LLM_TIMEOUT_MS: '600000', LLM_DEADLINE_MS: '600000' }),
    );
    workers.push(a.child);
    await a.started;

    const started = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/ai/brand-voice`,
      headers: owner.headers,
      payload: { notes: 'Sourdough only.' },
    });
    expect(started.statusCode).toBe(202);
    const jobId = started.json<{ job: Job }>().job.id;
    while (fake.requests.length < 1) await sleep(20);
    expect((await job(jobId)).status).toBe('running');

    const exited = once(a.child, 'exit');
    a.child.kill('SIGKILL');
    await exited;
    const [row] = await ctx.runtime.database.query<{ queue_job_id: string }>(
      'SELECT queue_job_id FROM jobs WHERE id = $1::uuid',
      [jobId],
    );
    const queueJobId = row?.queue_job_id ?? '';
    // Just killed: its last heartbeat is recent, so nothing is said yet.
    expect(await job(jobId)).toMatchObject({ status: 'running' });

    // 45 s with no heartbeat (the limit is 30 s; the expiry is 15 minutes away).
    await ageHeartbeat(ctx.runtime, queueJobId, 45);
    expect(await job(jobId)).toMatchObject({
      status: 'running',
      progressMessage: 'Worker lost; retrying',
    });
    await superviseNow(ctx.runtime);
    expect(await queueJob(ctx.runtime, queueJobId)).toMatchObject({
      state: 'retry',
      output: { value: { message: 'job heartbeat timeout' } },
    });
    expect((await job(jobId)).progressMessage).toBe('Worker lost; retrying');

    const b = startWorkerProcess(databaseUrl, fakeLlmEnv(fake));
    workers.push(b.child);
    await b.started;
    let done = await job(jobId);
    for (let poll = 0; poll < 600 && done.status === 'running'; poll++) {
      await sleep(100);
      done = await job(jobId);
    }
    expect(done).toMatchObject({ status: 'succeeded', progress: 100, error: null });
    expect(done.result?.suggestion).toEqual(VALID_VOICE);
    expect(fake.requests).toHaveLength(2);
    // The job's row says succeeded a moment before the queue commits its own completion.
    await expect
      .poll(() => queueJob(ctx.runtime, queueJobId), { timeout: 15_000 })
      .toMatchObject({ state: 'completed', retryCount: 1 });
    const [counted] = await ctx.runtime.database.query<{ attempt: number }>(
      'SELECT attempt FROM jobs WHERE id = $1::uuid',
      [jobId],
    );
    expect(counted?.attempt).toBe(2);

    const stopped = once(b.child, 'exit') as Promise<[number | null]>;
    b.child.kill('SIGTERM');
    expect((await stopped)[0]).toBe(0);
  }, 120_000);
});

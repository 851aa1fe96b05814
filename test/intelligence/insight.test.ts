// The insight job narrates an intelligence run, and refuses a narrative with a number that is not
// one of the run's figures: against the fault-injecting model server, an invented number is
// refused and the retry's grounded answer kept (the AI usage page counts the refusal), a model
// that keeps inventing fails the job as AI_OUTPUT_INVALID; on the builtin provider the narrative
// is written from the figures without a model.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { callsOf } from '../ai/helpers.ts';
import { finishedJob } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newUser, type TestBusiness, type TestUser } from '../helpers/fixtures.ts';
import {
  insertRun,
  predictiveCard,
  predictiveFigures,
  rfmOnlyCard,
  rfmOnlyFigures,
} from '../helpers/intelligence-runs.ts';

interface Insight {
  headline: string;
  narrative: string;
  actions: { title: string; why: string }[];
}
interface Job {
  id: string;
  kind: string;
  status: string;
  result: {
    runId: string;
    previousRunId: string | null;
    insight: Insight;
    generatedBy: { provider: string; model: string }[];
  } | null;
  error: { code: string; message: string } | null;
}

// 1,234 customers, 234 at high churn risk holding $23,456 of $456,789 of lifetime value.
const GROUNDED: Insight = {
  headline: '234 customers at high churn risk hold $23,456 of expected lifetime value',
  narrative:
    'As of 2026-11-30, 234 of your 1,234 customers (19%) are at high churn risk. They spent $34,568 so far and hold $23.5k of the $456,789 your customers are expected to spend over the next 12 months.\n\nSince 31 October, the at risk segment grew by 25 and 40 customers moved from loyal to at risk.',
  actions: [
    { title: 'Win back the 234', why: 'They hold $23,456 of expected lifetime value.' },
    { title: 'Reward champions', why: '210 champions (17%) buy most often.' },
    { title: 'Catch loyal customers early', why: '40 loyal customers slipped to at risk.' },
  ],
};
const INVENTED: Insight = {
  ...GROUNDED,
  actions: [
    { title: 'Win back the 234', why: 'A 35% discount would bring back 80 of them.' },
    ...GROUNDED.actions.slice(1),
  ],
};

describe('the insight job against a model', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp({ worker: true, env: fakeLlmEnv(fake) });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  /** A business with a run a month ago and this month's run (whose changes name it). */
  async function businessWithRuns(): Promise<{ business: TestBusiness; runId: string }> {
    const business = await newBusiness(ctx.app, owner);
    const db = ctx.runtime.database.db;
    const previousId = await insertRun(db, business.id, {
      model: predictiveCard('2026-10-31'),
      figures: predictiveFigures(),
    });
    const runId = await insertRun(db, business.id, {
      model: predictiveCard('2026-11-30'),
      figures: predictiveFigures({ runId: previousId, asOf: '2026-10-31' }),
    });
    return { business, runId };
  }

  const insightUrl = (businessId: string, runId: string) =>
    `/api/v1/businesses/${businessId}/intelligence/runs/${runId}/insight`;

  async function start(businessId: string, runId: string): Promise<Job> {
    const response = await ctx.app.inject({
      method: 'POST',
      url: insightUrl(businessId, runId),
      headers: owner.headers,
    });
    expect(response.statusCode, response.body).toBe(202);
    return response.json<{ job: Job }>().job;
  }

  const finished = async (jobId: string) => (await finishedJob(ctx.app, owner, jobId)) as Job;

  it('refuses a narrative with an invented number, keeps the grounded retry, and counts the refusal', async () => {
    const { business, runId } = await businessWithRuns();
    fake.reset();
    fake.script({ content: JSON.stringify(INVENTED) }, { content: JSON.stringify(GROUNDED) });

    const done = await finished((await start(business.id, runId)).id);
    expect(done.status).toBe('succeeded');
    expect(done.result).toMatchObject({
      runId,
      insight: GROUNDED,
      generatedBy: [{ provider: 'openai-compatible', model: 'fake-strong' }],
    });
    expect(done.result?.previousRunId).toEqual(expect.any(String));

    const calls = (await callsOf(ctx, business.id)).filter((call) => call.jobId === done.id);
    expect(calls.map((call) => [call.task, call.outcome, call.errorCode])).toEqual([
      ['intelligence-insight', 'ungrounded_output', 'AI_OUTPUT_INVALID'],
      ['intelligence-insight', 'success', null],
    ]);
    // The model was given the figures, and told on the retry which numbers were not among them.
    const [first, retry] = fake.requests.map((request) =>
      request.body.messages.map((message) => message.content).join('\n'),
    );
    expect(first).toContain('"totalCents": 45678912');
    expect(first).toContain('"previousAsOf": "2026-10-31"');
    expect(retry).toContain('"35%" is not a share or rate of the run; "80" is not a figure');

    const usage = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/businesses/${business.id}/ai/usage`,
      headers: owner.headers,
    });
    expect(usage.json()).toMatchObject({
      totals: { calls: 2, succeeded: 1, ungrounded: 1 },
      byTask: [{ task: 'intelligence-insight', calls: 2, ungrounded: 1 }],
    });
  });

  it('fails as AI_OUTPUT_INVALID when the model keeps inventing numbers', async () => {
    const { business, runId } = await businessWithRuns();
    fake.reset();
    fake.otherwise({ content: JSON.stringify(INVENTED) });
    try {
      const done = await finished((await start(business.id, runId)).id);
      expect(done.status).toBe('failed');
      expect(done.result).toBeNull();
      expect(done.error?.code).toBe('AI_OUTPUT_INVALID');
      expect(done.error?.message).toContain('"35%" is not a share or rate of the run');
      const calls = (await callsOf(ctx, business.id)).filter((call) => call.jobId === done.id);
      expect(calls.map((call) => call.outcome)).toEqual([
        'ungrounded_output',
        'ungrounded_output',
        'ungrounded_output',
      ]);
      const usage = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/businesses/${business.id}/ai/usage`,
        headers: owner.headers,
      });
      expect(usage.json<{ totals: { ungrounded: number } }>().totals.ungrounded).toBe(3);
    } finally {
      fake.otherwise({ status: 500 });
    }
  });

  it('narrates only a succeeded run of the business', async () => {
    const { business, runId } = await businessWithRuns();
    const running = await insertRun(ctx.runtime.database.db, business.id, {
      status: 'running',
      model: null,
      figures: null,
    });
    const post = (
      businessId: string,
      id: string,
      headers: Record<string, string> = owner.headers,
    ) => ctx.app.inject({ method: 'POST', url: insightUrl(businessId, id), headers });

    const notFinished = await post(business.id, running);
    expect(notFinished.statusCode).toBe(409);
    expect(notFinished.json()).toMatchObject({ error: { code: 'CONFLICT' } });

    // Another business's run, even of the same owner, is not found in this one.
    const other = await newBusiness(ctx.app, owner);
    expect((await post(other.id, runId)).statusCode).toBe(404);
    // Another user's business is not found either.
    const stranger = await newUser(ctx.app);
    expect((await post(business.id, runId, stranger.headers)).statusCode).toBe(404);
    expect((await post(business.id, runId, {})).statusCode).toBe(401);
    expect((await post(business.id, 'not-a-uuid')).statusCode).toBe(400);
  });
});

describe('the insight job on the builtin provider', () => {
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    ctx = await buildTestApp({ worker: true });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function narrate(runId: string, businessId: string): Promise<Job> {
    const response = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${businessId}/intelligence/runs/${runId}/insight`,
      headers: owner.headers,
    });
    expect(response.statusCode, response.body).toBe(202);
    return (await finishedJob(ctx.app, owner, response.json<{ job: Job }>().job.id)) as Job;
  }

  it('writes a narrative from the figures that passes the grounding check', async () => {
    const business = await newBusiness(ctx.app, owner);
    const runId = await insertRun(ctx.runtime.database.db, business.id, {
      model: predictiveCard(),
      figures: predictiveFigures(),
    });
    const done = await narrate(runId, business.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.kind).toBe('intelligence.insight');
    expect(done.result?.previousRunId).toBeNull();
    expect(done.result?.generatedBy).toEqual([{ provider: 'builtin', model: 'builtin' }]);
    expect(done.result?.insight.headline).toBe(
      '234 customers at high churn risk hold $23,456 of expected lifetime value',
    );
    expect(done.result?.insight.narrative).toMatch(/^Drafted by Herald’s built-in templates/);
    expect(done.result?.insight.actions).toHaveLength(3);
    const calls = await callsOf(ctx, business.id);
    expect(calls.map((call) => call.outcome)).toEqual(['success']);
  });

  it('says there was not enough data to predict when the run could not fit the models', async () => {
    const business = await newBusiness(ctx.app, owner);
    const runId = await insertRun(ctx.runtime.database.db, business.id, {
      model: rfmOnlyCard(),
      figures: rfmOnlyFigures(),
    });
    const done = await narrate(runId, business.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.result?.insight.narrative).toContain(
      'Churn risk and lifetime value were not predicted: fewer than 500 customers with an order (312)',
    );
  });
});

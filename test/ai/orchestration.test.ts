// ai.run against the fault-injecting OpenAI-compatible server: each scripted case checks what
// the caller gets and the ai_calls rows it leaves (one per attempt).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { brandVoiceTask } from '../../src/ai/tasks.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newUser, type TestBusiness, type TestUser } from '../helpers/fixtures.ts';
import { callsOf, rejection, suggestVoice, summary, VALID_JSON, VALID_VOICE } from './helpers.ts';

const fast = { provider: 'openai-compatible', model: 'fake-fast' };

describe('ai.run against an OpenAI-compatible server', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp({ env: fakeLlmEnv(fake) });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });
  beforeEach(async () => {
    fake.reset();
    business = await newBusiness(ctx.app, owner); // a fresh business: its own ai_calls rows
  });

  it('returns valid JSON as is and records one successful call with tokens and cost', async () => {
    fake.script({ content: VALID_JSON, promptTokens: 1000, completionTokens: 500 });
    expect(await suggestVoice(ctx, owner, business)).toEqual(VALID_VOICE);

    const [row, ...others] = await callsOf(ctx, business.id);
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      ...fast,
      task: 'brand-voice',
      tier: 'fast',
      userId: owner.id,
      jobId: null,
      outcome: 'success',
      attempt: 0,
      repaired: false,
      promptTokens: 1000,
      completionTokens: 500,
      errorCode: null,
    });
    // $1/M prompt + $2/M completion: 1000 × 1 + 500 × 2 = 2000 micro-dollars.
    expect(Number(row?.costUsd)).toBeCloseTo(0.002, 6);
    expect(row?.latencyMs).toBeGreaterThanOrEqual(0);

    // The request used the provider's structured-output mode with the task's JSON schema.
    const sent = fake.requests[0]?.body;
    expect(sent?.model).toBe('fake-fast');
    expect(sent?.response_format?.type).toBe('json_schema');
    expect(JSON.stringify(sent?.response_format?.json_schema?.schema)).toContain('wordsToUse');
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer fake-key');
  });

  it('extracts JSON from a markdown fence with prose around it (repaired)', async () => {
    fake.script({ content: `Here is the voice:\n\`\`\`json\n${VALID_JSON}\n\`\`\`\nEnjoy!` });
    expect(await suggestVoice(ctx, owner, business)).toEqual(VALID_VOICE);
    expect(summary(await callsOf(ctx, business.id))).toEqual([
      { ...fast, outcome: 'success', attempt: 0, repaired: true },
    ]);
  });

  it('repairs truncated JSON when what survived still fits the schema', async () => {
    const cut = VALID_JSON.slice(0, VALID_JSON.indexOf('"rationale"') + 40);
    fake.script({ content: cut, finishReason: 'length' });
    const value = await suggestVoice(ctx, owner, business);
    expect(value.wordsToUse).toEqual(VALID_VOICE.wordsToUse);
    expect(VALID_VOICE.rationale.startsWith(value.rationale)).toBe(true);
    expect(summary(await callsOf(ctx, business.id))).toEqual([
      { ...fast, outcome: 'success', attempt: 0, repaired: true },
    ]);
  });

  it('repairs trailing commas', async () => {
    fake.script({
      content: VALID_JSON.replace('"morning"]', '"morning",]').replace(/}$/, ',}'),
    });
    expect(await suggestVoice(ctx, owner, business)).toEqual(VALID_VOICE);
    expect(summary(await callsOf(ctx, business.id))).toEqual([
      { ...fast, outcome: 'success', attempt: 0, repaired: true },
    ]);
  });

  it('retries a wrong shape, telling the model what was wrong, and takes the right one', async () => {
    fake.script({ content: JSON.stringify({ tone: 'warm', wordsToUse: ['fresh'] }) });
    fake.script({ content: VALID_JSON });
    expect(await suggestVoice(ctx, owner, business)).toEqual(VALID_VOICE);

    const rows = await callsOf(ctx, business.id);
    expect(summary(rows)).toEqual([
      { ...fast, outcome: 'invalid_output', attempt: 0, repaired: false },
      { ...fast, outcome: 'success', attempt: 1, repaired: false },
    ]);
    expect(rows[0]?.errorCode).toBe('AI_OUTPUT_INVALID');
    expect(rows[0]?.errorMessage).toContain('wordsToAvoid');

    const retryPrompt = fake.requests[1]?.body.messages.at(-1)?.content ?? '';
    expect(retryPrompt).toContain('Your previous answer could not be used');
    expect(retryPrompt).toContain('wordsToAvoid');
    expect(fake.requests[0]?.body.messages.at(-1)?.content).not.toContain('previous answer');
  });

  it('fails with AI_OUTPUT_INVALID when every attempt is unusable, returning nothing', async () => {
    fake.otherwise({ content: '{"tone": 42}' });
    try {
      const error = await rejection(suggestVoice(ctx, owner, business));
      expect(error.code).toBe('AI_OUTPUT_INVALID');
      expect(error.status).toBe(502);
      expect(error.message).toMatch(/could not be used after 3 tries/);
    } finally {
      fake.otherwise({ status: 500 });
    }
    expect(summary(await callsOf(ctx, business.id)).map((row) => row.outcome)).toEqual([
      'invalid_output',
      'invalid_output',
      'invalid_output',
    ]);
  });

  it('retries empty content', async () => {
    fake.script({ content: '' }, { content: VALID_JSON });
    expect(await suggestVoice(ctx, owner, business)).toEqual(VALID_VOICE);
    const rows = await callsOf(ctx, business.id);
    expect(summary(rows)).toEqual([
      { ...fast, outcome: 'empty_output', attempt: 0, repaired: false },
      { ...fast, outcome: 'success', attempt: 1, repaired: false },
    ]);
    expect(fake.requests[1]?.body.messages.at(-1)?.content).toContain('the answer was empty');
  });

  it('retries a 500 and succeeds', async () => {
    fake.script({ status: 500 }, { content: VALID_JSON });
    expect(await suggestVoice(ctx, owner, business)).toEqual(VALID_VOICE);
    const rows = await callsOf(ctx, business.id);
    expect(summary(rows)).toEqual([
      { ...fast, outcome: 'upstream_error', attempt: 0, repaired: false },
      { ...fast, outcome: 'success', attempt: 1, repaired: false },
    ]);
    expect(rows[0]).toMatchObject({
      promptTokens: 0,
      completionTokens: 0,
      costUsd: '0.000000',
      errorCode: 'UPSTREAM_UNAVAILABLE',
    });
    expect(rows[0]?.errorMessage).toContain('500');
  });

  it('waits at least as long as a 429 Retry-After asks before retrying', async () => {
    fake.script(
      { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down' } } },
      { content: VALID_JSON },
    );
    expect(await suggestVoice(ctx, owner, business)).toEqual(VALID_VOICE);
    expect(summary(await callsOf(ctx, business.id))).toEqual([
      { ...fast, outcome: 'rate_limited', attempt: 0, repaired: false },
      { ...fast, outcome: 'success', attempt: 1, repaired: false },
    ]);
    const scheduled = ctx.logs.entries.filter(
      (entry) => entry.msg === 'ai retry scheduled' && entry.businessId === business.id,
    );
    expect(scheduled).toHaveLength(1);
    // The configured backoff is ≤ 20 ms here, so a wait of a second comes from Retry-After.
    expect(scheduled[0]?.delayMs).toBeGreaterThanOrEqual(1000);
    const [first, second] = fake.requests;
    // And it really waited (less a little for timer and clock granularity).
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("stops a job's model call when the job passes its time limit", async () => {
    const jobId = randomUUID();
    const timeLimit = new AbortController();
    fake.script({ hang: true });
    const running = ctx.runtime.services.ai.run(
      brandVoiceTask,
      { notes: '' },
      { businessId: business.id, userId: owner.id, jobId, signal: timeLimit.signal },
    );
    while (fake.requests.length === 0) await sleep(10);
    timeLimit.abort();
    const error = await rejection(running);
    expect(error.code).toBe('AI_TIMEOUT');
    // One attempt, cut short: no retry after the job gave up.
    expect(fake.requests).toHaveLength(1);
    const rows = await callsOf(ctx, business.id);
    expect(rows.map((row) => [row.outcome, row.jobId])).toEqual([['timeout', jobId]]);
  });

  it('does not retry a refused request (401) and leaves the breaker closed', async () => {
    fake.script({ status: 401, body: { error: { message: 'bad key' } } });
    const error = await rejection(suggestVoice(ctx, owner, business));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toMatch(/LLM_\* settings/);
    expect(fake.requests).toHaveLength(1);
    expect(summary(await callsOf(ctx, business.id)).map((row) => row.outcome)).toEqual([
      'rejected',
    ]);
    expect(Object.values(ctx.runtime.breakers.states())).toEqual(['closed']);
  });

  it('refuses before calling the model once the daily budget is spent (429)', async () => {
    const thrifty = await newBusiness(ctx.app, owner, { aiDailyBudgetUsd: 0.01 });
    // 10,000 prompt + 1,000 completion tokens = $0.012: over the $0.01 budget.
    fake.script({ content: VALID_JSON, promptTokens: 10_000, completionTokens: 1_000 });
    await suggestVoice(ctx, owner, thrifty);
    expect(fake.requests).toHaveLength(1);

    const error = await rejection(suggestVoice(ctx, owner, thrifty));
    expect(error.code).toBe('AI_BUDGET_EXCEEDED');
    expect(error.status).toBe(429);
    expect(error.message).toMatch(/daily AI budget/);
    expect(Number(error.headers['retry-after'])).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(1); // the model was never asked

    const rows = await callsOf(ctx, thrifty.id);
    expect(summary(rows)).toEqual([
      { ...fast, outcome: 'success', attempt: 0, repaired: false },
      { ...fast, outcome: 'budget_exceeded', attempt: 0, repaired: false },
    ]);
    expect(rows[1]).toMatchObject({
      promptTokens: 0,
      completionTokens: 0,
      costUsd: '0.000000',
      latencyMs: 0,
      errorCode: 'AI_BUDGET_EXCEEDED',
    });
  });

  it('counts requests, tokens, cost, retries and repairs in the metrics', async () => {
    fake.script({ status: 500 }, { content: `\`\`\`json\n${VALID_JSON}\n\`\`\`` });
    await suggestVoice(ctx, owner, business);
    const text = await ctx.runtime.metrics.registry.metrics();
    expect(text).toMatch(
      /herald_ai_requests_total\{provider="openai-compatible",model="fake-fast",task="brand-voice",outcome="success"\} \d+/,
    );
    expect(text).toMatch(/herald_ai_tokens_total\{[^}]*kind="completion"\} \d+/);
    expect(text).toMatch(/herald_ai_cost_usd_total\{[^}]*\} [\d.e-]+/);
    expect(text).toMatch(/herald_ai_retries_total\{[^}]*reason="upstream_error"\} \d+/);
    expect(text).toMatch(/herald_ai_repairs_total\{[^}]*\} \d+/);
    expect(text).toMatch(/herald_ai_request_duration_seconds_bucket\{/);
    expect(text).toMatch(
      /herald_circuit_breaker_state\{breaker="llm:openai-compatible:127\.0\.0\.1:\d+"\} 0/,
    );
  });
});

describe('ai.run against a server that hangs', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;

  beforeAll(async () => {
    fake = await startFakeLlm();
    // A short per-call timeout; the other tests keep a generous one so a slow machine never
    // turns a normal answer into a timeout.
    ctx = await buildTestApp({ env: fakeLlmEnv(fake, { LLM_TIMEOUT_MS: '400' }) });
    owner = await newUser(ctx.app);
    // One call first, so the timed calls below run on a warm process and connection.
    fake.script({ content: VALID_JSON });
    await suggestVoice(ctx, owner, await newBusiness(ctx.app, owner));
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });
  beforeEach(async () => {
    fake.reset();
    business = await newBusiness(ctx.app, owner);
  });

  it('gives up on a call that hangs past the timeout and retries it', async () => {
    fake.script({ hang: true }, { content: VALID_JSON });
    expect(await suggestVoice(ctx, owner, business)).toEqual(VALID_VOICE);
    const rows = await callsOf(ctx, business.id);
    expect(summary(rows)).toEqual([
      { ...fast, outcome: 'timeout', attempt: 0, repaired: false },
      { ...fast, outcome: 'success', attempt: 1, repaired: false },
    ]);
    expect(rows[0]?.errorCode).toBe('AI_TIMEOUT');
  });

  it('fails with AI_TIMEOUT when every attempt hangs', async () => {
    fake.script({ hang: true }, { hang: true }, { hang: true });
    const error = await rejection(suggestVoice(ctx, owner, business));
    expect(error.code).toBe('AI_TIMEOUT');
    expect(error.status).toBe(504);
    expect(summary(await callsOf(ctx, business.id)).map((row) => row.outcome)).toEqual([
      'timeout',
      'timeout',
      'timeout',
    ]);
    // Three timeouts in a row are failures for the breaker; a success resets the count.
    fake.script({ content: VALID_JSON });
    await suggestVoice(ctx, owner, business);
  });
});

describe('the openai provider pointed at a compatible server', () => {
  let fake: FakeLlm;
  let ctx: TestApp;

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp({
      env: fakeLlmEnv(fake, { LLM_PROVIDER: 'openai', LLM_MODEL_FAST: 'gpt-4o-mini' }),
    });
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  it('calls chat completions and prices the call from the built-in table', async () => {
    const owner = await newUser(ctx.app);
    const business = await newBusiness(ctx.app, owner);
    fake.script({ content: VALID_JSON, promptTokens: 1_000_000, completionTokens: 0 });
    expect(await suggestVoice(ctx, owner, business)).toEqual(VALID_VOICE);
    expect(fake.requests[0]?.body.model).toBe('gpt-4o-mini');
    const [row] = await callsOf(ctx, business.id);
    expect(row).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', outcome: 'success' });
    expect(Number(row?.costUsd)).toBeCloseTo(0.15, 6); // $0.15 per million prompt tokens
  });
});

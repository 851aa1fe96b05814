// The circuit breaker in front of a provider: it opens after repeated failures, fails fast
// while open (no request reaches the provider), lets one trial call through after a while and
// closes when it succeeds; with a fallback provider, the fallback answers while it is open.
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newUser, type TestBusiness, type TestUser } from '../helpers/fixtures.ts';
import { callsOf, rejection, suggestVoice, summary, VALID_JSON, VALID_VOICE } from './helpers.ts';

const HALF_OPEN_MS = 300;

function breakerState(ctx: TestApp): string | undefined {
  return Object.entries(ctx.runtime.breakers.states()).find(([name]) =>
    name.startsWith('llm:openai-compatible:'),
  )?.[1];
}

describe('circuit breaker per provider', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp({
      env: fakeLlmEnv(fake, {
        LLM_MAX_RETRIES: '0',
        LLM_BREAKER_FAILURES: '2',
        LLM_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
      }),
    });
    owner = await newUser(ctx.app);
    business = await newBusiness(ctx.app, owner);
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  it('opens after repeated failures, fails fast while open, and closes after a good trial call', async () => {
    fake.script({ status: 500 }, { status: 503 });
    for (let i = 0; i < 2; i++) {
      const error = await rejection(suggestVoice(ctx, owner, business));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.status).toBe(503);
    }
    expect(breakerState(ctx)).toBe('open');
    expect(fake.requests).toHaveLength(2);

    // Open: refused at once, without a request to the provider.
    const fast = await rejection(suggestVoice(ctx, owner, business));
    expect(fast.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(fast.message).toMatch(/circuit breaker is open/);
    expect(fake.requests).toHaveLength(2);

    // After the half-open delay, the next call is the trial; it succeeds and closes the circuit.
    await sleep(HALF_OPEN_MS + 50);
    fake.script({ content: VALID_JSON });
    expect(await suggestVoice(ctx, owner, business)).toEqual(VALID_VOICE);
    expect(breakerState(ctx)).toBe('closed');
    expect(fake.requests).toHaveLength(3);

    expect(summary(await callsOf(ctx, business.id)).map((row) => row.outcome)).toEqual([
      'upstream_error',
      'upstream_error',
      'breaker_open',
      'success',
    ]);
    const metrics = await ctx.runtime.metrics.registry.metrics();
    expect(metrics).toMatch(
      /herald_circuit_breaker_state\{breaker="llm:openai-compatible:[^"]+"\} 0/,
    );
  });
});

describe('fallback provider', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp({
      worker: true,
      env: fakeLlmEnv(fake, {
        LLM_MAX_RETRIES: '1',
        LLM_BREAKER_FAILURES: '1',
        LLM_BREAKER_HALF_OPEN_MS: '600000',
        LLM_FALLBACK_PROVIDER: 'builtin',
      }),
    });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
  });

  it('answers from the fallback while the primary is open, labelled with its own name', async () => {
    const business = await newBusiness(ctx.app, owner);
    fake.script({ status: 500 });
    const value = await suggestVoice(ctx, owner, business);
    expect(value.rationale).toMatch(/not by an AI model/);
    expect(breakerState(ctx)).toBe('open');

    // Still open: the primary is not even asked.
    await suggestVoice(ctx, owner, business);
    expect(fake.requests).toHaveLength(1);

    expect(summary(await callsOf(ctx, business.id))).toEqual([
      {
        provider: 'openai-compatible',
        model: 'fake-fast',
        outcome: 'upstream_error',
        attempt: 0,
        repaired: false,
      },
      { provider: 'builtin', model: 'builtin', outcome: 'success', attempt: 1, repaired: false },
      { provider: 'builtin', model: 'builtin', outcome: 'success', attempt: 0, repaired: false },
    ]);
  });

  it("names the fallback in the job's result", async () => {
    const business = await newBusiness(ctx.app, owner);
    const started = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${business.id}/ai/brand-voice`,
      headers: owner.headers,
      payload: {},
    });
    expect(started.statusCode).toBe(202);
    const { job } = started.json<{ job: { id: string } }>();
    let status = 'queued';
    let body: { status: string; result: { generatedBy?: unknown } | null } = {
      status,
      result: null,
    };
    while (!['succeeded', 'failed'].includes(status)) {
      await sleep(100);
      const response = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/jobs/${job.id}`,
        headers: owner.headers,
      });
      body = response.json();
      status = body.status;
    }
    expect(body.status).toBe('succeeded');
    expect(body.result?.generatedBy).toEqual([{ provider: 'builtin', model: 'builtin' }]);
    expect(fake.requests).toHaveLength(0);
  });
});

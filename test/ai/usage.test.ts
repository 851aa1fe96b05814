// GET /api/v1/businesses/{businessId}/ai/usage: calls, tokens and cost by day, task and model,
// with today's budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { defineTask } from '../../src/ai/tasks.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newUser, type TestBusiness, type TestUser } from '../helpers/fixtures.ts';
import { suggestVoice, VALID_JSON } from './helpers.ts';

interface Figures {
  calls: number;
  succeeded: number;
  ungrounded: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}
interface Usage {
  businessId: string;
  from: string;
  to: string;
  totals: Figures;
  byDay: (Figures & { day: string })[];
  byTask: (Figures & { task: string })[];
  byModel: (Figures & { provider: string; model: string })[];
  budget: {
    dailyBudgetUsd: number;
    source: string;
    spentTodayUsd: number;
    remainingTodayUsd: number;
    resetsAt: string;
  };
}

describe('AI usage', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;
  const today = new Date().toISOString().slice(0, 10);

  const get = (url: string, headers: Record<string, string> = owner.headers) =>
    ctx.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp({ env: fakeLlmEnv(fake) });
    owner = await newUser(ctx.app);
    business = await newBusiness(ctx.app, owner);
    // brand-voice (fast): a 500, then 1,000 + 500 tokens; then 2,000 + 1,000 tokens.
    fake.script(
      { status: 500 },
      { content: VALID_JSON, promptTokens: 1000, completionTokens: 500 },
      { content: VALID_JSON, promptTokens: 2000, completionTokens: 1000 },
    );
    await suggestVoice(ctx, owner, business);
    await suggestVoice(ctx, owner, business);
    // tagline (strong): 100 + 100 tokens at $5/M and $10/M.
    fake.script({
      content: '{"tagline":"Bread worth waking up for"}',
      promptTokens: 100,
      completionTokens: 100,
    });
    const tagline = defineTask<Record<string, never>, { tagline: string }>({
      name: 'tagline',
      tier: 'strong',
      prompt: { role: 'a copywriter', instructions: ['Write a tagline for the business.'] },
      output: z.object({ tagline: z.string() }),
    });
    await ctx.runtime.services.ai.run(tagline, {}, { businessId: business.id, userId: owner.id });
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  it('totals calls, tokens and cost by day, task and model, with the budget left today', async () => {
    const response = await get(`/api/v1/businesses/${business.id}/ai/usage`);
    expect(response.statusCode).toBe(200);
    const usage = response.json<Usage>();
    // fast: (3,000 × $1 + 1,500 × $2) / 1M = $0.006; strong: (100 × $5 + 100 × $10) / 1M = $0.0015.
    expect(usage.totals).toEqual({
      calls: 4,
      succeeded: 3,
      ungrounded: 0,
      promptTokens: 3100,
      completionTokens: 1600,
      costUsd: 0.0075,
    });
    expect(usage.to).toBe(today);
    expect(usage.byDay).toEqual([{ day: today, ...usage.totals }]);
    expect(usage.byTask).toEqual([
      {
        task: 'brand-voice',
        calls: 3,
        succeeded: 2,
        ungrounded: 0,
        promptTokens: 3000,
        completionTokens: 1500,
        costUsd: 0.006,
      },
      {
        task: 'tagline',
        calls: 1,
        succeeded: 1,
        ungrounded: 0,
        promptTokens: 100,
        completionTokens: 100,
        costUsd: 0.0015,
      },
    ]);
    expect(usage.byModel.map((m) => [m.provider, m.model, m.calls])).toEqual([
      ['openai-compatible', 'fake-fast', 3],
      ['openai-compatible', 'fake-strong', 1],
    ]);
    expect(usage.budget).toMatchObject({
      dailyBudgetUsd: 5,
      source: 'default',
      spentTodayUsd: 0.0075,
      remainingTodayUsd: 4.9925,
    });
    expect(Date.parse(usage.budget.resetsAt)).toBeGreaterThan(Date.now());
  });

  it('shows a business budget override as its own', async () => {
    const other = await newBusiness(ctx.app, owner, { aiDailyBudgetUsd: 1.5 });
    const usage = (await get(`/api/v1/businesses/${other.id}/ai/usage`)).json<Usage>();
    expect(usage.budget).toMatchObject({
      dailyBudgetUsd: 1.5,
      source: 'business',
      spentTodayUsd: 0,
      remainingTodayUsd: 1.5,
    });
    expect(usage.totals.calls).toBe(0);
    expect(usage.byDay).toEqual([]);
  });

  it('counts only the days asked for', async () => {
    const response = await get(
      `/api/v1/businesses/${business.id}/ai/usage?from=2020-01-01&to=2020-01-31`,
    );
    expect(response.statusCode).toBe(200);
    const usage = response.json<Usage>();
    expect(usage).toMatchObject({ from: '2020-01-01', to: '2020-01-31' });
    expect(usage.totals.calls).toBe(0);
  });

  it.each([
    ['a bad date', 'from=yesterday'],
    ['from after to', 'from=2026-02-01&to=2026-01-01'],
    ['more than a year', 'from=2024-01-01&to=2025-06-01'],
  ])('rejects %s with 400', async (_, query) => {
    const response = await get(`/api/v1/businesses/${business.id}/ai/usage?${query}`);
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('VALIDATION_ERROR');
  });

  it("answers 404 for another user's business and 401 without credentials", async () => {
    const stranger = await newUser(ctx.app);
    const url = `/api/v1/businesses/${business.id}/ai/usage`;
    expect((await get(url, stranger.headers)).statusCode).toBe(404);
    expect((await get(url, {})).statusCode).toBe(401);
  });

  it('is documented in the OpenAPI document under the ai tag', async () => {
    const document = (await get('/api/v1/openapi.json')).json<{
      paths: Record<string, { get?: { tags?: string[]; responses?: Record<string, unknown> } }>;
    }>();
    const operation = document.paths['/api/v1/businesses/{businessId}/ai/usage']?.get;
    expect(operation?.tags).toEqual(['ai']);
    expect(Object.keys(operation?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '404']),
    );
  });
});

// POST …/email/variants/draft: A/B variants drafted through the AI layer. With the builtin
// provider (no network) the variants are distinct, keep the original's Liquid, and the call is
// recorded in ai_calls; with an OpenAI-compatible server on loopback that answers once with a
// variant whose Liquid does not parse, that variant is never returned: the model is asked again
// with the reason, and both attempts are priced.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newUser, type TestBusiness, type TestUser } from '../helpers/fixtures.ts';

interface Drafted {
  variants: { subject: string; body?: string }[];
  generatedBy: { provider: string; model: string };
}

const NAME = '{{ subscriber.first_name | default: "friend" }}';
const SUBJECT = `Fresh bread this week, ${NAME}`;
const BODY = `Hello **${NAME}**!\n\nOur sourdough is back. [Order now](https://shop.example.com/bread)`;

async function draft(ctx: TestApp, user: TestUser, businessId: string, payload: object) {
  const response = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/businesses/${businessId}/email/variants/draft`,
    headers: user.headers,
    payload,
  });
  return {
    status: response.statusCode,
    body: response.json<Drafted & { error?: { code: string } }>(),
  };
}

async function aiCalls(ctx: TestApp, businessId: string) {
  return rowsOf<{ outcome: string; provider: string; cost_usd: string; prompt_tokens: number }>(
    await ctx.runtime.database.db.execute(sql`
      select outcome, provider, cost_usd::text, prompt_tokens from ai_calls
      where business_id = ${businessId}::uuid and task = 'email-variants' order by created_at, attempt`),
  );
}

describe('AI-drafted A/B variants with the builtin provider', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    business = await newBusiness(ctx.app, owner, { name: 'Blue Bottle Bakery' });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('refuses a count outside 1..3, a content variant without a body, and an original that does not render', async () => {
    for (const count of [0, 4]) {
      const response = await draft(ctx, owner, business.id, {
        subject: SUBJECT,
        count,
        vary: 'subject',
      });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).toContain('body.count');
    }
    const noBody = await draft(ctx, owner, business.id, {
      subject: SUBJECT,
      count: 1,
      vary: 'content',
    });
    expect(noBody.status).toBe(400);
    const broken = await draft(ctx, owner, business.id, {
      subject: 'Hello {{ subscriber.first_name ',
      count: 1,
      vary: 'subject',
    });
    expect(broken.status).toBe(400);
    expect(await aiCalls(ctx, business.id)).toEqual([]);
  });

  it('drafts distinct subject lines that keep the Liquid placeholder, and records the call', async () => {
    const response = await draft(ctx, owner, business.id, {
      subject: SUBJECT,
      count: 3,
      vary: 'subject',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const subjects = response.body.variants.map((variant) => variant.subject);
    expect(subjects).toHaveLength(3);
    expect(new Set(subjects.map((subject) => subject.toLowerCase())).size).toBe(3);
    for (const variant of response.body.variants) {
      expect(variant.subject).not.toBe(SUBJECT);
      expect(variant.subject).toContain(NAME);
      expect(variant.subject).not.toMatch(/lorem/i);
      expect(variant.body).toBeUndefined();
    }
    expect(response.body.generatedBy).toEqual({ provider: 'builtin', model: 'builtin' });
    const calls = await aiCalls(ctx, business.id);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ outcome: 'success', provider: 'builtin' });
    expect(calls[0]?.prompt_tokens).toBeGreaterThan(0);
  });

  it('drafts bodies (and subjects) that keep the original text and Liquid', async () => {
    const content = await draft(ctx, owner, business.id, {
      subject: SUBJECT,
      body: BODY,
      count: 2,
      vary: 'content',
    });
    expect(content.status, JSON.stringify(content.body)).toBe(200);
    const bodies = content.body.variants.map((variant) => variant.body ?? '');
    expect(new Set(bodies).size).toBe(2);
    for (const variant of content.body.variants) {
      expect(variant.subject).toBe(SUBJECT);
      expect(variant.body).toContain(BODY);
      expect(variant.body).not.toBe(BODY);
    }
    const both = await draft(ctx, owner, business.id, {
      subject: SUBJECT,
      body: BODY,
      count: 2,
      vary: 'both',
      goal: 'more orders',
    });
    expect(both.status).toBe(200);
    for (const variant of both.body.variants) {
      expect(variant.subject).not.toBe(SUBJECT);
      expect(variant.body).toContain(NAME);
    }
  });
});

describe('AI-drafted A/B variants from a model', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let owner: TestUser;
  let business: TestBusiness;

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp({ env: fakeLlmEnv(fake) });
    owner = await newUser(ctx.app);
    business = await newBusiness(ctx.app, owner);
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  const answer = (...subjects: string[]) =>
    JSON.stringify({ variants: subjects.map((subject) => ({ subject })) });

  it('never returns a variant whose Liquid does not parse: the model is asked again, and both calls are priced', async () => {
    fake.reset();
    fake.script(
      // The second variant's placeholder is not closed.
      { content: answer(`Your loaf is waiting, ${NAME}`, 'Still warm, {{ subscriber.first_name ') },
      { content: answer(`Your loaf is waiting, ${NAME}`, `${NAME}, the sourdough is back`) },
    );
    const response = await draft(ctx, owner, business.id, {
      subject: SUBJECT,
      count: 2,
      vary: 'subject',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.variants).toEqual([
      { subject: `Your loaf is waiting, ${NAME}` },
      { subject: `${NAME}, the sourdough is back` },
    ]);
    expect(response.body.generatedBy).toEqual({
      provider: 'openai-compatible',
      model: 'fake-fast',
    });
    expect(fake.requests).toHaveLength(2);
    // The retry says what was wrong.
    const retry =
      fake.requests[1]?.body.messages.map((message) => message.content).join('\n') ?? '';
    expect(retry).toContain('could not be used');
    expect(retry).toContain('Liquid');

    const calls = await aiCalls(ctx, business.id);
    expect(calls.map((call) => call.outcome)).toEqual(['invalid_output', 'success']);
    for (const call of calls) expect(Number(call.cost_usd)).toBeGreaterThan(0);
  });

  it('fails with AI_OUTPUT_INVALID, returning nothing, when every answer breaks the Liquid or repeats the original', async () => {
    fake.reset();
    fake.otherwise({ content: answer(SUBJECT, 'Hi {% if %}') });
    const response = await draft(ctx, owner, business.id, {
      subject: SUBJECT,
      count: 2,
      vary: 'subject',
    });
    expect(response.status).toBe(502);
    expect(response.body.error?.code).toBe('AI_OUTPUT_INVALID');
    expect(response.body.variants).toBeUndefined();
  });
});

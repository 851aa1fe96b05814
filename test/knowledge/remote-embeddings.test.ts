// Provider embeddings: with LLM_PROVIDER=openai-compatible and LLM_EMBEDDING_MODEL, documents
// and queries are embedded by the server's /v1/embeddings (a real loopback server here), with
// `dimensions` sent, one ai_calls row per attempt (task `embed`), a 503 retried, and the
// vectors labelled with the provider, model and length so builtin ones are never compared.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { aiCalls, knowledgeChunks } from '../../src/platform/db/schema/index.ts';
import { api as request, type Method } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeEmbeddings, startFakeEmbeddings } from '../helpers/fake-embeddings.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';

interface Doc {
  id: string;
  chunkCount: number;
  embeddingModel: string | null;
}

describe('provider embeddings', () => {
  let fake: FakeEmbeddings;
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  let base: string;
  const api = <T>(method: Method, url: string, payload?: object, expected?: number) =>
    request<T>(ctx.app, owner, method, url, payload, expected);
  const embedCalls = () =>
    ctx.runtime.database.db
      .select()
      .from(aiCalls)
      .where(and(eq(aiCalls.businessId, businessId), eq(aiCalls.task, 'embed')));

  beforeAll(async () => {
    fake = await startFakeEmbeddings();
    ctx = await buildTestApp({
      env: {
        LLM_PROVIDER: 'openai-compatible',
        LLM_BASE_URL: fake.baseUrl,
        LLM_API_KEY: 'test-key',
        LLM_MODEL_FAST: 'chat-model',
        LLM_EMBEDDING_MODEL: 'fake-embed',
        LLM_RETRY_BASE_DELAY_MS: '1',
        LLM_RETRY_MAX_DELAY_MS: '5',
      },
    });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    base = `/api/v1/businesses/${businessId}/knowledge`;
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  it('embeds the passages and the query through the server, records each call, and finds the answer', async () => {
    const shipping = await api<Doc>(
      'POST',
      `${base}/documents`,
      {
        title: 'Shipping',
        format: 'text',
        content: 'Bread boxes ship everywhere in France within two days by courier.',
      },
      201,
    );
    const allergens = await api<Doc>(
      'POST',
      `${base}/documents`,
      {
        title: 'Allergens',
        format: 'text',
        content: 'The seeded rye contains sesame and wheat gluten.',
      },
      201,
    );
    expect(shipping.body.embeddingModel).toBe('openai-compatible:fake-embed:256');
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'fake-embed',
      dimensions: 256,
      input: ['Bread boxes ship everywhere in France within two days by courier.'],
    });
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer test-key');

    const stored = await ctx.runtime.database.db
      .select()
      .from(knowledgeChunks)
      .where(eq(knowledgeChunks.documentId, allergens.body.id));
    expect(stored[0]?.embedding).toHaveLength(256);
    expect(stored[0]?.embeddingModel).toBe('openai-compatible:fake-embed:256');

    const search = await api<{ items: { documentId: string }[] }>(
      'GET',
      `${base}/search?q=${encodeURIComponent('does the rye contain sesame')}`,
      undefined,
      200,
    );
    expect(search.body.items[0]?.documentId).toBe(allergens.body.id);
    expect(fake.requests.at(-1)?.body.input).toEqual(['does the rye contain sesame']);

    const calls = await embedCalls();
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      expect(call).toMatchObject({
        provider: 'openai-compatible',
        model: 'fake-embed',
        outcome: 'success',
        userId: owner.id,
      });
      expect(call.promptTokens).toBeGreaterThan(0);
    }
  });

  it('retries a 503 once and records both attempts', async () => {
    const before = (await embedCalls()).length;
    fake.failNext(503, 1);
    await api(
      'POST',
      `${base}/documents`,
      { title: 'Hours', format: 'text', content: 'Open at seven.' },
      201,
    );
    const outcomes = (await embedCalls())
      .slice(before)
      .map((call) => call.outcome)
      .sort();
    expect(outcomes).toEqual(['success', 'upstream_error']);
  });

  it('stores nothing and answers 503 when the server keeps failing', async () => {
    fake.failNext(503, 10);
    const refused = await api<{ error: { code: string } }>(
      'POST',
      `${base}/documents`,
      { title: 'Lost', format: 'text', content: 'Never stored.' },
      503,
    );
    expect(refused.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    const list = await api<{ items: { title: string }[] }>(
      'GET',
      `${base}/documents`,
      undefined,
      200,
    );
    expect(list.body.items.map((doc) => doc.title)).not.toContain('Lost');
    fake.failNext(503, 0);
  });
});

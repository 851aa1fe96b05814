// Similarity search (platform/db/vector.ts) on both paths: the HNSW index where pgvector is
// installed (PGlite always; a PostgreSQL server that has it), and the exact scan (a server
// without it, or forced). Both must rank the same passages first, within one business and one
// embedder only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { lexicalVector } from '../../src/ai/embeddings.ts';
import {
  agentLearnings,
  knowledgeChunks,
  knowledgeDocuments,
} from '../../src/platform/db/schema/index.ts';
import { type EmbeddingTable, nearest } from '../../src/platform/db/vector.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser } from '../helpers/fixtures.ts';

const MODEL = 'builtin-lexical-v1-256';
const TOPICS = [
  'sourdough starter feeding schedule',
  'croissant lamination butter temperature',
  'gluten free almond flour cake',
  'delivery courier same afternoon',
  'refund damaged loaf photo email',
  'sesame allergen seeded rye label',
  'wedding cake tasting appointment',
  'baguette crust steam oven',
];

/** Passages mixing a topic with filler words, so each topic has several near matches. */
function passages(count: number, seed: number): string[] {
  return Array.from({ length: count }, (_, n) => {
    const topic = TOPICS[(n * 7 + seed) % TOPICS.length] ?? '';
    const other = TOPICS[(n * 3 + seed + 1) % TOPICS.length] ?? '';
    return `${topic} note ${String(n)} ${other.split(' ')[n % 3] ?? ''} batch ${String((n * 13) % 17)}`;
  });
}

describe('similarity search', () => {
  let ctx: TestApp;
  let businessId: string;
  let otherBusinessId: string;

  beforeAll(async () => {
    ctx = await buildTestApp();
    const owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    otherBusinessId = (await newBusiness(ctx.app, owner)).id;
    const db = ctx.runtime.database.db;
    for (const [business, seed] of [
      [businessId, 0],
      [otherBusinessId, 3],
    ] as const) {
      const [document] = await db
        .insert(knowledgeDocuments)
        .values({ businessId: business, title: 'Notes', format: 'text', bytes: 1, status: 'ready' })
        .returning();
      const texts = passages(120, seed);
      await db.insert(knowledgeChunks).values(
        texts.map((content, ordinal) => ({
          businessId: business,
          documentId: document?.id ?? '',
          ordinal,
          content,
          embedding: lexicalVector(content),
          embeddingModel: MODEL,
        })),
      );
      await db.insert(agentLearnings).values(
        texts.slice(0, 40).map((content) => ({
          businessId: business,
          kind: 'fact',
          content,
          embedding: lexicalVector(content),
          embeddingModel: MODEL,
        })),
      );
    }
    // Vectors of another embedder in the same business are never compared.
    await db.insert(agentLearnings).values({
      businessId,
      kind: 'fact',
      content: 'sesame allergen seeded rye label',
      embedding: Array.from({ length: 8 }, () => 0.5),
      embeddingModel: 'openai:text-embedding-3-small:8',
    });
  }, 120_000);
  afterAll(async () => {
    await ctx.close();
  });

  it('uses the vector index exactly where pgvector is installed', async () => {
    // PGlite always loads pgvector; a PostgreSQL server has it when its package is installed.
    const [available] = await ctx.runtime.database.query<{ present: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS present`,
    );
    expect(ctx.runtime.database.vectorEnabled).toBe(available?.present);
    const columns = await ctx.runtime.database.query(
      `SELECT 1 FROM information_schema.columns
        WHERE table_name = 'agent_learnings' AND column_name = 'embedding_vector'`,
    );
    expect(columns.length > 0).toBe(ctx.runtime.database.vectorEnabled);
  });

  for (const table of ['knowledge_chunks', 'agent_learnings'] as EmbeddingTable[]) {
    it(`ranks the same ${table} first on the indexed and the exact path, within the business`, async () => {
      const database = ctx.runtime.database;
      const contentOf = new Map<string, string>();
      const source = table === 'knowledge_chunks' ? knowledgeChunks : agentLearnings;
      for (const row of await database.db
        .select({ id: source.id, content: source.content, businessId: source.businessId })
        .from(source)) {
        if (row.businessId === businessId) contentOf.set(row.id, row.content);
      }
      for (const topic of TOPICS) {
        const vector = lexicalVector(`${topic}?`);
        const query = { table, businessId, model: MODEL, vector, limit: 5 };
        const indexed = await nearest(database, query);
        const exact = await nearest(database, { ...query, exact: true });
        expect(indexed, topic).toHaveLength(5);
        // Passages of equal score may come in either order; those above the last score may not.
        const cut = (exact[4]?.score ?? 0) + 1e-6;
        const above = (rows: typeof exact) =>
          rows
            .filter((row) => row.score > cut)
            .map((row) => row.id)
            .sort();
        expect(above(indexed), topic).toEqual(above(exact));
        for (const [index, row] of indexed.entries()) {
          expect(row.score).toBeCloseTo(exact[index]?.score ?? Number.NaN, 4);
          // Only this business's rows, and the best one is about the topic asked.
          expect(contentOf.has(row.id), topic).toBe(true);
        }
        expect(contentOf.get(indexed[0]?.id ?? ''), topic).toContain(topic);
        expect(contentOf.get(exact[0]?.id ?? ''), topic).toContain(topic);
      }
    });
  }

  it('finds nothing for a query without words, or for another embedder', async () => {
    const database = ctx.runtime.database;
    const base = { table: 'agent_learnings' as const, businessId, limit: 5 };
    expect(
      await nearest(database, { ...base, model: MODEL, vector: lexicalVector('the of') }),
    ).toEqual([]);
    const other = await nearest(database, {
      ...base,
      model: 'openai:text-embedding-3-small:8',
      vector: Array.from({ length: 8 }, () => 0.5),
    });
    expect(other).toHaveLength(1);
    expect(other[0]?.score).toBeCloseTo(1, 5);
  });
});

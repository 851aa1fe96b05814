// SQL of the knowledge base. Every query is scoped by business; chunks are written in batches.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';

import type { Executor } from '../../platform/db/client.ts';
import { keysetPage } from '../../platform/db/pagination.ts';
import { returnedRow } from '../../platform/db/returning.ts';
import { knowledgeChunks, knowledgeDocuments } from '../../platform/db/schema/index.ts';
import type { PageRequest } from '../../platform/http/pagination.ts';

export type DocumentRow = typeof knowledgeDocuments.$inferSelect;
export type NewDocument = typeof knowledgeDocuments.$inferInsert;
export type NewChunk = typeof knowledgeChunks.$inferInsert;

const INSERT_BATCH = 200;
const EXCERPT_CHARS = 200;

export function createKnowledgeRepository(db: Executor) {
  return {
    async insertDocument(values: NewDocument): Promise<DocumentRow> {
      return returnedRow(await db.insert(knowledgeDocuments).values(values).returning());
    },

    async insertChunks(rows: NewChunk[]): Promise<void> {
      for (let start = 0; start < rows.length; start += INSERT_BATCH) {
        await db.insert(knowledgeChunks).values(rows.slice(start, start + INSERT_BATCH));
      }
    },

    async list(businessId: string, page: PageRequest): Promise<DocumentRow[]> {
      return keysetPage(
        db.select().from(knowledgeDocuments).$dynamic(),
        knowledgeDocuments,
        page,
        eq(knowledgeDocuments.businessId, businessId),
      );
    },

    async find(businessId: string, documentId: string): Promise<DocumentRow | undefined> {
      const [row] = await db
        .select()
        .from(knowledgeDocuments)
        .where(
          and(eq(knowledgeDocuments.businessId, businessId), eq(knowledgeDocuments.id, documentId)),
        );
      return row;
    },

    /** Each passage's ordinal and opening words, in order. */
    async chunkSummaries(businessId: string, documentId: string) {
      return db
        .select({
          ordinal: knowledgeChunks.ordinal,
          excerpt: sql<string>`left(${knowledgeChunks.content}, ${EXCERPT_CHARS})`,
        })
        .from(knowledgeChunks)
        .where(
          and(
            eq(knowledgeChunks.businessId, businessId),
            eq(knowledgeChunks.documentId, documentId),
          ),
        )
        .orderBy(asc(knowledgeChunks.ordinal));
    },

    /** The embedder of a document's passages (they all share one). */
    async embeddingModelsOf(businessId: string, documentIds: string[]) {
      if (documentIds.length === 0) return new Map<string, string>();
      const rows = await db
        .selectDistinctOn([knowledgeChunks.documentId], {
          documentId: knowledgeChunks.documentId,
          model: knowledgeChunks.embeddingModel,
        })
        .from(knowledgeChunks)
        .where(
          and(
            eq(knowledgeChunks.businessId, businessId),
            inArray(knowledgeChunks.documentId, documentIds),
          ),
        );
      return new Map(rows.map((row) => [row.documentId, row.model]));
    },

    async delete(businessId: string, documentId: string): Promise<boolean> {
      const deleted = await db
        .delete(knowledgeDocuments)
        .where(
          and(eq(knowledgeDocuments.businessId, businessId), eq(knowledgeDocuments.id, documentId)),
        )
        .returning({ id: knowledgeDocuments.id });
      return deleted.length > 0;
    },

    /** Passages by id with their document's title, of ready documents only. */
    async hits(businessId: string, chunkIds: string[]) {
      if (chunkIds.length === 0) return [];
      return db
        .select({
          chunkId: knowledgeChunks.id,
          documentId: knowledgeChunks.documentId,
          title: knowledgeDocuments.title,
          ordinal: knowledgeChunks.ordinal,
          content: knowledgeChunks.content,
        })
        .from(knowledgeChunks)
        .innerJoin(knowledgeDocuments, eq(knowledgeDocuments.id, knowledgeChunks.documentId))
        .where(
          and(
            eq(knowledgeChunks.businessId, businessId),
            inArray(knowledgeChunks.id, chunkIds),
            eq(knowledgeDocuments.status, 'ready'),
          ),
        );
    },
  };
}

export type KnowledgeRepository = ReturnType<typeof createKnowledgeRepository>;

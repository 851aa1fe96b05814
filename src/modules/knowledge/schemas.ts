// Request and response shapes of the knowledge base: documents a business uploads (text,
// markdown, HTML, or a page fetched from a URL), cut into passages the agents search.
import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';
import { BusinessParams } from '../businesses/index.ts';

/** The largest document, after base64 decoding or fetching: bigger ones answer 413. */
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

export const DocumentFormat = z.enum(['text', 'markdown', 'html', 'pdf']);
export type DocumentFormat = z.infer<typeof DocumentFormat>;

// Exactly one of content, contentBase64 and url: checked by the service after the access check
// (a JSON Schema cannot say it, and a caller without access learns nothing from the body).
export const CreateDocumentBody = z.object({
  title: z.string().trim().min(1).max(300),
  format: DocumentFormat,
  content: z
    .string()
    .min(1)
    .optional()
    .describe('The document itself (text, markdown or HTML), up to 2 MB'),
  contentBase64: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'expected base64')
    .optional()
    .describe('A PDF file, base64-encoded, up to 2 MB decoded'),
  url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional()
    .describe('Fetch the document from this public http(s) address instead'),
});

export type CreateDocumentBody = z.infer<typeof CreateDocumentBody>;

export const KnowledgeDocument = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    title: z.string(),
    format: DocumentFormat,
    sourceUrl: z.string().nullable(),
    bytes: z.number().int(),
    chunkCount: z.number().int(),
    status: z.enum(['processing', 'ready', 'failed']),
    error: z.string().nullable(),
    /** Which embedder made its passages' vectors. */
    embeddingModel: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'KnowledgeDocument' });
export type KnowledgeDocument = z.infer<typeof KnowledgeDocument>;

export const KnowledgeChunkSummary = z.object({
  ordinal: z.number().int(),
  excerpt: z.string().describe('The passage’s first 200 characters'),
});

export const KnowledgeDocumentDetail = KnowledgeDocument.extend({
  chunks: z.array(KnowledgeChunkSummary),
}).meta({ id: 'KnowledgeDocumentDetail' });
export type KnowledgeDocumentDetail = z.infer<typeof KnowledgeDocumentDetail>;

export const KnowledgeDocumentPage = pageSchema(KnowledgeDocument);
export const KnowledgeDocumentListQuery = PaginationQuery;
export type KnowledgeDocumentListQuery = z.infer<typeof KnowledgeDocumentListQuery>;

export const KnowledgeDocumentParams = BusinessParams.extend({ documentId: z.uuid() });

export const KnowledgeSearchQuery = z.object({
  q: z.string().trim().max(2000).default('').describe('The question; empty finds nothing'),
  limit: z.coerce.number().int().min(1).max(20).default(5),
});
export type KnowledgeSearchQuery = z.infer<typeof KnowledgeSearchQuery>;

export const KnowledgeHit = z
  .object({
    chunkId: z.uuid(),
    documentId: z.uuid(),
    title: z.string(),
    ordinal: z.number().int(),
    excerpt: z.string().describe('The whole passage'),
    score: z.number().describe('Cosine similarity to the query, -1 to 1'),
  })
  .meta({ id: 'KnowledgeHit' });
export type KnowledgeHit = z.infer<typeof KnowledgeHit>;

export const KnowledgeSearchResult = z.object({ items: z.array(KnowledgeHit) });

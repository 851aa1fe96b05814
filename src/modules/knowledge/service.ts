// The knowledge base: a business's own documents (policies, product sheets, FAQs, pages of its
// site) cut into passages and embedded, so the agents can cite them. Uploads are synchronous
// under a 2 MB cap: extract the text, cut it, embed the passages in batches, then store the
// document and its passages in one transaction (a failure stores nothing). `search` ranks
// passages by similarity to a question with the same embedder that made them.
import type { AiChat } from '../../ai/contract.ts';
import type { DatabaseHandle } from '../../platform/db/client.ts';
import { nearest } from '../../platform/db/vector.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, notFound } from '../../platform/http/errors.ts';
import { fetchPublic, RefusedTarget, TooLarge } from '../../platform/http/outbound.ts';
import { readPage } from '../../platform/http/pagination.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import { chunkText } from './chunk.ts';
import { htmlToPlainText, markdownToPlainText } from './extract.ts';
import { pdfText, UnreadablePdf } from './pdf.ts';
import { createKnowledgeRepository, type DocumentRow } from './repository.ts';
import {
  type CreateDocumentBody,
  type DocumentFormat,
  type KnowledgeDocument,
  type KnowledgeDocumentDetail,
  type KnowledgeDocumentListQuery,
  type KnowledgeHit,
  MAX_DOCUMENT_BYTES,
} from './schemas.ts';

/** Passages per embedding call (one ai_calls row each with a provider). */
const EMBED_BATCH = 128;

export interface KnowledgeDeps {
  database: DatabaseHandle;
  access: BusinessAccess;
  embedder: Pick<AiChat, 'embed' | 'embeddingModel'>;
  /** Fetch documents from private, loopback and link-local addresses (development only). */
  allowPrivateUrls: boolean;
  fetchTimeoutMs?: number;
}

function invalid(path: string, message: string): AppError {
  return new AppError('VALIDATION_ERROR', message, {
    details: { issues: [{ path, message }] },
  });
}

/** What is wrong with the body's choice of source, if anything. */
function sourceProblem(body: CreateDocumentBody): AppError | undefined {
  const given = [body.content, body.contentBase64, body.url].filter((value) => value !== undefined);
  if (given.length !== 1) {
    return invalid('body.content', 'give exactly one of content, contentBase64 and url');
  }
  if (body.format === 'pdf' && body.content !== undefined) {
    return invalid('body.content', 'a PDF comes as contentBase64 or url');
  }
  if (body.format !== 'pdf' && body.contentBase64 !== undefined) {
    return invalid('body.contentBase64', 'contentBase64 is for PDF files; send text as content');
  }
  return undefined;
}

function tooLarge(): AppError {
  return new AppError(
    'PAYLOAD_TOO_LARGE',
    `The document is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB; split it into smaller ones.`,
    { details: { maxBytes: MAX_DOCUMENT_BYTES } },
  );
}

function toDocument(row: DocumentRow, embeddingModel: string | null): KnowledgeDocument {
  return {
    id: row.id,
    businessId: row.businessId,
    title: row.title,
    format: row.format as DocumentFormat,
    sourceUrl: row.sourceUrl,
    bytes: row.bytes,
    chunkCount: row.chunkCount,
    status: row.status as KnowledgeDocument['status'],
    error: row.error,
    embeddingModel,
    createdAt: row.createdAt.toISOString(),
  };
}

export function createKnowledgeService(deps: KnowledgeDeps) {
  const { database, access, embedder } = deps;
  const repository = createKnowledgeRepository(database.db);

  /** The uploaded or fetched bytes, as text of the declared format. */
  async function sourceOf(body: CreateDocumentBody): Promise<{ raw: Buffer; url: string | null }> {
    if (body.content !== undefined) {
      const raw = Buffer.from(body.content, 'utf8');
      if (raw.length > MAX_DOCUMENT_BYTES) throw tooLarge();
      return { raw, url: null };
    }
    if (body.contentBase64 !== undefined) {
      const raw = Buffer.from(body.contentBase64, 'base64');
      if (raw.length > MAX_DOCUMENT_BYTES) throw tooLarge();
      return { raw, url: null };
    }
    const url = body.url ?? '';
    try {
      const page = await fetchPublic(url, {
        maxBytes: MAX_DOCUMENT_BYTES,
        timeoutMs: deps.fetchTimeoutMs ?? 15_000,
        allowPrivate: deps.allowPrivateUrls,
        allowPrivateSetting: 'PUBLISH_WEBHOOK_ALLOW_PRIVATE',
      });
      if (page.status < 200 || page.status >= 300) {
        throw invalid('body.url', `the address answered ${page.status}`);
      }
      return { raw: page.body, url };
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof TooLarge) throw tooLarge();
      if (error instanceof RefusedTarget) throw invalid('body.url', error.message);
      throw invalid(
        'body.url',
        `could not fetch the address: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async function textOf(body: CreateDocumentBody, raw: Buffer): Promise<string> {
    switch (body.format) {
      case 'text':
        return raw.toString('utf8');
      case 'markdown':
        return markdownToPlainText(raw.toString('utf8'));
      case 'html':
        return htmlToPlainText(raw.toString('utf8'));
      case 'pdf':
        try {
          return await pdfText(raw);
        } catch (error) {
          if (!(error instanceof UnreadablePdf)) throw error;
          throw invalid(body.url === undefined ? 'body.contentBase64' : 'body.url', error.message);
        }
    }
  }

  return {
    async create(
      principal: Principal,
      businessId: string,
      body: CreateDocumentBody,
    ): Promise<KnowledgeDocument> {
      await access.require(principal, businessId, 'content.write');
      const problem = sourceProblem(body);
      if (problem) throw problem;
      const { raw, url } = await sourceOf(body);
      const chunks = chunkText(await textOf(body, raw));
      if (chunks.length === 0) throw invalid('body.content', 'the document has no text');
      const vectors: number[][] = [];
      let model = embedder.embeddingModel();
      for (let start = 0; start < chunks.length; start += EMBED_BATCH) {
        const embedded = await embedder.embed(chunks.slice(start, start + EMBED_BATCH), {
          businessId,
          userId: principal.userId,
        });
        vectors.push(...embedded.vectors);
        model = embedded.model;
      }
      const row = await database.db.transaction(async (tx) => {
        const repo = createKnowledgeRepository(tx);
        const document = await repo.insertDocument({
          businessId,
          title: body.title,
          format: body.format,
          sourceUrl: url,
          bytes: raw.length,
          chunkCount: chunks.length,
          status: 'ready',
          createdBy: principal.userId,
        });
        await repo.insertChunks(
          chunks.map((content, ordinal) => ({
            businessId,
            documentId: document.id,
            ordinal,
            content,
            embedding: vectors[ordinal] ?? [],
            embeddingModel: model,
          })),
        );
        return document;
      });
      return toDocument(row, model);
    },

    async list(principal: Principal, businessId: string, query: KnowledgeDocumentListQuery) {
      await access.require(principal, businessId, 'business.read');
      const page = await readPage(
        query,
        (request) => repository.list(businessId, request),
        (row) => row,
      );
      const models = await repository.embeddingModelsOf(
        businessId,
        page.items.map((row) => row.id),
      );
      return {
        items: page.items.map((row) => toDocument(row, models.get(row.id) ?? null)),
        nextCursor: page.nextCursor,
      };
    },

    async get(
      principal: Principal,
      businessId: string,
      documentId: string,
    ): Promise<KnowledgeDocumentDetail> {
      await access.require(principal, businessId, 'business.read');
      const row = await repository.find(businessId, documentId);
      if (!row) throw notFound('Document');
      const models = await repository.embeddingModelsOf(businessId, [row.id]);
      const chunks = await repository.chunkSummaries(businessId, documentId);
      return { ...toDocument(row, models.get(row.id) ?? null), chunks };
    },

    async remove(principal: Principal, businessId: string, documentId: string): Promise<void> {
      await access.require(principal, businessId, 'content.write');
      if (!(await repository.delete(businessId, documentId))) throw notFound('Document');
    },

    /**
     * The passages most similar to `query`, best first, from documents embedded by the current
     * embedder (documents embedded by another one are not compared; re-upload them).
     */
    async search(
      principal: Principal,
      businessId: string,
      query: string,
      limit = 5,
    ): Promise<KnowledgeHit[]> {
      await access.require(principal, businessId, 'business.read');
      // Nothing asked, nothing found (and no embedding call).
      if (query.trim() === '') return [];
      const embedded = await embedder.embed([query], { businessId, userId: principal.userId });
      const vector = embedded.vectors[0];
      if (!vector) return [];
      const neighbours = await nearest(database, {
        table: 'knowledge_chunks',
        businessId,
        model: embedded.model,
        vector,
        limit,
      });
      const rows = new Map(
        (
          await repository.hits(
            businessId,
            neighbours.map((neighbour) => neighbour.id),
          )
        ).map((row) => [row.chunkId, row]),
      );
      return neighbours.flatMap((neighbour) => {
        const row = rows.get(neighbour.id);
        if (!row) return [];
        const { content, ...rest } = row;
        return [{ ...rest, excerpt: content, score: neighbour.score }];
      });
    },
  };
}

export type KnowledgeService = ReturnType<typeof createKnowledgeService>;

// /api/v1/businesses/{businessId}/knowledge: the documents the agents may cite, and a search
// over their passages.
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { BusinessParams } from '../businesses/index.ts';
import {
  CreateDocumentBody,
  KnowledgeDocument,
  KnowledgeDocumentDetail,
  KnowledgeDocumentListQuery,
  KnowledgeDocumentPage,
  KnowledgeDocumentParams,
  KnowledgeSearchQuery,
  KnowledgeSearchResult,
  MAX_DOCUMENT_BYTES,
} from './schemas.ts';
import type { KnowledgeService } from './service.ts';

const BASE = '/api/v1/businesses/:businessId/knowledge';
// A 2 MB PDF is about 2.7 MB of base64, plus the JSON around it; the service checks the cap.
const UPLOAD_BODY_LIMIT = Math.ceil((MAX_DOCUMENT_BYTES * 4) / 3) + 64 * 1024;

export function knowledgeRoutes(app: App, deps: { knowledge: KnowledgeService }): void {
  app.post(
    `${BASE}/documents`,
    {
      bodyLimit: UPLOAD_BODY_LIMIT,
      config: { permission: 'content.write', idempotent: true, rateLimit: 'ai' },
      schema: {
        tags: ['knowledge'],
        summary: 'Add a document to the knowledge base (text, markdown, HTML, or a public URL)',
        params: BusinessParams,
        body: CreateDocumentBody,
        response: {
          201: KnowledgeDocument,
          ...errorResponses(400, 401, 403, 404, 413, 429, 503),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await deps.knowledge.create(
            principalOf(request),
            request.params.businessId,
            request.body,
          ),
        ),
  );

  app.get(
    `${BASE}/documents`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['knowledge'],
        summary: 'List the knowledge base’s documents, newest first',
        params: BusinessParams,
        querystring: KnowledgeDocumentListQuery,
        response: { 200: KnowledgeDocumentPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      deps.knowledge.list(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    `${BASE}/documents/:documentId`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['knowledge'],
        summary: 'A document with the opening words of each of its passages',
        params: KnowledgeDocumentParams,
        response: { 200: KnowledgeDocumentDetail, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      deps.knowledge.get(
        principalOf(request),
        request.params.businessId,
        request.params.documentId,
      ),
  );

  app.delete(
    `${BASE}/documents/:documentId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Delete a document and its passages',
        params: KnowledgeDocumentParams,
        response: { 204: z.null(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await deps.knowledge.remove(
        principalOf(request),
        request.params.businessId,
        request.params.documentId,
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${BASE}/search`,
    {
      config: { permission: 'business.read', rateLimit: 'ai' },
      schema: {
        tags: ['knowledge'],
        summary: 'The passages most similar to a question, best first',
        params: BusinessParams,
        querystring: KnowledgeSearchQuery,
        response: { 200: KnowledgeSearchResult, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => ({
      items: await deps.knowledge.search(
        principalOf(request),
        request.params.businessId,
        request.query.q,
        request.query.limit,
      ),
    }),
  );
}

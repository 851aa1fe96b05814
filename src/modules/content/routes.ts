// /api/v1/businesses/{businessId}/contents: the content studio — CRUD, AI generation, versions,
// the review workflow, scheduling and the publishing history — and the outbox of publications.
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { CampaignParams } from '../campaigns/index.ts';
import { JobEnvelope } from '../jobs/index.ts';
import {
  BulkContentBody,
  BulkContentResult,
  BusinessParams,
  Content,
  ContentListQuery,
  ContentPage,
  ContentParams,
  ContentTransitionList,
  ContentVersionList,
  CreateContentBody,
  GenerateRequest,
  PaginationQuery,
  PublicationPage,
  PublishAttemptList,
  RestoreBody,
  ScheduleBody,
  StatusChangeBody,
  UpdateContentBody,
} from './schemas.ts';
import type { ContentService } from './service.ts';

const base = '/api/v1/businesses/:businessId/contents';
const one = `${base}/:contentId`;

export function contentRoutes(app: App, deps: { contents: ContentService }): void {
  const { contents } = deps;

  app.post(
    base,
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags: ['content'],
        summary: 'Create a content piece (optionally with its text, checked against the platform)',
        description: 'Send an Idempotency-Key header to make retries safe.',
        params: BusinessParams,
        body: CreateContentBody,
        response: { 201: Content, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await contents.create(principalOf(request), request.params.businessId, request.body)),
  );

  app.get(
    base,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['content'],
        summary: 'List content, newest first; filter by campaign, status or platform',
        params: BusinessParams,
        querystring: ContentListQuery,
        response: { 200: ContentPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      contents.list(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    one,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['content'],
        summary: 'One content piece',
        params: ContentParams,
        response: { 200: Content, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      contents.get(principalOf(request), request.params.businessId, request.params.contentId),
  );

  app.patch(
    one,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['content'],
        summary:
          'Edit a piece; a new text is a new version, and an approved piece goes back to draft',
        params: ContentParams,
        body: UpdateContentBody,
        response: { 200: Content, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      contents.update(
        principalOf(request),
        request.params.businessId,
        request.params.contentId,
        request.body,
      ),
  );

  app.delete(
    one,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['content'],
        summary: 'Delete a piece and its versions',
        params: ContentParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await contents.remove(
        principalOf(request),
        request.params.businessId,
        request.params.contentId,
      );
      return reply.status(204).send();
    },
  );

  app.post(
    `${one}/generate`,
    {
      config: { permission: 'content.write', idempotent: true, rateLimit: 'ai' },
      schema: {
        tags: ['content'],
        summary: 'Start an AI job that writes the piece for its platform in the brand voice',
        description:
          "Answers 202 with the job. The text is held to the platform's limits; an answer over a limit is retried with the violation fed back, and the job fails with AI_OUTPUT_INVALID if it never fits. Each generation is a new version.",
        params: ContentParams,
        body: GenerateRequest.optional(),
        response: { 202: JobEnvelope, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const job = await contents.startGeneration(
        principalOf(request),
        request.params.businessId,
        request.params.contentId,
        request.body ?? {},
      );
      return reply.status(202).send({ job });
    },
  );

  app.get(
    `${one}/versions`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['content'],
        summary: 'Every version of the text, newest first (compare any two)',
        params: ContentParams,
        response: { 200: ContentVersionList, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      contents.versions(principalOf(request), request.params.businessId, request.params.contentId),
  );

  app.get(
    `${one}/transitions`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['content'],
        summary: 'The review trail: who moved the piece from one status to another, oldest first',
        description:
          'One entry per status change: submitted, approved, sent back, scheduled, published… `actor` is the member who made the move, or null for the system (the publisher publishing or failing a scheduled piece).',
        params: ContentParams,
        response: { 200: ContentTransitionList, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      contents.transitions(
        principalOf(request),
        request.params.businessId,
        request.params.contentId,
      ),
  );

  app.post(
    `${one}/restore`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['content'],
        summary: 'Make an earlier version current again (as a new version)',
        params: ContentParams,
        body: RestoreBody,
        response: { 200: Content, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      contents.restore(
        principalOf(request),
        request.params.businessId,
        request.params.contentId,
        request.body.version,
      ),
  );

  app.post(
    `${one}/status`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['content'],
        summary: 'Move a piece through review: submit, approve, send back, archive',
        description:
          'An invalid transition answers 409 CONFLICT and changes nothing. Approving needs content.approve (owner, admin, or a member with the approver flag): others get 403 FORBIDDEN; taking a scheduled piece back to approved only unschedules it and needs content.write. Every change is recorded in the review trail (…/transitions).',
        params: ContentParams,
        body: StatusChangeBody,
        response: { 200: Content, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      contents.setStatus(
        principalOf(request),
        request.params.businessId,
        request.params.contentId,
        request.body.status,
      ),
  );

  app.post(
    `${one}/schedule`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['content'],
        summary: 'Schedule an approved piece for publishing through a channel',
        description:
          "A time without an offset is read in the business's time zone and stored as UTC. The worker publishes at that time through the channel (outbox by default). Only approved (or failed) pieces can be scheduled; otherwise 409.",
        params: ContentParams,
        body: ScheduleBody,
        response: { 200: Content, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      contents.schedule(
        principalOf(request),
        request.params.businessId,
        request.params.contentId,
        request.body,
      ),
  );

  app.post(
    `${base}/bulk`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['content'],
        summary: 'Approve or schedule many pieces at once, each by the single-piece rules',
        description:
          'Approving needs content.approve (403 FORBIDDEN otherwise, nothing changed). Answers 200 with one result per id (duplicates once): ok with the piece, or the error that piece would have had on its own (404, 409 CONFLICT for a move the workflow refuses). Each piece changes in its own transaction, so one refusal does not stop the others. Approving a draft with text submits and approves it; scheduling takes approved (or failed) pieces and makes a draft campaign active.',
        params: BusinessParams,
        body: BulkContentBody,
        response: { 200: BulkContentResult, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => contents.bulk(principalOf(request), request.params.businessId, request.body),
  );

  app.post(
    '/api/v1/businesses/:businessId/campaigns/:campaignId/contents/generate-all',
    {
      config: { permission: 'content.write', idempotent: true, rateLimit: 'ai' },
      schema: {
        tags: ['content'],
        summary: "Start an AI job that writes every piece of the campaign's calendar without text",
        description:
          'Answers 202 with the job; while one is writing this campaign, answers it again instead of starting another. Pieces are written one after the other (progress "3 of 12 pieces"); a piece that fails is listed in the result\'s `failed` with its error and the job goes on. A piece given text meanwhile is left as it is (`skipped`).',
        params: CampaignParams,
        response: { 202: JobEnvelope, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const job = await contents.startWriteAll(
        principalOf(request),
        request.params.businessId,
        request.params.campaignId,
      );
      return reply.status(202).send({ job });
    },
  );

  app.get(
    `${one}/attempts`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['content'],
        summary: 'The publishing history of a piece: every attempt and its outcome',
        params: ContentParams,
        response: { 200: PublishAttemptList, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      contents.attempts(principalOf(request), request.params.businessId, request.params.contentId),
  );

  app.get(
    '/api/v1/businesses/:businessId/publications',
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['content'],
        summary: 'Published pieces (the outbox and every other channel), newest first',
        params: BusinessParams,
        querystring: PaginationQuery,
        response: { 200: PublicationPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      contents.publications(principalOf(request), request.params.businessId, request.query),
  );
}

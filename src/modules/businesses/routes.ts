// /api/v1/businesses: CRUD of brand profiles and rotation of the tracking write key.
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import type { App } from '../../platform/http/types.ts';
import { originOf } from '../auth/index.ts';
import { JobEnvelope } from '../jobs/index.ts';
import {
  BrandVoiceRequest,
  Business,
  BusinessPage,
  BusinessParams,
  CreateBusinessBody,
  UpdateBusinessBody,
} from './schemas.ts';
import type { BusinessService } from './service.ts';

export function businessRoutes(app: App, deps: { businesses: BusinessService }): void {
  const { businesses } = deps;

  app.post(
    '/api/v1/businesses',
    {
      config: { permission: 'self', idempotent: true },
      schema: {
        tags: ['businesses'],
        summary: 'Create a business with its brand profile',
        description: 'Send an Idempotency-Key header to make retries safe.',
        body: CreateBusinessBody,
        response: { 201: Business, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await businesses.create(principalOf(request), request.body, originOf(request))),
  );

  app.get(
    '/api/v1/businesses',
    {
      config: { permission: 'self' },
      schema: {
        tags: ['businesses'],
        summary: 'List your businesses, newest first',
        querystring: PaginationQuery,
        response: { 200: BusinessPage, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => businesses.list(principalOf(request), request.query),
  );

  app.get(
    '/api/v1/businesses/:businessId',
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['businesses'],
        summary: 'One business and its brand profile',
        params: BusinessParams,
        response: { 200: Business, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => businesses.get(principalOf(request), request.params.businessId),
  );

  app.patch(
    '/api/v1/businesses/:businessId',
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['businesses'],
        summary: 'Change some fields of a business',
        params: BusinessParams,
        body: UpdateBusinessBody,
        response: { 200: Business, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      businesses.update(principalOf(request), request.params.businessId, request.body),
  );

  app.delete(
    '/api/v1/businesses/:businessId',
    {
      config: { permission: 'business.delete' },
      schema: {
        tags: ['businesses'],
        summary: 'Delete a business and everything it owns',
        params: BusinessParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await businesses.remove(principalOf(request), request.params.businessId, originOf(request));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/businesses/:businessId/write-key/rotate',
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['businesses'],
        summary: 'Replace the tracking write key; the old one works for a grace period',
        description:
          'The old key keeps working for the grace period (WRITE_KEY_GRACE_HOURS, default 24 h) so senders can be redeployed; keys rotated out earlier keep their own expiry.',
        params: BusinessParams,
        response: { 200: Business, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      businesses.rotateWriteKey(principalOf(request), request.params.businessId, originOf(request)),
  );

  app.post(
    '/api/v1/businesses/:businessId/ai/brand-voice',
    {
      config: { permission: 'content.write', idempotent: true, rateLimit: 'ai' },
      schema: {
        tags: ['businesses'],
        summary: 'Start an AI job that suggests a brand voice from the profile',
        description:
          'Answers 202 with the job; poll GET /api/v1/jobs/{jobId} or stream …/events. The result is `{ suggestion: BrandVoiceSuggestion }`; nothing is saved until you PATCH the business. Send an Idempotency-Key header to make retries safe.',
        params: BusinessParams,
        body: BrandVoiceRequest.optional(),
        response: { 202: JobEnvelope, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const job = await businesses.suggestBrandVoice(
        principalOf(request),
        request.params.businessId,
        request.body ?? {},
      );
      return reply.status(202).send({ job });
    },
  );
}

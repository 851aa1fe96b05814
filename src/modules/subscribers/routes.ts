// /api/v1/businesses/{businessId}/subscribers and /suppressions: the people a business emails,
// their CSV imports, and the addresses it must never email again.
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import type { App } from '../../platform/http/types.ts';
import { JobEnvelope } from '../jobs/index.ts';
import {
  BusinessParams,
  CreateSubscriberBody,
  CreateSuppressionBody,
  ImportBody,
  RemoveSuppressionBody,
  Subscriber,
  SubscriberListQuery,
  SubscriberPage,
  SubscriberParams,
  Suppression,
  SuppressionPage,
  SuppressionRemoval,
  UpdateSubscriberBody,
} from './schemas.ts';
import type { SubscriberService } from './service.ts';

const base = '/api/v1/businesses/:businessId';
/** A 100,000-row CSV is a few megabytes; the import route alone accepts that much. */
const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

export function subscriberRoutes(app: App, deps: { subscribers: SubscriberService }): void {
  const { subscribers } = deps;

  app.post(
    `${base}/subscribers`,
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags: ['subscribers'],
        summary: 'Add a subscriber (the email is normalised and unique per business)',
        params: BusinessParams,
        body: CreateSubscriberBody,
        response: { 201: Subscriber, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await subscribers.create(principalOf(request), request.params.businessId, request.body),
        ),
  );

  app.get(
    `${base}/subscribers`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['subscribers'],
        summary: 'List subscribers, newest first, optionally searched or filtered by consent',
        params: BusinessParams,
        querystring: SubscriberListQuery,
        response: { 200: SubscriberPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      subscribers.list(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    `${base}/subscribers/:subscriberId`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['subscribers'],
        summary: 'One subscriber',
        params: SubscriberParams,
        response: { 200: Subscriber, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      subscribers.get(principalOf(request), request.params.businessId, request.params.subscriberId),
  );

  app.patch(
    `${base}/subscribers/:subscriberId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['subscribers'],
        summary: 'Change some fields of a subscriber',
        params: SubscriberParams,
        body: UpdateSubscriberBody,
        response: { 200: Subscriber, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      subscribers.update(
        principalOf(request),
        request.params.businessId,
        request.params.subscriberId,
        request.body,
      ),
  );

  app.delete(
    `${base}/subscribers/:subscriberId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['subscribers'],
        summary: 'Delete a subscriber and their enrollments',
        params: SubscriberParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await subscribers.remove(
        principalOf(request),
        request.params.businessId,
        request.params.subscriberId,
      );
      return reply.status(204).send();
    },
  );

  app.post(
    `${base}/subscribers/import`,
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      // A NUL in the file is that row's error (import-job.ts), not the whole file's.
      config: { permission: 'content.write', idempotent: true, fileFields: ['csv'] },
      schema: {
        tags: ['subscribers'],
        summary:
          'Import subscribers from CSV text (a job with progress and a per-row error report)',
        description:
          'Answers 202 with the job; poll GET /api/v1/jobs/{jobId} or stream …/events. The result is a SubscriberImportResult: counts and `errors: [{ row, reason }]` (row = line in the file). Existing subscribers (same email) are updated; a row is written whole or skipped.',
        params: BusinessParams,
        body: ImportBody,
        response: { 202: JobEnvelope, ...errorResponses(400, 401, 403, 404, 409, 413, 429) },
      },
    },
    async (request, reply) => {
      const job = await subscribers.startImport(
        principalOf(request),
        request.params.businessId,
        request.body,
      );
      return reply.status(202).send({ job });
    },
  );

  app.get(
    `${base}/suppressions`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['subscribers'],
        summary:
          'The suppression list: addresses never emailed again (unsubscribed, bounced, complained)',
        params: BusinessParams,
        querystring: PaginationQuery,
        response: { 200: SuppressionPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      subscribers.listSuppressions(principalOf(request), request.params.businessId, request.query),
  );

  app.post(
    `${base}/suppressions`,
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags: ['subscribers'],
        summary: 'Add an address to the suppression list',
        params: BusinessParams,
        body: CreateSuppressionBody,
        response: { 201: Suppression, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await subscribers.suppress(
            principalOf(request),
            request.params.businessId,
            request.body.email,
            request.body.reason,
          ),
        ),
  );

  app.post(
    `${base}/suppressions/removals`,
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags: ['subscribers'],
        summary: 'Take an address off the suppression list, with the reason why',
        description:
          'The address may be emailed again. The removal is written to the log (`audit: suppression.removed`) with who removed it, the reason it had been suppressed and the note.',
        params: BusinessParams,
        body: RemoveSuppressionBody,
        response: { 200: SuppressionRemoval, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const removal = await subscribers.unsuppress(
        principal,
        request.params.businessId,
        request.body.email,
        request.body.note,
      );
      request.log.info(
        {
          audit: 'suppression.removed',
          businessId: request.params.businessId,
          userId: principal.userId,
          apiKeyId: principal.apiKeyId,
          email: removal.email,
          suppressedFor: removal.reason,
          note: removal.note,
        },
        'suppression removed',
      );
      return removal;
    },
  );
}

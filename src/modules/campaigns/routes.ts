// /api/v1/businesses/{businessId}/campaigns: campaign CRUD and the AI strategy with its versions.
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { BusinessParams } from '../businesses/index.ts';
import { JobEnvelope } from '../jobs/index.ts';
import {
  Campaign,
  CampaignListQuery,
  CampaignPage,
  CampaignParams,
  CreateCampaignBody,
  StrategyRequest,
  StrategyVersionList,
  UpdateCampaignBody,
} from './schemas.ts';
import type { CampaignService } from './service.ts';

const base = '/api/v1/businesses/:businessId/campaigns';

export function campaignRoutes(app: App, deps: { campaigns: CampaignService }): void {
  const { campaigns } = deps;

  app.post(
    base,
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags: ['campaigns'],
        summary: 'Create a campaign',
        description: 'Send an Idempotency-Key header to make retries safe.',
        params: BusinessParams,
        body: CreateCampaignBody,
        response: { 201: Campaign, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await campaigns.create(principalOf(request), request.params.businessId, request.body),
        ),
  );

  app.get(
    base,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['campaigns'],
        summary: 'List campaigns, newest first',
        params: BusinessParams,
        querystring: CampaignListQuery,
        response: { 200: CampaignPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      campaigns.list(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    `${base}/:campaignId`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['campaigns'],
        summary: 'One campaign',
        params: CampaignParams,
        response: { 200: Campaign, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      campaigns.get(principalOf(request), request.params.businessId, request.params.campaignId),
  );

  app.patch(
    `${base}/:campaignId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['campaigns'],
        summary: 'Change some fields of a campaign',
        params: CampaignParams,
        body: UpdateCampaignBody,
        response: { 200: Campaign, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      campaigns.update(
        principalOf(request),
        request.params.businessId,
        request.params.campaignId,
        request.body,
      ),
  );

  app.delete(
    `${base}/:campaignId`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['campaigns'],
        summary: 'Delete a campaign, its strategies and its content',
        params: CampaignParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await campaigns.remove(
        principalOf(request),
        request.params.businessId,
        request.params.campaignId,
      );
      return reply.status(204).send();
    },
  );

  app.post(
    `${base}/:campaignId/strategy`,
    {
      config: { permission: 'content.write', idempotent: true, rateLimit: 'ai' },
      schema: {
        tags: ['campaigns'],
        summary: 'Start an AI job that writes the campaign strategy and its content calendar',
        description:
          "Answers 202 with the job. On success the strategy is stored as a new version and every calendar entry becomes a content placeholder, in one transaction. Regenerating keeps earlier versions and never duplicates placeholders already in progress. The job's result is `{ campaignId, strategyVersion, placeholdersCreated, placeholdersRemoved, strategy }`.",
        params: CampaignParams,
        body: StrategyRequest.optional(),
        response: { 202: JobEnvelope, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const job = await campaigns.startStrategy(
        principalOf(request),
        request.params.businessId,
        request.params.campaignId,
        request.body ?? {},
      );
      return reply.status(202).send({ job });
    },
  );

  app.get(
    `${base}/:campaignId/strategies`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['campaigns'],
        summary: 'Every stored strategy version of a campaign, newest first',
        params: CampaignParams,
        response: { 200: StrategyVersionList, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      campaigns.strategies(
        principalOf(request),
        request.params.businessId,
        request.params.campaignId,
      ),
  );
}

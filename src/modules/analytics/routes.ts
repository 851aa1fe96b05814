// Analytics routes: per-content figures in, campaign rollups and the business overview out, and
// the AI insight job for a campaign.
import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { BusinessParams } from '../businesses/index.ts';
import { CampaignParams } from '../campaigns/index.ts';
import { ContentParams } from '../content/index.ts';
import { JobEnvelope } from '../jobs/index.ts';
import {
  BusinessOverview,
  CampaignAnalytics,
  ContentMetrics,
  MetricsBody,
  MetricsRow,
} from './schemas.ts';
import type { AnalyticsService } from './service.ts';

export function analyticsRoutes(app: App, deps: { analytics: AnalyticsService }): void {
  const { analytics } = deps;

  app.put(
    '/api/v1/businesses/:businessId/contents/:contentId/metrics',
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['analytics'],
        summary: "Report a piece's figures for a day (from an integration or by hand)",
        description:
          'One row per piece, day and source: sending the same day and source again replaces its figures, so retries are safe.',
        params: ContentParams,
        body: MetricsBody,
        response: { 200: MetricsRow, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      analytics.record(
        principalOf(request),
        request.params.businessId,
        request.params.contentId,
        request.body,
      ),
  );

  app.get(
    '/api/v1/businesses/:businessId/contents/:contentId/metrics',
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['analytics'],
        summary: "A piece's figures per day and their totals",
        params: ContentParams,
        response: { 200: ContentMetrics, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      analytics.forContent(
        principalOf(request),
        request.params.businessId,
        request.params.contentId,
      ),
  );

  app.get(
    '/api/v1/businesses/:businessId/campaigns/:campaignId/analytics',
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['analytics'],
        summary: 'Campaign rollup: totals, CTR, conversion rate, cost per conversion, ROAS',
        params: CampaignParams,
        response: { 200: CampaignAnalytics, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      analytics.campaign(
        principalOf(request),
        request.params.businessId,
        request.params.campaignId,
      ),
  );

  app.post(
    '/api/v1/businesses/:businessId/campaigns/:campaignId/insights',
    {
      config: { permission: 'content.write', idempotent: true, rateLimit: 'ai' },
      schema: {
        tags: ['analytics'],
        summary: 'Start an AI job that writes a short insight summary of the campaign',
        description: 'Answers 202 with the job; its result is `{ campaignId, insight, totals }`.',
        params: CampaignParams,
        response: { 202: JobEnvelope, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const job = await analytics.startInsights(
        principalOf(request),
        request.params.businessId,
        request.params.campaignId,
      );
      return reply.status(202).send({ job });
    },
  );

  app.get(
    '/api/v1/businesses/:businessId/analytics/overview',
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['analytics'],
        summary: 'Business overview: totals, per-campaign rollups, content by status',
        params: BusinessParams,
        response: { 200: BusinessOverview, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => analytics.overview(principalOf(request), request.params.businessId),
  );
}

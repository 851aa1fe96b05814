// /api/v1/businesses/{businessId}/ai/…: what a business's AI work cost and today's budget
// (usage), the members' ratings of AI output (feedback) and how good that output is (quality).
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { BusinessParams } from '../businesses/index.ts';
import type { AiQualityService } from './quality.ts';
import {
  AiQuality,
  AiQualityQuery,
  AiUsage,
  AiUsageQuery,
  FeedbackBody,
  FeedbackList,
  FeedbackListQuery,
  FeedbackSubjectQuery,
} from './schemas.ts';
import type { AiUsageService } from './service.ts';

const base = '/api/v1/businesses/:businessId/ai';

export function aiUsageRoutes(
  app: App,
  deps: { aiUsage: AiUsageService; aiQuality: AiQualityService },
): void {
  app.get(
    `${base}/usage`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['ai'],
        summary: 'AI calls, tokens and cost by day, task and model; budget left today',
        description:
          'Days are UTC. Every model attempt counts (retries, and calls refused by the budget, which cost nothing). The builtin provider appears as provider and model `builtin` at no cost. `ungrounded` counts answers refused for a number that is not one of the figures the model was given.',
        params: BusinessParams,
        querystring: AiUsageQuery,
        response: { 200: AiUsage, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) =>
      deps.aiUsage.usage(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    `${base}/quality`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['ai'],
        summary: 'Thumbs up and down, and how much of the AI drafts survived review',
        description:
          'Per task, provider, model and prompt version, over the last `days` days: ratings given, and for AI-written content pieces approved in the period (and not edited since), how many were approved exactly as the AI wrote them and the edit distance (characters inserted, deleted or replaced; Levenshtein, on the whole text) between the last AI draft and the approved text. A changed stretch longer than 2,000 characters counts as rewritten past that point, so the distance of a much-rewritten long text is an upper bound.',
        params: BusinessParams,
        querystring: AiQualityQuery,
        response: { 200: AiQuality, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) =>
      deps.aiQuality.quality(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    `${base}/feedback`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['ai'],
        summary: 'Your own ratings of replies and pieces, latest first',
        params: BusinessParams,
        querystring: FeedbackListQuery,
        response: { 200: FeedbackList, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) =>
      deps.aiQuality.ratings(principalOf(request), request.params.businessId, request.query),
  );

  app.put(
    `${base}/feedback`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['ai'],
        summary: 'Rate an agent reply or a content piece’s AI draft: thumbs up or down',
        description:
          'One rating per member and subject: rating again replaces it. The subject must be the business’s (404 otherwise); a piece no AI wrote cannot be rated (409). The rating keeps the task, provider and model that produced the subject.',
        params: BusinessParams,
        body: FeedbackBody,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      await deps.aiQuality.rate(principalOf(request), request.params.businessId, request.body);
      return reply.status(204).send();
    },
  );

  app.delete(
    `${base}/feedback`,
    {
      config: { permission: 'content.write' },
      schema: {
        tags: ['ai'],
        summary: 'Take back your rating of a reply or a piece',
        description: 'Answers 204 whether or not you had rated it.',
        params: BusinessParams,
        querystring: FeedbackSubjectQuery,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      await deps.aiQuality.unrate(principalOf(request), request.params.businessId, request.query);
      return reply.status(204).send();
    },
  );
}

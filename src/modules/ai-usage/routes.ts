// /api/v1/businesses/{businessId}/ai/usage: what a business's AI work cost, and today's budget.
import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { BusinessParams } from '../businesses/index.ts';
import { AiUsage, AiUsageQuery } from './schemas.ts';
import type { AiUsageService } from './service.ts';

export function aiUsageRoutes(app: App, deps: { aiUsage: AiUsageService }): void {
  app.get(
    '/api/v1/businesses/:businessId/ai/usage',
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
}

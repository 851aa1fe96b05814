// POST /api/v1/businesses/{businessId}/intelligence/runs/{runId}/insight: starts the job in which
// the AI narrates a run from its figures (insight-job.ts).
import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { JobEnvelope } from '../jobs/index.ts';
import type { InsightStarter } from './insight-job.ts';
import { RunParams } from './schemas.ts';

export function intelligenceInsightRoutes(app: App, deps: { insights: InsightStarter }): void {
  app.post(
    '/api/v1/businesses/:businessId/intelligence/runs/:runId/insight',
    {
      config: { permission: 'content.write', idempotent: true, rateLimit: 'ai' },
      schema: {
        tags: ['intelligence'],
        summary: 'Start an AI job that narrates a run: headline, narrative and the top 3 actions',
        description:
          'Answers 202 with the job; its result is `{ runId, previousRunId, insight: { headline, narrative, actions: [{ title, why }] }, generatedBy }`. Every number the model writes must be one of the figures it was given (the run’s and the previous run’s, with the shares and before/after figures Herald computes from them): an answer with another number is refused and the model asked again, and after the retries the job fails with AI_OUTPUT_INVALID. The AI usage page counts these refusals. 409 when the run has not succeeded.',
        params: RunParams,
        response: { 202: JobEnvelope, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const job = await deps.insights.startInsight(
        principalOf(request),
        request.params.businessId,
        request.params.runId,
      );
      return reply.status(202).send({ job });
    },
  );
}

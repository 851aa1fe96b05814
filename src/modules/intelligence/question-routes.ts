// /api/v1/businesses/{businessId}/customers/questions: a question in plain language, turned into
// a segment rule and run (the runs' routes are in routes.ts, the insight's in insight-routes.ts).
import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import type { QuestionService } from './questions.ts';
import { QuestionAnswer, QuestionBody, QuestionParams } from './questions-schemas.ts';

/** POST …/customers/questions: a question in plain words, answered by a segment rule. */
export function registerIntelligenceQuestionRoutes(
  app: App,
  deps: { questions: QuestionService },
): void {
  app.post(
    '/api/v1/businesses/:businessId/customers/questions',
    {
      config: { permission: 'business.read', rateLimit: 'ai' },
      schema: {
        tags: ['customers'],
        summary: 'Ask about your customers in plain words',
        description:
          'The AI layer (strong tier) turns the question into a segment rule (the SegmentRules schema: traits, fields, events, orders, revenue, consent and the latest intelligence run’s scores), which runs inside this business only. The answer holds the rule, the rule in plain words, how many customers match, the first 20 and a summary. A question the rules cannot express — or a model answer outside them — is 422 with what can be asked; it is never run. The builtin provider parses a fixed grammar (docs/intelligence.md) and says so.',
        params: QuestionParams,
        body: QuestionBody,
        response: {
          200: QuestionAnswer,
          ...errorResponses(400, 401, 403, 404, 422, 429, 502, 503, 504),
        },
      },
    },
    async (request) =>
      deps.questions.ask(principalOf(request), request.params.businessId, request.body.question),
  );
}

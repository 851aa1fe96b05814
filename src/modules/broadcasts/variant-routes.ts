// POST /api/v1/businesses/{businessId}/email/variants/draft: A/B variants drafted by the AI layer.
import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { BusinessParams } from './schemas.ts';
import { DraftedVariants, DraftVariantsBody, type VariantDrafter } from './variants.ts';

export function variantRoutes(app: App, deps: { drafter: VariantDrafter }): void {
  app.post(
    '/api/v1/businesses/:businessId/email/variants/draft',
    {
      config: { permission: 'content.write', rateLimit: 'ai' },
      schema: {
        tags: ['email'],
        summary: 'Draft A/B variants of an email (subject, content or both) with AI',
        description:
          "Answers at once with `count` variants that differ from the original and from each other. Each keeps the original's Liquid and is checked as a saved email is; a variant that would not render is never returned (the model is asked again, then the call fails with AI_OUTPUT_INVALID). The call is recorded and priced in AI usage and counts against the daily AI budget. Nothing is saved: put the variants you like into the broadcast (or step).",
        params: BusinessParams,
        body: DraftVariantsBody,
        response: {
          200: DraftedVariants,
          ...errorResponses(400, 401, 403, 404, 429, 502, 503, 504),
        },
      },
    },
    async (request) =>
      deps.drafter.draft(principalOf(request), request.params.businessId, request.body),
  );
}

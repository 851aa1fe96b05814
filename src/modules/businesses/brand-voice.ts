// "Suggest a brand voice": an AI job that drafts tone, words to use and avoid, and sample lines
// from the business profile (and the marketer's notes). The marketer reviews it and saves what
// they like through the ordinary profile update.
import { z } from 'zod';

import type { Database } from '../../platform/db/client.ts';
import type { AiRunner } from '../jobs/ai-runner.ts';
import type { JobKind } from '../jobs/service.ts';
import { createBusinessRepository } from './repository.ts';
import { toBusiness } from './service.ts';

export const BRAND_VOICE_JOB = 'ai.brand-voice';

export const BrandVoiceRequest = z.object({
  notes: z
    .string()
    .trim()
    .max(2000)
    .optional()
    .describe('Anything the AI should know: examples you like, words you never use…'),
});
export type BrandVoiceRequest = z.infer<typeof BrandVoiceRequest>;

export const BrandVoiceSuggestion = z
  .object({
    tone: z.string().min(3).max(300),
    wordsToUse: z.array(z.string().min(1).max(60)).min(3).max(12),
    wordsToAvoid: z.array(z.string().min(1).max(60)).min(3).max(12),
    sampleLines: z.array(z.string().min(5).max(280)).min(2).max(4),
    rationale: z.string().min(3).max(600),
  })
  .meta({ id: 'BrandVoiceSuggestion' });

export function brandVoiceJob(deps: { db: Database; ai: AiRunner }): JobKind<BrandVoiceRequest> {
  const repository = createBusinessRepository(deps.db);
  return {
    kind: BRAND_VOICE_JOB,
    input: BrandVoiceRequest,
    timeLimitMs: 120_000,
    async run({ jobId, businessId, userId, input, progress }) {
      await progress(10, 'Reading the brand profile');
      const business = await repository.findById(businessId);
      if (!business) throw new Error('business vanished while its job was queued');
      const profile = toBusiness(business);
      await progress(30, 'Drafting a brand voice');
      const suggestion = await deps.ai.run(
        'brand-voice',
        {
          business: {
            name: profile.name,
            industry: profile.industry,
            audience: profile.audience,
            products: profile.products,
            goals: profile.goals,
            currentVoice: profile.brandVoice,
            channels: profile.channels,
          },
          notes: input.notes ?? '',
        },
        { schema: BrandVoiceSuggestion, businessId, userId, tier: 'fast', jobId },
      );
      await progress(95, 'Saving the suggestion');
      return { suggestion };
    },
  };
}

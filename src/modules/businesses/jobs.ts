// The businesses module's job: "suggest a brand voice" drafts tone, words to use and avoid, and
// sample lines from the business profile (which the AI layer reads) and the marketer's notes.
// The marketer reviews the suggestion and saves what they like through the profile update.
import type { AiRunner } from '../../ai/contract.ts';
import { brandVoiceTask } from '../../ai/tasks.ts';
import type { JobKind } from '../jobs/index.ts';
import { BrandVoiceRequest } from './schemas.ts';
import { BRAND_VOICE_JOB } from './service.ts';

export function brandVoiceJob(deps: { ai: AiRunner }): JobKind<BrandVoiceRequest> {
  return {
    kind: BRAND_VOICE_JOB,
    input: BrandVoiceRequest,
    timeLimitMs: 120_000,
    async run(job) {
      await job.progress(30, 'Drafting a brand voice');
      const suggestion = await deps.ai.run(brandVoiceTask, { notes: job.input.notes ?? '' }, job);
      await job.progress(95, 'Saving the suggestion');
      return { suggestion: suggestion.value, generatedBy: [suggestion.generatedBy] };
    },
  };
}

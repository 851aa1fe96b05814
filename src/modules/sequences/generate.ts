// "Draft a sequence with AI": a job that asks the AI layer for a whole drip sequence (goal,
// number of steps, cadence) in the brand voice and saves it as a draft the marketer edits.
// Templates the model wrote are checked like any the marketer writes (parse, refused tags, trial
// render within the limits); a step that fails fails the job rather than saving something that
// cannot send.
import { setImmediate } from 'node:timers/promises';

import { z } from 'zod';

import type { Database } from '../../platform/db/client.ts';
import { AppError } from '../../platform/http/errors.ts';
import { createBusinessRepository } from '../businesses/repository.ts';
import { toBusiness } from '../businesses/service.ts';
import type { AiRunner } from '../jobs/ai-runner.ts';
import type { JobKind } from '../jobs/service.ts';
import { createSequenceRepository } from './repository.ts';
import { GenerateSequenceBody } from './schemas.ts';
import { checkTemplates } from './templates.ts';

export const SEQUENCE_DRAFT_JOB = 'ai.sequence-draft';

export const SequenceDraft = z
  .object({
    name: z.string().min(1).max(200),
    steps: z
      .array(
        z.object({
          delayDays: z.number().int().min(0).max(60),
          subject: z.string().min(1).max(200),
          preheader: z.string().max(200),
          html: z.string().min(1).max(20_000),
          text: z.string().min(1).max(20_000),
        }),
      )
      .min(1)
      .max(10),
    rationale: z.string().max(1000),
  })
  .meta({ id: 'SequenceDraft' });

export function sequenceDraftJob(deps: {
  db: Database;
  ai: AiRunner;
}): JobKind<GenerateSequenceBody> {
  const businesses = createBusinessRepository(deps.db);
  return {
    kind: SEQUENCE_DRAFT_JOB,
    input: GenerateSequenceBody,
    timeLimitMs: 180_000,
    async run({ jobId, businessId, userId, input, progress }) {
      await progress(10, 'Reading the brand profile');
      const business = await businesses.findById(businessId);
      if (!business) throw new Error('business vanished while its job was queued');
      const profile = toBusiness(business);
      await progress(30, 'Drafting the emails');
      const draft = await deps.ai.run(
        'sequence-draft',
        {
          business: {
            name: profile.name,
            industry: profile.industry,
            audience: profile.audience,
            products: profile.products,
            goals: profile.goals,
            brandVoice: profile.brandVoice,
          },
          goal: input.goal,
          steps: input.steps,
          cadenceDays: input.cadenceDays,
        },
        { schema: SequenceDraft, businessId, userId, tier: 'fast', jobId },
      );
      // The same check as a step saved through the API: parse, refused tags, a trial render
      // within the sandbox's limits.
      for (const [index, step] of draft.steps.entries()) {
        await setImmediate();
        const [problem] = checkTemplates({ ...step });
        if (problem) {
          throw new AppError(
            'AI_OUTPUT_INVALID',
            `The AI draft's step ${String(index + 1)} has a template error in ${problem.field}: ${problem.message}`,
          );
        }
      }
      await progress(90, 'Saving the draft');
      const sequence = await deps.db.transaction(async (tx) => {
        const txRepository = createSequenceRepository(tx);
        const row = await txRepository.insert({
          businessId,
          name: input.name ?? draft.name,
          status: 'draft',
          trigger: { type: 'manual' },
        });
        await txRepository.insertSteps(
          draft.steps.map((step, position) => ({
            businessId,
            sequenceId: row.id,
            position,
            delayMinutes: step.delayDays * 1440,
            subject: step.subject,
            preheader: step.preheader,
            html: step.html,
            text: step.text,
          })),
        );
        return row;
      });
      return { sequenceId: sequence.id, stepCount: draft.steps.length, rationale: draft.rationale };
    },
  };
}

// The sequences module's job: "draft a sequence with AI" (generate.ts checks and saves the draft).
import type { AiRunner } from '../../ai/contract.ts';
import { sequenceDraftTask } from '../../ai/tasks.ts';
import type { Database } from '../../platform/db/client.ts';
import { idField, type JobKind } from '../jobs/index.ts';
import { checkDraftTemplates, saveDraft, SEQUENCE_DRAFT_JOB } from './generate.ts';
import { createSequenceRepository } from './repository.ts';
import { GenerateSequenceBody } from './schemas.ts';

export function sequenceDraftJob(deps: {
  db: Database;
  ai: AiRunner;
}): JobKind<GenerateSequenceBody> {
  return {
    kind: SEQUENCE_DRAFT_JOB,
    input: GenerateSequenceBody,
    timeLimitMs: 180_000,
    // The sequence the draft became (none until it is saved).
    subject: {
      type: 'sequence',
      idOf: (job) => idField(job.result, 'sequenceId'),
      async names(businessId, ids) {
        const rows = await createSequenceRepository(deps.db).names(businessId, ids);
        return new Map(rows.map((row) => [row.id, row.name]));
      },
    },
    async run(job) {
      const { businessId, input, progress } = job;
      await progress(30, 'Drafting the emails');
      const { value: draft, generatedBy } = await deps.ai.run(
        sequenceDraftTask,
        { goal: input.goal, steps: input.steps, cadenceDays: input.cadenceDays },
        job,
      );
      await checkDraftTemplates(draft);
      await progress(90, 'Saving the draft');
      const sequence = await saveDraft(deps.db, businessId, input.name ?? draft.name, draft);
      return {
        sequenceId: sequence.id,
        stepCount: draft.steps.length,
        rationale: draft.rationale,
        generatedBy: [generatedBy],
      };
    },
  };
}

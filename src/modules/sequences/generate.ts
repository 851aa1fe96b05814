// "Draft a sequence with AI" (the job is in jobs.ts): the AI layer writes a whole drip sequence
// (goal, number of steps, cadence) in the brand voice, saved as a draft the marketer edits.
// Templates the model wrote are checked like any the marketer writes (parse, refused tags, trial
// render within the limits); a step that fails fails the job rather than saving something that
// cannot send.
import { setImmediate } from 'node:timers/promises';

import type { SequenceDraft } from '../../ai/tasks.ts';
import type { Database } from '../../platform/db/client.ts';
import { AppError } from '../../platform/http/errors.ts';
import { createSequenceRepository } from './repository.ts';
import { checkTemplates } from './templates.ts';

export const SEQUENCE_DRAFT_JOB = 'ai.sequence-draft';

/**
 * The same check as a step saved through the API, of what is saved (the model's text version is
 * not: see saveDraft); AI_OUTPUT_INVALID names the first problem.
 */
export async function checkDraftTemplates(draft: SequenceDraft): Promise<void> {
  for (const [index, step] of draft.steps.entries()) {
    await setImmediate();
    const [problem] = checkTemplates({ ...step, text: '' });
    if (problem) {
      throw new AppError(
        'AI_OUTPUT_INVALID',
        `The AI draft's step ${String(index + 1)} has a template error in ${problem.field}: ${problem.message}`,
      );
    }
  }
}

/** Saves the draft as a new manual sequence in draft status, steps and all, in one transaction. */
export async function saveDraft(
  db: Database,
  businessId: string,
  name: string,
  draft: SequenceDraft,
): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    const repository = createSequenceRepository(tx);
    const row = await repository.insert({
      businessId,
      name,
      status: 'draft',
      trigger: { type: 'manual' },
    });
    await repository.insertSteps(
      draft.steps.map((step, position) => ({
        businessId,
        sequenceId: row.id,
        position,
        delayMinutes: step.delayDays * 1440,
        subject: step.subject,
        preheader: step.preheader,
        html: step.html,
        // Made from the HTML when sent (an empty text template), so the marketer's HTML edits
        // reach the plain-text part too; the model's own text version would go stale.
        text: '',
      })),
    );
    return row;
  });
}

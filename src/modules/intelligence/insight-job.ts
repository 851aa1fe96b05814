// The insight job (`intelligence.insight`): the AI narrates a succeeded run — headline, one or
// two paragraphs, the top 3 actions — from the run's figures and the previous run's. Every number
// it writes must be one of those figures (grounding.ts): an answer with another is refused and
// the model asked again, and after the retries the job fails as AI_OUTPUT_INVALID. The narrative
// is the job's result (the run has no column for it yet).
import { z } from 'zod';

import type { AiRunner } from '../../ai/contract.ts';
import { runInsightTask } from '../../ai/tasks.ts';
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { conflict, notFound } from '../../platform/http/errors.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import type { Job, JobKind, JobService } from '../jobs/index.ts';
import { groundedInsight } from './grounding.ts';
import { insightInput } from './insight-input.ts';
import { createIntelligenceRepository, type RunRow } from './repository.ts';
import { ModelCard, RunFigures } from './schemas.ts';

export const INSIGHT_JOB = 'intelligence.insight';

const InsightJobInput = z.object({ runId: z.uuid() });

const runNotFound = () => notFound('Intelligence run');
const notSucceeded = (run: RunRow) =>
  conflict(`The run has not succeeded (it is ${run.status}): only a finished run can be narrated`, {
    status: run.status,
  });

export function insightJob(deps: {
  db: Database;
  ai: AiRunner;
}): JobKind<z.infer<typeof InsightJobInput>> {
  return {
    kind: INSIGHT_JOB,
    input: InsightJobInput,
    timeLimitMs: 180_000,
    async run(job) {
      const { businessId, input, progress } = job;
      const repository = createIntelligenceRepository(deps.db);
      await progress(10, 'Reading the run');
      const run = await repository.findRun(businessId, input.runId);
      if (!run) throw runNotFound();
      if (run.status !== 'succeeded') throw notSucceeded(run);
      const figures = RunFigures.parse(run.figures);
      const model = ModelCard.parse(run.model);
      // The run's changes name the previous succeeded run; its figures give the "before".
      const previousId = figures.changes?.previousRunId;
      const previousRun = previousId ? await repository.findRun(businessId, previousId) : undefined;
      const previousFigures =
        previousRun?.status === 'succeeded' ? RunFigures.safeParse(previousRun.figures) : undefined;
      const previous =
        previousRun && previousFigures?.success
          ? { asOf: previousRun.asOf, figures: previousFigures.data }
          : null;
      const taskInput = insightInput({ ...run, model, figures }, previous);
      await progress(30, 'Writing the narrative');
      const answer = await deps.ai.run(
        runInsightTask.withOutput(groundedInsight(taskInput)),
        taskInput,
        job,
      );
      return {
        runId: run.id,
        previousRunId: previous ? previousId : null,
        insight: answer.value,
        generatedBy: [answer.generatedBy],
      };
    },
  };
}

/** Starts the insight job of a run: editors and up, a succeeded run of the business. */
export function createInsightStarter(deps: {
  db: Database;
  access: BusinessAccess;
  jobs: JobService;
}) {
  const repository = createIntelligenceRepository(deps.db);
  return {
    async startInsight(principal: Principal, businessId: string, runId: string): Promise<Job> {
      await deps.access.require(principal, businessId, 'content.write');
      const run = await repository.findRun(businessId, runId);
      if (!run) throw runNotFound();
      if (run.status !== 'succeeded') throw notSucceeded(run);
      return deps.jobs.start(principal, businessId, INSIGHT_JOB, { runId });
    },
  };
}

export type InsightStarter = ReturnType<typeof createInsightStarter>;

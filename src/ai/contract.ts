// What modules depend on to ask a model for something: `run` takes a declared task (ai/tasks.ts),
// its input and who asks, and answers with a value that passed the task's schema and which
// provider and model produced it — or throws a typed error (ai/errors.ts). src/ai implements it.
import type { AiTask, TaskInput } from './tasks.ts';

/**
 * The params of a custom zod issue saying that an answer states something its input does not
 * support (a number that is not one of the figures it was given). `ai.run` refuses and retries
 * such an answer like any invalid one, but records the attempt as `ungrounded_output`, so the
 * AI usage page can count these rejections.
 */
export const UNGROUNDED = Object.freeze({ herald: 'ungrounded' });

/** Who asks; a job's run context is one, so a job passes itself. */
export interface AiRunOptions {
  businessId: string;
  userId: string | null;
  /** The job this call is part of; each attempt is recorded under it. */
  jobId?: string | undefined;
  /** Stops waiting and retrying (a job past its time limit). */
  signal?: AbortSignal | undefined;
}

/** Which provider and model produced an answer (a job's result names it as `generatedBy`). */
export interface Provenance {
  provider: string;
  model: string;
}

export interface AiAnswer<Output> {
  value: Output;
  generatedBy: Provenance;
}

export interface AiRunner {
  run<Input extends TaskInput, Output>(
    task: AiTask<Input, Output>,
    input: NoInfer<Input>,
    options: AiRunOptions,
  ): Promise<AiAnswer<Output>>;
}

/** A business's AI budget for today, as the usage page shows it. */
export interface BudgetStatus {
  dailyBudgetUsd: number;
  source: 'business' | 'default';
  spentTodayUsd: number;
  remainingTodayUsd: number;
  resetsAt: string;
}

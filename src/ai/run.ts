// ai.run: the one way Herald asks a model for something. It runs a declared task (tasks.ts) and
// returns a value that passed the task's zod schema, with the provider and model that answered,
// or throws a typed error (AI_OUTPUT_INVALID, UPSTREAM_UNAVAILABLE, AI_BUDGET_EXCEEDED,
// AI_TIMEOUT). Each attempt: budget check → prompt → provider call with a timeout through the
// provider's circuit breaker (the fallback provider while it is open) → parse, repair, validate
// → one ai_calls row and metrics. Invalid, ungrounded or empty output, timeouts, 429 and 5xx are
// retried with backoff and jitter within an overall deadline (and stop when the caller's signal
// aborts); after invalid or ungrounded output the retry tells the model what was wrong. Each
// attempt that reached a model keeps its transcript. The shared machinery is calls.ts; chat
// steps (the agents' streamed turns with tools) are chat.ts.
import type { z } from 'zod';

import { notFound } from '../platform/http/errors.ts';
import {
  type AiDeps,
  type CallContext,
  createCallMachinery,
  type RecordedAttempt,
  RETRYABLE,
  roundUsd,
  startOfUtcDay,
} from './calls.ts';
import { createChatStep } from './chat.ts';
import type { AiAnswer, AiChat, AiRunOptions, BudgetStatus } from './contract.ts';
import { jsonSchemaOf, schemaNameOf } from './json-schema.ts';
import { parseModelOutput } from './parse.ts';
import { buildPrompt } from './prompts/index.ts';
import type { Template } from './providers/builtin-templates.ts';
import type { AiTask, TaskInput } from './tasks.ts';
import type { AiProvider, ProviderCall, ProviderResult } from './types.ts';

export type { AiDeps } from './calls.ts';

/** One attempt's ending, before it is recorded. */
interface Attempt extends RecordedAttempt {
  result?: ProviderResult;
  value?: unknown;
}

export function createAi(deps: AiDeps) {
  const machinery = createCallMachinery(deps);
  const { llm, logger, repository, now } = machinery;

  async function attemptOnce(
    request: Omit<ProviderCall, 'model' | 'signal'>,
    schema: z.ZodType,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    let provider: AiProvider = machinery.providers.primary;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let result: ProviderResult;
    try {
      result = await machinery.callWithFallback(
        request.task,
        (chosen, callSignal) =>
          chosen.generate({ ...request, model: chosen.model(request.tier), signal: callSignal }),
        timeoutMs,
        signal,
        (chosen) => {
          provider = chosen;
        },
      );
    } catch (error) {
      return {
        provider,
        model: provider.model(request.tier),
        latencyMs: elapsed(),
        ...machinery.failureOf(error),
      };
    }
    const base = {
      provider,
      model: result.model,
      latencyMs: elapsed(),
      result,
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
    };
    const parsed = parseModelOutput(result.text, schema);
    if (parsed.ok) {
      return { ...base, outcome: 'success', value: parsed.value, repaired: parsed.repaired };
    }
    return {
      ...base,
      outcome:
        parsed.reason === 'empty'
          ? 'empty_output'
          : parsed.reason === 'ungrounded'
            ? 'ungrounded_output'
            : 'invalid_output',
      message: parsed.message,
    };
  }

  async function run<Input extends TaskInput, Output>(
    declared: AiTask<Input, Output>,
    input: NoInfer<Input>,
    options: AiRunOptions,
  ): Promise<AiAnswer<Output>> {
    const { businessId, userId, jobId, decisionId, signal } = options;
    const { name: task, tier } = declared;
    const deadline = Date.now() + llm.deadlineMs;
    const dayStart = startOfUtcDay(now());
    const context = await machinery.businessContext(businessId, decisionId);
    if (!context) throw notFound('Business');
    const budgetUsd = context.dailyBudgetUsd ?? llm.dailyBudgetUsd;
    const jsonSchema = jsonSchemaOf(declared.output);
    const log = logger.child({ businessId, task, ...(jobId ? { jobId } : {}) });
    const callContext: CallContext = {
      businessId,
      userId,
      jobId,
      decisionId,
      task,
      tier,
      dayStart,
    };
    let feedback: string | undefined;
    let last: Attempt | undefined;
    let attempts = 0;

    for (let number = 0; number <= llm.maxRetries; number++) {
      await machinery.refuseOverBudget({ ...callContext, number }, budgetUsd, log);
      const remaining = deadline - Date.now();
      if (remaining <= 0 || signal?.aborted) break;
      const prompt = buildPrompt({
        task: declared,
        business: context.profile,
        input,
        jsonSchema,
        feedback,
      });
      const request = {
        task,
        tier,
        prompt,
        business: context.profile,
        input,
        // The template gets this same input back, so it may read it as the task's Input.
        template: declared.builtin as Template | undefined,
        schemaName: schemaNameOf(task),
        jsonSchema,
      };
      const attempt = await attemptOnce(
        request,
        declared.output,
        Math.min(llm.timeoutMs, remaining),
        signal,
      );
      attempts++;
      last = attempt;
      await machinery.record(
        attempt,
        { ...callContext, number },
        attempt.outcome === 'breaker_open'
          ? undefined
          : {
              prompt: { system: prompt.system, messages: prompt.messages, jsonSchema },
              response: attempt.result ? { text: attempt.result.text } : null,
            },
      );
      if (attempt.outcome === 'success') {
        if (number > 0 || attempt.repaired) {
          log.info({ attempt: number, repaired: attempt.repaired }, 'ai output recovered');
        }
        return {
          value: attempt.value as Output,
          generatedBy: { provider: attempt.provider.name, model: attempt.model },
        };
      }
      log.warn(
        {
          attempt: number,
          outcome: attempt.outcome,
          provider: attempt.provider.name,
          reason: attempt.message,
        },
        'ai attempt failed',
      );
      if (!RETRYABLE.has(attempt.outcome) || number === llm.maxRetries) break;
      if (
        attempt.outcome === 'invalid_output' ||
        attempt.outcome === 'ungrounded_output' ||
        attempt.outcome === 'empty_output'
      ) {
        feedback = attempt.message;
      }
      if (!(await machinery.pauseBeforeRetry(number, attempt, { task, deadline, log, signal }))) {
        break;
      }
    }
    throw machinery.finalError(task, attempts, last);
  }

  return {
    run,

    /** One step of an agent's conversation, streamed (chat.ts). */
    chatStep: createChatStep(machinery) satisfies AiChat['chatStep'],
    openDecision: machinery.openDecision satisfies AiChat['openDecision'],
    closeDecision: machinery.closeDecision satisfies AiChat['closeDecision'],

    /** Deletes the transcripts kept from before `before`; answers how many went. */
    purgeTranscripts: (before: Date) => machinery.purgeTranscripts(before),

    /** The kept prompt and response of one of the business's calls, or undefined. */
    transcriptOf: (businessId: string, callId: string) =>
      repository.transcriptOf(businessId, callId),

    /** Today's budget of a business (UTC day): the limit, what is spent and what is left. */
    async budget(businessId: string): Promise<BudgetStatus> {
      const dayStart = startOfUtcDay(now());
      const context = await repository.businessContext(businessId);
      if (!context) throw notFound('Business');
      const dailyBudgetUsd = context.dailyBudgetUsd ?? llm.dailyBudgetUsd;
      const spentTodayUsd = await repository.spentSince(businessId, dayStart);
      return {
        dailyBudgetUsd,
        source: context.dailyBudgetUsd === null ? 'default' : 'business',
        spentTodayUsd: roundUsd(spentTodayUsd),
        remainingTodayUsd: roundUsd(Math.max(0, dailyBudgetUsd - spentTodayUsd)),
        resetsAt: new Date(dayStart.getTime() + 86_400_000).toISOString(),
      };
    },

    providers: {
      primary: machinery.providers.primary.name,
      fallback: machinery.providers.fallback?.name ?? null,
    },
  };
}

export type Ai = ReturnType<typeof createAi>;

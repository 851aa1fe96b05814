// ai.run: the one way Herald asks a model for something. It runs a declared task (tasks.ts) and
// returns a value that passed the task's zod schema, with the provider and model that answered,
// or throws a typed error (AI_OUTPUT_INVALID, UPSTREAM_UNAVAILABLE, AI_BUDGET_EXCEEDED,
// AI_TIMEOUT). Each attempt: budget check → prompt → provider call with a timeout through the
// provider's circuit breaker (the fallback provider while it is open) → parse, repair, validate
// → one ai_calls row and metrics. Invalid, ungrounded or empty output, timeouts, 429 and 5xx are
// retried with backoff and jitter within an overall deadline (and stop when the caller's signal
// aborts); after invalid or ungrounded output the retry tells the model what was wrong.
import { setTimeout as sleepFor } from 'node:timers/promises';

import { BrokenCircuitError } from 'cockatiel';
import type { z } from 'zod';

import type { Config } from '../config.ts';
import type { BreakerRegistry } from '../platform/breaker.ts';
import type { Executor } from '../platform/db/client.ts';
import { type AppError, notFound } from '../platform/http/errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { AiAnswer, AiRunOptions, BudgetStatus } from './contract.ts';
import { aiBudgetExceeded, aiOutputInvalid, aiTimeout, upstreamUnavailable } from './errors.ts';
import { jsonSchemaOf, schemaNameOf } from './json-schema.ts';
import { parseModelOutput } from './parse.ts';
import { createPriceTable } from './pricing.ts';
import { buildPrompt } from './prompts/index.ts';
import type { Template } from './providers/builtin-templates.ts';
import { createProviders } from './providers/index.ts';
import { createAiRepository } from './repository.ts';
import { backoffDelayMs } from './retry.ts';
import { createSpendTracker } from './spend.ts';
import type { AiTask, TaskInput } from './tasks.ts';
import {
  type AiProvider,
  type CallOutcome,
  type ProviderCall,
  ProviderFailure,
  type ProviderResult,
  type Tier,
} from './types.ts';

export interface AiDeps {
  db: Executor;
  llm: Config['llm'];
  breakers: BreakerRegistry;
  metrics: Metrics;
  logger: Logger;
  /** Defaults to the providers the configuration names. */
  providers?: { primary: AiProvider; fallback?: AiProvider | undefined };
  now?: () => Date;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** One attempt's ending, before it is recorded. */
interface Attempt {
  provider: AiProvider;
  model: string;
  outcome: CallOutcome;
  latencyMs: number;
  result?: ProviderResult;
  repaired?: boolean;
  value?: unknown;
  message?: string;
  retryAfterMs?: number | undefined;
}

const RETRYABLE: ReadonlySet<CallOutcome> = new Set([
  'invalid_output',
  'ungrounded_output',
  'empty_output',
  'timeout',
  'rate_limited',
  'upstream_error',
]);

const ERROR_CODES: Partial<Record<CallOutcome, string>> = {
  invalid_output: 'AI_OUTPUT_INVALID',
  ungrounded_output: 'AI_OUTPUT_INVALID',
  empty_output: 'AI_OUTPUT_INVALID',
  timeout: 'AI_TIMEOUT',
  rate_limited: 'UPSTREAM_UNAVAILABLE',
  upstream_error: 'UPSTREAM_UNAVAILABLE',
  rejected: 'UPSTREAM_UNAVAILABLE',
  breaker_open: 'UPSTREAM_UNAVAILABLE',
  budget_exceeded: 'AI_BUDGET_EXCEEDED',
};

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

const roundUsd = (value: number) => Math.round(value * 1_000_000) / 1_000_000;

/** How stale another process's spending may be in the budget check. */
const SPEND_REFRESH_MS = 2_000;

export function createAi(deps: AiDeps) {
  const { llm, breakers, metrics, logger } = deps;
  const repository = createAiRepository(deps.db);
  const providers = deps.providers ?? createProviders(llm);
  const prices = createPriceTable(llm.prices);
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const sleep =
    deps.sleep ?? ((ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, { signal }));
  const unpriced = new Set<string>();
  const spend = createSpendTracker({
    read: (businessId, dayStart) => repository.spentSince(businessId, dayStart),
    refreshMs: SPEND_REFRESH_MS,
  });

  const breakerOf = (provider: AiProvider) =>
    breakers.get(provider.breakerName, {
      failureThreshold: llm.breakerFailures,
      halfOpenAfterMs: llm.breakerHalfOpenMs,
    });

  function costOf(model: string, promptTokens: number, completionTokens: number): number {
    const cost = prices.costOf(model, promptTokens, completionTokens);
    if (cost === undefined) {
      if (!unpriced.has(model)) {
        unpriced.add(model);
        logger.warn({ model }, 'ai model has no price; add it to LLM_PRICES to count its cost');
      }
      return 0;
    }
    return cost;
  }

  /** One provider call with its own timeout, through its breaker. Throws on no text. */
  async function callProvider(
    provider: AiProvider,
    request: Omit<ProviderCall, 'model' | 'signal'>,
    timeoutMs: number,
    outer: AbortSignal | undefined,
  ): Promise<ProviderResult> {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort();
    }, timeoutMs);
    const stop = () => {
      controller.abort();
    };
    outer?.addEventListener('abort', stop, { once: true });
    try {
      // A refused request (400, 401, 404: our input, key or model name) says nothing about the
      // provider's health, so it passes through the breaker as a value, not a failure.
      const outcome = await breakerOf(provider).execute(async () => {
        try {
          return await provider.generate({
            ...request,
            model: provider.model(request.tier),
            signal: controller.signal,
          });
        } catch (error) {
          if (error instanceof ProviderFailure && error.kind === 'rejected') return error;
          throw error;
        }
      });
      if (outcome instanceof ProviderFailure) throw outcome;
      return outcome;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', stop);
    }
  }

  async function attemptOnce(
    request: Parameters<typeof callProvider>[1],
    schema: z.ZodType,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    let provider = providers.primary;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let result: ProviderResult;
    try {
      try {
        result = await callProvider(provider, request, timeoutMs, signal);
      } catch (error) {
        if (!(error instanceof BrokenCircuitError) || !providers.fallback) throw error;
        provider = providers.fallback;
        logger.info({ task: request.task, fallback: provider.name }, 'ai fallback used');
        result = await callProvider(provider, request, timeoutMs, signal);
      }
    } catch (error) {
      const base = { provider, model: provider.model(request.tier), latencyMs: elapsed() };
      if (error instanceof BrokenCircuitError) {
        return { ...base, outcome: 'breaker_open', message: 'its circuit breaker is open' };
      }
      if (error instanceof ProviderFailure) {
        return {
          ...base,
          outcome: error.kind,
          message: error.message,
          retryAfterMs: error.retryAfterMs,
        };
      }
      throw error;
    }
    const base = { provider, model: result.model, latencyMs: elapsed(), result };
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

  async function record(
    attempt: Attempt,
    context: {
      businessId: string;
      userId: string | null;
      jobId: string | undefined;
      task: string;
      tier: Tier;
      number: number;
      dayStart: Date;
    },
  ): Promise<void> {
    const promptTokens = attempt.result?.promptTokens ?? 0;
    const completionTokens = attempt.result?.completionTokens ?? 0;
    const cost = attempt.result ? costOf(attempt.model, promptTokens, completionTokens) : 0;
    const labels = { provider: attempt.provider.name, model: attempt.model, task: context.task };
    metrics.aiRequests.inc({ ...labels, outcome: attempt.outcome });
    metrics.aiRequestDuration.observe(
      { ...labels, outcome: attempt.outcome },
      attempt.latencyMs / 1000,
    );
    if (promptTokens > 0) metrics.aiTokens.inc({ ...labels, kind: 'prompt' }, promptTokens);
    if (completionTokens > 0)
      metrics.aiTokens.inc({ ...labels, kind: 'completion' }, completionTokens);
    if (cost > 0) metrics.aiCostUsd.inc(labels, cost);
    if (attempt.repaired) metrics.aiRepairs.inc(labels);
    await repository.recordCall({
      businessId: context.businessId,
      userId: context.userId,
      jobId: context.jobId ?? null,
      task: context.task,
      provider: attempt.provider.name,
      model: attempt.model,
      tier: context.tier,
      promptTokens,
      completionTokens,
      costUsd: cost.toFixed(6),
      latencyMs: attempt.latencyMs,
      outcome: attempt.outcome,
      attempt: context.number,
      repaired: attempt.repaired ?? false,
      errorCode: ERROR_CODES[attempt.outcome] ?? null,
      errorMessage: attempt.message?.slice(0, 1000) ?? null,
    });
    if (cost > 0) spend.add(context.businessId, context.dayStart, cost);
  }

  function finalError(task: string, attempts: number, last: Attempt | undefined): AppError {
    if (!last || last.outcome === 'timeout') return aiTimeout(task, attempts, llm.deadlineMs);
    switch (last.outcome) {
      case 'invalid_output':
      case 'ungrounded_output':
      case 'empty_output':
        return aiOutputInvalid(task, attempts, last.message ?? 'unusable answer');
      case 'rate_limited':
        return upstreamUnavailable(task, 'it is rate limiting requests', {
          attempts,
          ...(last.retryAfterMs === undefined
            ? {}
            : { retryAfterSeconds: Math.ceil(last.retryAfterMs / 1000) }),
        });
      case 'rejected':
        return upstreamUnavailable(
          task,
          `${last.message ?? 'it refused the request'}; an administrator should check the LLM_* settings (key, model names)`,
          { attempts },
        );
      default:
        return upstreamUnavailable(task, last.message ?? 'it failed', { attempts });
    }
  }

  async function run<Input extends TaskInput, Output>(
    declared: AiTask<Input, Output>,
    input: NoInfer<Input>,
    options: AiRunOptions,
  ): Promise<AiAnswer<Output>> {
    const { businessId, userId, jobId, signal } = options;
    const { name: task, tier } = declared;
    const deadline = Date.now() + llm.deadlineMs;
    const dayStart = startOfUtcDay(now());
    const context = await repository.businessContext(businessId);
    if (!context) throw notFound('Business');
    const budgetUsd = context.dailyBudgetUsd ?? llm.dailyBudgetUsd;
    const jsonSchema = jsonSchemaOf(declared.output);
    const log = logger.child({ businessId, task, ...(jobId ? { jobId } : {}) });
    const callContext = { businessId, userId, jobId, task, tier, dayStart };
    let feedback: string | undefined;
    let last: Attempt | undefined;
    let attempts = 0;

    for (let number = 0; number <= llm.maxRetries; number++) {
      const spent = await spend.spentToday(businessId, dayStart);
      if (spent >= budgetUsd) {
        const primary = providers.primary;
        await record(
          {
            provider: primary,
            model: primary.model(tier),
            outcome: 'budget_exceeded',
            latencyMs: 0,
            message: `spent ${spent.toFixed(6)} of ${budgetUsd.toFixed(2)} USD today`,
          },
          { ...callContext, number },
        );
        log.warn({ budgetUsd, spentUsd: spent }, 'ai budget exceeded');
        const resetsAt = new Date(dayStart.getTime() + 86_400_000);
        throw aiBudgetExceeded(budgetUsd, roundUsd(spent), resetsAt, now());
      }
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
      await record(attempt, { ...callContext, number });
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
      const delayMs = Math.max(
        backoffDelayMs(
          number + 1,
          { baseDelayMs: llm.retryBaseDelayMs, maxDelayMs: llm.retryMaxDelayMs },
          random(),
        ),
        attempt.retryAfterMs ?? 0,
      );
      if (Date.now() + delayMs >= deadline) {
        log.warn({ delayMs }, 'ai retry would pass the deadline; giving up');
        break;
      }
      metrics.aiRetries.inc({
        provider: attempt.provider.name,
        model: attempt.model,
        task,
        reason: attempt.outcome,
      });
      log.info({ attempt: number, outcome: attempt.outcome, delayMs }, 'ai retry scheduled');
      try {
        await sleep(delayMs, signal);
      } catch {
        break; // the caller gave up (a job's time limit)
      }
    }
    throw finalError(task, attempts, last);
  }

  return {
    run,

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

    providers: { primary: providers.primary.name, fallback: providers.fallback?.name ?? null },
  };
}

export type Ai = ReturnType<typeof createAi>;

// What every model call goes through, whether a task (run.ts) or a chat step (chat.ts): the
// budget check, the provider call with its own timeout through that provider's circuit breaker
// (the fallback provider while it is open), one ai_calls row and metrics per attempt, the kept
// transcript (secrets redacted), the wait before a retry, and the typed error a caller gets.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';

import { BrokenCircuitError } from 'cockatiel';

import type { Config } from '../config.ts';
import type { BreakerRegistry } from '../platform/breaker.ts';
import type { Executor } from '../platform/db/client.ts';
import { type HeraldEvents, noHeraldEvents } from '../platform/events.ts';
import type { AppError } from '../platform/http/errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { DecisionUsage } from './contract.ts';
import { aiBudgetExceeded, aiOutputInvalid, aiTimeout, upstreamUnavailable } from './errors.ts';
import { createPriceTable } from './pricing.ts';
import { createProviders } from './providers/index.ts';
import { redact } from './redact.ts';
import { type BusinessContext, createAiRepository } from './repository.ts';
import { backoffDelayMs } from './retry.ts';
import { createSpendTracker } from './spend.ts';
import { type AiProvider, type CallOutcome, ProviderFailure, type Tier } from './types.ts';

export interface AiDeps {
  db: Executor;
  llm: Config['llm'];
  breakers: BreakerRegistry;
  metrics: Metrics;
  logger: Logger;
  /** ai.budget_threshold when a business's spending today reaches 80 % and 100 % of its budget. */
  events?: HeraldEvents;
  /** Defaults to the providers the configuration names. */
  providers?: { primary: AiProvider; fallback?: AiProvider | undefined };
  now?: () => Date;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** One attempt's ending, as it is recorded. */
export interface RecordedAttempt {
  provider: AiProvider;
  model: string;
  outcome: CallOutcome;
  latencyMs: number;
  promptTokens?: number | undefined;
  completionTokens?: number | undefined;
  repaired?: boolean | undefined;
  message?: string | undefined;
  retryAfterMs?: number | undefined;
}

/** Who asked and what, for each attempt's row. */
export interface CallContext {
  businessId: string;
  userId: string | null;
  jobId: string | undefined;
  decisionId?: string | undefined;
  task: string;
  tier: Tier;
  dayStart: Date;
}

export const RETRYABLE: ReadonlySet<CallOutcome> = new Set([
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

export function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

export const roundUsd = (value: number) => Math.round(value * 1_000_000) / 1_000_000;

/** What a prompt and its answer leave behind for tracing (secrets redacted when stored). */
export interface TranscriptRecord {
  prompt: Record<string, unknown>;
  response: Record<string, unknown> | null;
}

/**
 * The calls of one agent decision (a chat turn) between openDecision and closeDecision: they read
 * the business once, and write their ai_calls rows and transcripts behind the turn instead of
 * before its next step (the user waits on the model, not on our bookkeeping). closeDecision
 * waits for every write and answers the usage they recorded.
 */
interface DecisionScope {
  contexts: Map<string, Promise<BusinessContext | undefined>>;
  writes: Promise<void>[];
  failure: Error | undefined;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

/** How stale another process's spending may be in the budget check. */
const SPEND_REFRESH_MS = 2_000;

/** The shares of the daily budget at which ai.budget_threshold is published (percent). */
export const BUDGET_THRESHOLDS = [80, 100] as const;
const MAX_ANNOUNCED = 10_000;

/** Transcripts deleted per statement by the purge (short locks on a busy table). */
const PURGE_BATCH = 1_000;

export function createCallMachinery(deps: AiDeps) {
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
  const events = deps.events ?? noHeraldEvents;
  /** Each business's budget as the last budget check saw it, for the thresholds after a call. */
  const budgets = new Map<string, number>();
  /** Thresholds this process already published (the event's key keeps other processes' apart). */
  const announced = new Set<string>();

  /**
   * Publishes ai.budget_threshold for each threshold today's spending has reached, once per
   * business, day and threshold. The budget is daily (AI_DAILY_BUDGET_USD or the business's
   * own), so the key names the UTC day. Never fails the call that spent the money.
   */
  async function announceBudget(businessId: string, dayStart: Date, spentUsd: number) {
    const budgetUsd = budgets.get(businessId);
    if (budgetUsd === undefined || budgetUsd <= 0) return;
    const day = dayStart.toISOString().slice(0, 10);
    for (const percent of BUDGET_THRESHOLDS) {
      const key = `ai.budget_threshold:${day}:${percent}`;
      const memo = `${businessId}:${key}`;
      if (spentUsd < (budgetUsd * percent) / 100 || announced.has(memo)) continue;
      try {
        await deps.db.transaction((tx) =>
          events.publish(tx, {
            businessId,
            type: 'ai.budget_threshold',
            key,
            data: {
              percent,
              spentUsd: roundUsd(spentUsd),
              budgetUsd,
              period: 'day',
              day,
              month: day.slice(0, 7),
            },
          }),
        );
        if (announced.size >= MAX_ANNOUNCED) announced.clear();
        announced.add(memo);
      } catch (error) {
        logger.warn({ err: error, businessId, percent }, 'ai budget event not recorded');
      }
    }
  }
  const scopes = new Map<string, DecisionScope>();
  const scopeOf = (decisionId: string | undefined) =>
    decisionId === undefined ? undefined : scopes.get(decisionId);

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

  /** One provider call with its own timeout, through its breaker. */
  async function callProvider<T>(
    provider: AiProvider,
    invoke: (provider: AiProvider, signal: AbortSignal) => Promise<T>,
    timeoutMs: number,
    outer: AbortSignal | undefined,
  ): Promise<T> {
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
          return await invoke(provider, controller.signal);
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

  /**
   * The primary provider, or the fallback while the primary's breaker is open. `onProvider`
   * learns which one is being called (so a failure is recorded under it).
   */
  async function callWithFallback<T>(
    task: string,
    invoke: (provider: AiProvider, signal: AbortSignal) => Promise<T>,
    timeoutMs: number,
    outer: AbortSignal | undefined,
    onProvider: (provider: AiProvider) => void,
  ): Promise<T> {
    onProvider(providers.primary);
    try {
      return await callProvider(providers.primary, invoke, timeoutMs, outer);
    } catch (error) {
      if (!(error instanceof BrokenCircuitError) || !providers.fallback) throw error;
      const fallback = providers.fallback;
      logger.info({ task, fallback: fallback.name }, 'ai fallback used');
      onProvider(fallback);
      return await callProvider(fallback, invoke, timeoutMs, outer);
    }
  }

  /** How a failed provider call ends the attempt; anything else is a bug and is rethrown. */
  function failureOf(
    error: unknown,
  ): Pick<RecordedAttempt, 'outcome' | 'message' | 'retryAfterMs'> {
    if (error instanceof BrokenCircuitError) {
      return { outcome: 'breaker_open', message: 'its circuit breaker is open' };
    }
    if (error instanceof ProviderFailure) {
      return { outcome: error.kind, message: error.message, retryAfterMs: error.retryAfterMs };
    }
    throw error;
  }

  /** The business's profile and budget; read once per open decision. */
  function businessContext(
    businessId: string,
    decisionId: string | undefined,
  ): Promise<BusinessContext | undefined> {
    const scope = scopeOf(decisionId);
    if (!scope) return repository.businessContext(businessId);
    let known = scope.contexts.get(businessId);
    if (!known) {
      known = repository.businessContext(businessId);
      scope.contexts.set(businessId, known);
    }
    return known;
  }

  /**
   * The attempt's metrics, ai_calls row and (when given) transcript; answers the row's id and
   * the attempt's cost. Inside an open decision the row is written behind (see DecisionScope).
   */
  async function record(
    attempt: RecordedAttempt,
    context: CallContext & { number: number },
    transcript?: TranscriptRecord,
  ): Promise<{ callId: string; costUsd: number }> {
    const promptTokens = attempt.promptTokens ?? 0;
    const completionTokens = attempt.completionTokens ?? 0;
    const cost =
      promptTokens + completionTokens > 0
        ? costOf(attempt.model, promptTokens, completionTokens)
        : 0;
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
    const callId = randomUUID();
    const row = {
      id: callId,
      businessId: context.businessId,
      userId: context.userId,
      jobId: context.jobId ?? null,
      decisionId: context.decisionId ?? null,
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
    };
    if (cost > 0) spend.add(context.businessId, context.dayStart, cost);
    const write = async () => {
      await repository.recordCall(row);
      if (transcript) {
        await keepTranscript(callId, context.businessId, transcript.prompt, transcript.response);
      }
      if (cost > 0) {
        // Telling of the budget never fails the call that spent the money.
        await spend
          .spentToday(context.businessId, context.dayStart)
          .then((spent) => announceBudget(context.businessId, context.dayStart, spent))
          .catch((error: unknown) => {
            logger.warn({ err: error, businessId: context.businessId }, 'ai budget not checked');
          });
      }
    };
    const scope = scopeOf(context.decisionId);
    if (!scope) {
      await write();
      return { callId, costUsd: cost };
    }
    scope.promptTokens += promptTokens;
    scope.completionTokens += completionTokens;
    scope.costMicros += Math.round(Number(row.costUsd) * 1_000_000);
    // Handled at once (an unhandled rejection would end the process); closeDecision rethrows.
    scope.writes.push(
      write().catch((error: unknown) => {
        scope.failure ??= error instanceof Error ? error : new Error(String(error));
      }),
    );
    return { callId, costUsd: cost };
  }

  /**
   * Starts a decision's scope (one chat turn, see DecisionScope), and reads the business while
   * the caller prepares its first call.
   */
  function openDecision(decisionId: string, businessId: string): void {
    const context = repository.businessContext(businessId);
    // Marked handled now; the call that awaits it still gets the failure.
    context.catch(() => undefined);
    scopes.set(decisionId, {
      contexts: new Map([[businessId, context]]),
      writes: [],
      failure: undefined,
      promptTokens: 0,
      completionTokens: 0,
      costMicros: 0,
    });
  }

  /** Ends a decision's scope: what its calls used, and a promise of their rows being stored. */
  function closeDecision(decisionId: string): { usage: DecisionUsage; written: Promise<void> } {
    const scope = scopes.get(decisionId);
    if (!scope) {
      return {
        usage: { promptTokens: 0, completionTokens: 0, costUsd: '0.000000' },
        written: Promise.resolve(),
      };
    }
    scopes.delete(decisionId);
    const written = Promise.all(scope.writes).then(() => {
      if (scope.failure !== undefined) throw scope.failure;
    });
    return {
      usage: {
        promptTokens: scope.promptTokens,
        completionTokens: scope.completionTokens,
        costUsd: (scope.costMicros / 1_000_000).toFixed(6),
      },
      written,
    };
  }

  /**
   * Keeps what was sent and answered, secrets redacted. A transcript is for tracing a bad
   * answer; failing to keep one never fails the call.
   */
  async function keepTranscript(
    callId: string,
    businessId: string,
    prompt: Record<string, unknown>,
    response: Record<string, unknown> | null,
  ): Promise<void> {
    try {
      await repository.saveTranscript({
        callId,
        businessId,
        prompt: redact(prompt),
        response: response === null ? null : redact(response),
      });
    } catch (error) {
      logger.warn({ err: error, callId }, 'ai transcript not kept');
    }
  }

  /** Refuses (throws AI_BUDGET_EXCEEDED, after recording the refusal) when today's budget is spent. */
  async function refuseOverBudget(
    context: CallContext & { number: number },
    budgetUsd: number,
    log: Logger,
  ): Promise<void> {
    if (budgets.size >= MAX_ANNOUNCED) budgets.clear();
    budgets.set(context.businessId, budgetUsd);
    const spent = await spend.spentToday(context.businessId, context.dayStart);
    // Catches spending other processes recorded since this one last looked.
    await announceBudget(context.businessId, context.dayStart, spent);
    if (spent < budgetUsd) return;
    const primary = providers.primary;
    await record(
      {
        provider: primary,
        model: primary.model(context.tier),
        outcome: 'budget_exceeded',
        latencyMs: 0,
        message: `spent ${spent.toFixed(6)} of ${budgetUsd.toFixed(2)} USD today`,
      },
      context,
    );
    log.warn({ budgetUsd, spentUsd: spent }, 'ai budget exceeded');
    const resetsAt = new Date(context.dayStart.getTime() + 86_400_000);
    throw aiBudgetExceeded(budgetUsd, roundUsd(spent), resetsAt, now());
  }

  /** The wait before retry `number + 1`: backoff with jitter, at least what Retry-After asks. */
  function retryDelayMs(number: number, attempt: RecordedAttempt): number {
    return Math.max(
      backoffDelayMs(
        number + 1,
        { baseDelayMs: llm.retryBaseDelayMs, maxDelayMs: llm.retryMaxDelayMs },
        random(),
      ),
      attempt.retryAfterMs ?? 0,
    );
  }

  /**
   * Waits before the retry after attempt `number` (backoff, or the provider's Retry-After) and
   * counts it; false when that wait would pass the deadline or the caller gave up meanwhile.
   */
  async function pauseBeforeRetry(
    number: number,
    attempt: RecordedAttempt,
    context: { task: string; deadline: number; log: Logger; signal: AbortSignal | undefined },
  ): Promise<boolean> {
    const delayMs = retryDelayMs(number, attempt);
    if (Date.now() + delayMs >= context.deadline) {
      context.log.warn({ delayMs }, 'ai retry would pass the deadline; giving up');
      return false;
    }
    metrics.aiRetries.inc({
      provider: attempt.provider.name,
      model: attempt.model,
      task: context.task,
      reason: attempt.outcome,
    });
    context.log.info({ attempt: number, outcome: attempt.outcome, delayMs }, 'ai retry scheduled');
    try {
      await sleep(delayMs, context.signal);
      return true;
    } catch {
      return false; // the caller gave up (a job's time limit, a closed chat)
    }
  }

  function finalError(task: string, attempts: number, last: RecordedAttempt | undefined): AppError {
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

  return {
    llm,
    logger,
    metrics,
    repository,
    providers,
    now,
    sleep,
    callWithFallback,
    failureOf,
    businessContext,
    record,
    openDecision,
    closeDecision,
    refuseOverBudget,
    retryDelayMs,
    pauseBeforeRetry,
    finalError,

    /** Deletes the transcripts kept from before `before`, in batches; answers how many. */
    async purgeTranscripts(before: Date): Promise<number> {
      let total = 0;
      for (;;) {
        const deleted = await repository.deleteTranscriptsBefore(before, PURGE_BATCH);
        total += deleted;
        if (deleted < PURGE_BATCH) return total;
      }
    },
  };
}

export type CallMachinery = ReturnType<typeof createCallMachinery>;

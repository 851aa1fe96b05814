// The typed errors `ai.run` throws. Each message is written for a marketer reading a failed job:
// what happened and what to do next. Details carry what an operator needs (task, attempts).
import { AppError } from '../platform/http/errors.ts';

export function aiOutputInvalid(task: string, attempts: number, reason: string): AppError {
  return new AppError(
    'AI_OUTPUT_INVALID',
    `The AI answer could not be used after ${attempts} ${attempts === 1 ? 'try' : 'tries'} (${reason}). Nothing was saved. Try again; if it keeps happening, choose a stronger model.`,
    { details: { task, attempts } },
  );
}

export function aiTimeout(task: string, attempts: number, deadlineMs: number): AppError {
  return new AppError(
    'AI_TIMEOUT',
    `The AI provider did not answer in time (${attempts} ${attempts === 1 ? 'try' : 'tries'} within ${Math.round(deadlineMs / 1000)} s). Try again in a few minutes.`,
    { details: { task, attempts } },
  );
}

export function upstreamUnavailable(
  task: string,
  reason: string,
  details: Record<string, unknown> = {},
): AppError {
  const retryAfterSeconds = details.retryAfterSeconds;
  return new AppError(
    'UPSTREAM_UNAVAILABLE',
    `The AI provider is unavailable right now (${reason}). Try again in a few minutes.`,
    {
      details: { task, ...details },
      headers:
        typeof retryAfterSeconds === 'number' ? { 'retry-after': String(retryAfterSeconds) } : {},
    },
  );
}

export function aiBudgetExceeded(
  budgetUsd: number,
  spentUsd: number,
  resetsAt: Date,
  now: Date,
): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000));
  return new AppError(
    'AI_BUDGET_EXCEEDED',
    `This business has used its daily AI budget ($${spentUsd.toFixed(2)} of $${budgetUsd.toFixed(2)}). It resets at midnight UTC; the owner can raise it in the business settings (aiDailyBudgetUsd).`,
    {
      details: { budgetUsd, spentUsd, resetsAt: resetsAt.toISOString() },
      headers: { 'retry-after': String(retryAfterSeconds) },
    },
  );
}

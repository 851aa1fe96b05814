// How the decision log writes its figures: latency in ms or seconds, tokens in and out, outcomes.
import type { DecisionOutcome } from '../chat/types';

export const OUTCOME_LABEL: Record<DecisionOutcome, string> = {
  success: 'Answered',
  failed: 'Failed',
  limited: 'Limited',
};

export function formatMs(ms: number): string {
  return ms < 1000 ? `${String(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatTokens(prompt: number, completion: number): string {
  return `${(prompt + completion).toLocaleString()} (${prompt.toLocaleString()} in · ${completion.toLocaleString()} out)`;
}

/** The distinct tools of a turn, in the order they were first used. */
export function toolsOf(calls: { tool: string }[]): string[] {
  return [...new Set(calls.map((call) => call.tool))];
}

// Shared pieces of the AI tests: a valid brand-voice answer, the ai_calls rows of a business,
// and running a task through the app's real AI layer.
import { asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';

import { brandVoiceTask } from '../../src/ai/tasks.ts';
import { aiCalls } from '../../src/platform/db/schema/index.ts';
import { AppError } from '../../src/platform/http/errors.ts';
import type { TestApp } from '../helpers/app.ts';
import type { TestBusiness, TestUser } from '../helpers/fixtures.ts';

export const VALID_VOICE = {
  tone: 'Warm and plain, like a neighbour who bakes',
  wordsToUse: ['fresh', 'sourdough', 'morning'],
  wordsToAvoid: ['cheap', 'synergy', 'industrial'],
  sampleLines: ['Fresh sourdough, out of the oven at seven.', 'Come early: the rye goes first.'],
  rationale: 'Busy parents want plain words and real details.',
};
export const VALID_JSON = JSON.stringify(VALID_VOICE);

export type AiCallRow = typeof aiCalls.$inferSelect;

export async function callsOf(ctx: TestApp, businessId: string): Promise<AiCallRow[]> {
  return ctx.runtime.database.db
    .select()
    .from(aiCalls)
    .where(eq(aiCalls.businessId, businessId))
    .orderBy(asc(aiCalls.createdAt), asc(aiCalls.attempt));
}

/** Runs the brand-voice task for `business` through the app's AI layer; returns the value. */
export async function suggestVoice(ctx: TestApp, owner: TestUser, business: TestBusiness) {
  const answer = await ctx.runtime.services.ai.run(
    brandVoiceTask,
    { notes: 'We bake sourdough every morning.' },
    { businessId: business.id, userId: owner.id },
  );
  return answer.value;
}

/** The AppError `promise` rejects with (failing the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected the call to fail');
}

/** Outcome, attempt and repaired of each row: the shape most assertions compare. */
export function summary(rows: AiCallRow[]) {
  return rows.map((row) => ({
    outcome: row.outcome,
    attempt: row.attempt,
    repaired: row.repaired,
    provider: row.provider,
    model: row.model,
  }));
}

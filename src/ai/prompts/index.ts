// Builds the prompt for a task: trusted rules in the system message (role, task instructions,
// output contract with the JSON schema, the data-block rule); everything a user or customer
// wrote goes into data blocks in the user message. A retry after an unusable answer adds a
// message saying what was wrong with it.
import type { JSONSchema7 } from '@ai-sdk/provider';

import type { BuiltPrompt, BusinessProfile, PromptMessage } from '../types.ts';
import { DATA_BLOCK_RULE, dataBlock } from './data-block.ts';

/** What a task tells the model; each task in ai/tasks.ts declares one. */
export interface TaskPrompt {
  /** Who the model is for this task. */
  role: string;
  /** What to produce; trusted text written by Herald's developers, never by users. */
  instructions: string[];
}

export interface PromptRequest {
  task: { name: string; prompt: TaskPrompt };
  business: BusinessProfile;
  input: Record<string, unknown>;
  jsonSchema: JSONSchema7;
  /** Why the previous answer could not be used, when this is a retry. */
  feedback?: string | undefined;
}

/** How every prompt asks for the business's voice (tasks and chat steps alike). */
export const BRAND_VOICE_RULE =
  'Write in the brand voice of the business_profile data block: follow its tone, prefer its wordsToUse and never use its wordsToAvoid.';

export function buildPrompt(request: PromptRequest): BuiltPrompt {
  const { name, prompt } = request.task;
  const system = [
    `You are ${prompt.role}, writing for Herald, a marketing tool used by the business described below.`,
    '',
    '# Task',
    ...prompt.instructions,
    '',
    '# Brand voice',
    BRAND_VOICE_RULE,
    '',
    '# Output',
    'Answer with exactly one JSON value that matches this JSON schema. No prose, no markdown fence, no comments.',
    JSON.stringify(request.jsonSchema),
    '',
    '# Data',
    DATA_BLOCK_RULE,
  ].join('\n');
  const parts = [
    dataBlock('business_profile', request.business),
    '',
    dataBlock('task_input', request.input),
    '',
    `Now do the task "${name}" and answer with the JSON value only.`,
  ];
  // One user message even on a retry: some providers refuse two user turns in a row.
  if (request.feedback) {
    parts.push(
      '',
      `Your previous answer could not be used: ${request.feedback}`,
      'Answer again with only a JSON value that matches the schema.',
    );
  }
  const messages: PromptMessage[] = [{ role: 'user', content: parts.join('\n') }];
  return { system, messages };
}

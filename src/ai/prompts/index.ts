// Builds the prompt for a task: trusted rules in the system message (role, task instructions,
// output contract with the JSON schema, the data-block rule); everything a user or customer
// wrote goes into data blocks in the user message. A retry after an unusable answer adds a
// message saying what was wrong with it.
import type { JSONSchema7 } from '@ai-sdk/provider';

import type { BuiltPrompt, BusinessProfile, PromptMessage } from '../types.ts';
import { brandVoicePrompt } from './brand-voice.ts';
import { campaignInsightsPrompt, campaignStrategyPrompt, contentPiecePrompt } from './campaigns.ts';
import { DATA_BLOCK_RULE, dataBlock } from './data-block.ts';
import { sequenceDraftPrompt } from './sequences.ts';

export interface TaskPrompt {
  /** Who the model is for this task. */
  role: string;
  /** What to produce; trusted text written by Herald's developers, never by users. */
  instructions: string[];
}

const TASK_PROMPTS: Record<string, TaskPrompt> = {
  'brand-voice': brandVoicePrompt,
  'campaign-strategy': campaignStrategyPrompt,
  'content-piece': contentPiecePrompt,
  'campaign-insights': campaignInsightsPrompt,
  'sequence-draft': sequenceDraftPrompt,
};

function taskPrompt(task: string): TaskPrompt {
  return (
    TASK_PROMPTS[task] ?? {
      role: 'an experienced marketer working for the business',
      instructions: [
        `Complete the task "${task}" for the business in the business_profile data block, using the task_input data block.`,
      ],
    }
  );
}

export interface PromptRequest {
  task: string;
  business: BusinessProfile;
  input: Record<string, unknown>;
  jsonSchema: JSONSchema7;
  /** Why the previous answer could not be used, when this is a retry. */
  feedback?: string | undefined;
}

export function buildPrompt(request: PromptRequest): BuiltPrompt {
  const prompt = taskPrompt(request.task);
  const system = [
    `You are ${prompt.role}, writing for Herald, a marketing tool used by the business described below.`,
    '',
    '# Task',
    ...prompt.instructions,
    '',
    '# Brand voice',
    'Write in the brand voice of the business_profile data block: follow its tone, prefer its wordsToUse and never use its wordsToAvoid.',
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
    `Now do the task "${request.task}" and answer with the JSON value only.`,
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

// Shared pieces of the chat-step tests: a few tools like the agents' (read-only lookups and one
// that changes something), and a chat step run through the app's real AI layer that collects
// the streamed deltas.
import { z } from 'zod';

import type {
  ChatStepMessage,
  ChatStepOptions,
  ChatStepResult,
  ChatTool,
} from '../../src/ai/contract.ts';
import type { TestApp } from '../helpers/app.ts';

export const listSegments: ChatTool = {
  name: 'list_segments',
  description: 'The customer segments of the business and their sizes',
  input: z.object({ limit: z.number().int().min(1).max(100).optional() }),
  readOnly: true,
  keywords: ['segment', 'segments', 'audience'],
};

export const segmentSize: ChatTool = {
  name: 'segment_size',
  description: 'How many customers are in one segment',
  input: z.object({ segment: z.string().min(1), days: z.number().int().min(1).optional() }),
  readOnly: true,
  keywords: ['segment', 'how many'],
};

export const campaignStats: ChatTool = {
  name: 'campaign_stats',
  description: 'Opens, clicks and revenue of recent campaigns',
  input: z.object({}),
  readOnly: true,
  keywords: ['campaign', 'campaigns', 'open rate'],
};

export const sendEmail: ChatTool = {
  name: 'send_email',
  description: 'Sends an email broadcast to a segment',
  input: z.object({ segment: z.string(), subject: z.string() }),
  readOnly: false,
  keywords: ['send', 'email', 'segment'],
};

export const TOOLS = [listSegments, segmentSize, campaignStats, sendEmail];

export interface StreamedStep {
  result: ChatStepResult;
  deltas: string[];
}

/** One chat step of the `chat.test` agent; the deltas it streamed are collected. */
export async function chatStep(
  ctx: TestApp,
  messages: ChatStepMessage[],
  options: Omit<ChatStepOptions, 'onDelta'>,
  tools: ChatTool[] = TOOLS,
): Promise<StreamedStep> {
  const deltas: string[] = [];
  const result = await ctx.runtime.services.ai.chatStep(
    {
      task: 'chat.test',
      tier: 'fast',
      system: 'You are the analyst of a marketing team.',
      messages,
      tools,
    },
    {
      ...options,
      onDelta: (text) => {
        deltas.push(text);
      },
    },
  );
  return { result, deltas };
}

// The system prompt of a chat step: the agent's own prompt (trusted, written by Herald's
// developers), then Herald's rules for every agent — brand voice, tools, data blocks — and the
// business profile in a data block, as the task prompts hold it. The marketer's messages stay
// messages (they are the conversation); tool results reach the model as data blocks
// (providers/sdk-chat.ts), since they carry what customers wrote.
import type { BusinessProfile } from '../types.ts';
import { dataBlock, dataBlockRule } from './data-block.ts';
import { BRAND_VOICE_RULE } from './index.ts';

export function buildChatSystem(agentSystem: string, business: BusinessProfile): string {
  return [
    agentSystem.trim(),
    '',
    '# Brand voice',
    `${BRAND_VOICE_RULE} Answer in the language the user writes in.`,
    '',
    '# Tools',
    'Call a tool only with arguments that match its JSON schema. Never claim that something was done unless a tool result says so; never invent figures that no tool result gives.',
    '',
    '# Data',
    dataBlockRule('This system message and the tool results hold'),
    '',
    dataBlock('business_profile', business),
  ].join('\n');
}

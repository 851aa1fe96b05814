// The builtin provider's chat step: no model, so it only does what a rule can do honestly. After
// a user message it looks things up with the read-only tools whose keywords the message names
// (never a tool that changes anything); after tool results it answers from their summaries; and
// otherwise it says what it can look up and that no AI model is configured. Answers stream in
// word groups, like a model's, so a chat works the same offline.
import { setImmediate as yieldToIo } from 'node:timers/promises';

import type { ChatStepMessage } from '../contract.ts';
import type { ProviderChatCall, ProviderChatResult, ProviderTool, RawToolCall } from '../types.ts';

export const BUILTIN_CHAT_MODEL = 'builtin';

const WORDS_PER_CHUNK = 4;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A keyword (or phrase) standing as whole words in the text, in any case. */
function mentions(text: string, keyword: string): boolean {
  const words = keyword.trim().split(/\s+/).map(escapeRegExp).join('\\s+');
  if (words === '') return false;
  return new RegExp(`(?<![\\p{L}\\p{N}])${words}(?![\\p{L}\\p{N}])`, 'iu').test(text);
}

/** The read-only tools a message asks about, with `{}` as input when their schema takes it. */
export function toolCallsFor(message: string, tools: ProviderTool[], turn: number): RawToolCall[] {
  const calls: RawToolCall[] = [];
  for (const tool of tools) {
    if (!tool.readOnly) continue;
    if (!(tool.keywords ?? []).some((keyword) => mentions(message, keyword))) continue;
    const input = tool.input.safeParse({});
    if (!input.success) continue;
    calls.push({
      id: `builtin_${turn}_${calls.length}`,
      name: tool.name,
      arguments: JSON.stringify(input.data),
    });
  }
  return calls;
}

function helpText(tools: ProviderTool[]): string {
  const lookups = tools.filter((tool) => tool.readOnly);
  const lines = [
    'No AI model is configured (set LLM_PROVIDER to use one), so I can only look things up for you.',
  ];
  if (lookups.length > 0) {
    lines.push('Ask me about:', ...lookups.map((tool) => `- ${tool.description}`));
  } else {
    lines.push('There is nothing I can look up here.');
  }
  return lines.join('\n');
}

/** The tool messages at the end of the conversation (the results of the last step's calls). */
function trailingResults(messages: ChatStepMessage[]) {
  const results: Extract<ChatStepMessage, { role: 'tool' }>[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'tool') break;
    results.unshift(message);
  }
  return results;
}

function answerFromResults(results: Extract<ChatStepMessage, { role: 'tool' }>[]): string {
  return ['Here is what I found:', ...results.map((result) => `- ${result.summary}`)].join('\n');
}

/** Word groups that join back into `text` exactly. */
export function chunksOf(text: string): string[] {
  const pieces = text.match(/\S+\s*/g) ?? [];
  const leading = /^\s*/.exec(text)?.[0] ?? '';
  const chunks: string[] = [];
  for (let i = 0; i < pieces.length; i += WORDS_PER_CHUNK) {
    chunks.push(pieces.slice(i, i + WORDS_PER_CHUNK).join(''));
  }
  if (leading && chunks.length > 0) chunks[0] = `${leading}${chunks[0] ?? ''}`;
  return chunks;
}

export async function builtinChat(call: ProviderChatCall): Promise<ProviderChatResult> {
  const last = call.messages.at(-1);
  const done = (text: string, toolCalls: RawToolCall[]): ProviderChatResult => ({
    text,
    toolCalls,
    model: BUILTIN_CHAT_MODEL,
    promptTokens: 0,
    completionTokens: 0,
  });
  if (last?.role === 'user') {
    const calls = toolCallsFor(last.content, call.tools, call.messages.length);
    if (calls.length > 0) return done('', calls);
  }
  const results = trailingResults(call.messages);
  const text = results.length > 0 ? answerFromResults(results) : helpText(call.tools);
  for (const chunk of chunksOf(text)) {
    call.signal.throwIfAborted();
    call.onDelta(chunk);
    await yieldToIo(); // one chunk per turn of the event loop, so a stream flushes each
  }
  return done(text, []);
}

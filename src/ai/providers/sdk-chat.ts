// One streamed chat step through the Vercel AI SDK: Herald's conversation becomes the SDK's
// messages, each tool is offered with its real JSON schema but no `execute` (the agents module
// runs tools, not the SDK), and text deltas go to onDelta as they arrive. The SDK accepts any
// arguments a model writes (a permissive validator), and the raw argument text is collected from
// the input deltas: ai/chat.ts parses, repairs and validates each call itself, so a broken call
// reaches it as written instead of being dropped or "fixed" on the way.
import type { LanguageModel, ModelMessage, ToolSet } from 'ai';

import type { ChatStepMessage } from '../contract.ts';
import { dataBlock } from '../prompts/data-block.ts';
import type { ProviderChatCall, ProviderChatResult, ProviderTool, RawToolCall } from '../types.ts';

type Sdk = typeof import('ai');

/** Tool results are data (they hold what customers wrote): each goes into a data block. */
function toModelMessages(messages: ChatStepMessage[]): ModelMessage[] {
  return messages.map((message): ModelMessage => {
    switch (message.role) {
      case 'user':
        return { role: 'user', content: message.content };
      case 'assistant':
        if (!message.toolCalls?.length) return { role: 'assistant', content: message.content };
        return {
          role: 'assistant',
          content: [
            ...(message.content ? [{ type: 'text' as const, text: message.content }] : []),
            ...message.toolCalls.map((call) => ({
              type: 'tool-call' as const,
              toolCallId: call.id,
              toolName: call.name,
              input: call.input,
            })),
          ],
        };
      case 'tool':
        return {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: message.toolCallId,
              toolName: message.name,
              output: { type: 'text', value: dataBlock('tool_result', message.result) },
            },
          ],
        };
    }
  });
}

function toolSet(sdk: Sdk, tools: ProviderTool[]): ToolSet {
  const set: ToolSet = {};
  for (const tool of tools) {
    set[tool.name] = sdk.tool({
      description: tool.description,
      // The model sees the real schema; the SDK lets any value through to ai/chat.ts.
      inputSchema: sdk.jsonSchema(tool.jsonSchema, {
        validate: (value) => ({ success: true, value }),
      }),
    });
  }
  return set;
}

/** Streams one step; throws what the SDK reports (ai/providers/sdk.ts classifies it). */
export async function streamChatStep(
  sdk: Sdk,
  model: LanguageModel,
  call: ProviderChatCall,
  providerOptions: Record<string, Record<string, boolean>>,
): Promise<ProviderChatResult> {
  const result = sdk.streamText({
    model,
    instructions: call.system,
    messages: toModelMessages(call.messages),
    ...(call.tools.length > 0 ? { tools: toolSet(sdk, call.tools) } : {}),
    providerOptions,
    maxRetries: 0,
    abortSignal: call.signal,
    // Errors come back as stream parts and are thrown below; the SDK would also print them.
    onError: () => undefined,
  });
  let text = '';
  const raw = new Map<string, RawToolCall>();
  let promptTokens = 0;
  let completionTokens = 0;
  for await (const part of result.stream) {
    switch (part.type) {
      case 'text-delta':
        if (part.text) {
          text += part.text;
          call.onDelta(part.text);
        }
        break;
      case 'tool-input-start':
        raw.set(part.id, { id: part.id, name: part.toolName, arguments: '' });
        break;
      case 'tool-input-delta': {
        const pending = raw.get(part.id);
        if (pending) pending.arguments += part.delta;
        break;
      }
      case 'tool-call': {
        // Providers that do not stream arguments give them whole here (parsed when they could).
        const seen = raw.get(part.toolCallId);
        if (!seen || seen.arguments === '') {
          const input: unknown = part.input;
          raw.set(part.toolCallId, {
            id: part.toolCallId,
            name: part.toolName,
            arguments: typeof input === 'string' ? input : JSON.stringify(input ?? {}),
          });
        }
        break;
      }
      case 'finish':
        promptTokens = part.totalUsage.inputTokens ?? 0;
        completionTokens = part.totalUsage.outputTokens ?? 0;
        break;
      case 'error':
        throw part.error;
      case 'abort':
        throw new Error(part.reason ?? 'the stream was aborted');
      default:
        break;
    }
  }
  return { text, toolCalls: [...raw.values()], model: call.model, promptTokens, completionTokens };
}

// Model providers reached through the Vercel AI SDK: OpenAI, Anthropic, and any server that
// speaks the OpenAI chat-completions API (xAI/Grok, Ollama, vLLM, llama.cpp). A task is one
// non-streaming call per attempt, in the provider's structured-output mode; a chat step is one
// streamed call with tools (sdk-chat.ts). Retries belong to ai/run.ts and ai/chat.ts, so the
// SDK's own are off. Failures become ProviderFailure with the HTTP status and Retry-After.
import type { JSONSchema7 } from '@ai-sdk/provider';
import type { LanguageModel } from 'ai';

import { retryAfterMs } from '../retry.ts';
import {
  type AiProvider,
  type ProviderCall,
  type ProviderChatCall,
  ProviderFailure,
  type Tier,
} from '../types.ts';
import { streamChatStep } from './sdk-chat.ts';

export type SdkProviderName = 'openai' | 'anthropic' | 'openai-compatible';

export interface SdkProviderSettings {
  name: SdkProviderName;
  baseUrl: string | undefined;
  apiKey: string | undefined;
  models: Record<Tier, string>;
}

type Sdk = typeof import('ai');

async function languageModels(settings: SdkProviderSettings): Promise<Record<Tier, LanguageModel>> {
  const { baseUrl, apiKey, models } = settings;
  switch (settings.name) {
    case 'openai': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      const openai = createOpenAI({ apiKey, baseURL: baseUrl });
      // Chat completions, not /v1/responses: the same API every compatible server speaks.
      return { fast: openai.chat(models.fast), strong: openai.chat(models.strong) };
    }
    case 'anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      const anthropic = createAnthropic({ apiKey, baseURL: baseUrl });
      return { fast: anthropic(models.fast), strong: anthropic(models.strong) };
    }
    case 'openai-compatible': {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      const compatible = createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: baseUrl ?? '',
        apiKey,
        // Sends a json_schema response format; servers without it fall back to plain JSON.
        supportsStructuredOutputs: true,
        // Token counts of streamed chat steps (stream_options.include_usage).
        includeUsage: true,
      });
      return {
        fast: compatible.chatModel(models.fast),
        strong: compatible.chatModel(models.strong),
      };
    }
  }
}

/**
 * Structured-output mode without the SDK's own parsing: the provider gets the JSON schema, and
 * the raw text comes back so ai/run.ts can extract, repair and validate it itself.
 */
function jsonOutput(sdk: Sdk, schema: JSONSchema7, name: string) {
  return {
    ...sdk.Output.text(),
    name: 'object',
    responseFormat: Promise.resolve({ type: 'json' as const, schema, name }),
  };
}

// Strict mode rejects schemas with optional fields or length limits; ai/run.ts validates anyway.
const PROVIDER_OPTIONS = {
  openai: { strictJsonSchema: false },
  openaiCompatible: { strictJsonSchema: false },
};

function classify(sdk: Sdk, error: unknown, signal: AbortSignal): ProviderFailure {
  if (error instanceof ProviderFailure) return error;
  if (signal.aborted) {
    return new ProviderFailure('timeout', 'the provider did not answer in time', { cause: error });
  }
  if (sdk.APICallError.isInstance(error)) {
    const status = error.statusCode;
    if (status === 429) {
      return new ProviderFailure('rate_limited', 'the provider is rate limiting us (429)', {
        status,
        retryAfterMs: retryAfterMs(error.responseHeaders, Date.now()),
        cause: error,
      });
    }
    if (status === 408) {
      return new ProviderFailure('timeout', 'the provider timed out (408)', {
        status,
        cause: error,
      });
    }
    if (status !== undefined && status >= 400 && status < 500) {
      return new ProviderFailure('rejected', `the provider refused the request (${status})`, {
        status,
        cause: error,
      });
    }
    return new ProviderFailure(
      'upstream_error',
      status === undefined
        ? 'the provider could not be reached'
        : `the provider failed (${status})`,
      { ...(status === undefined ? {} : { status }), cause: error },
    );
  }
  return new ProviderFailure('upstream_error', 'the provider sent an unreadable response', {
    cause: error,
  });
}

export function createSdkProvider(settings: SdkProviderSettings): AiProvider {
  // The SDK is imported at the first call, not at start-up: the default builtin provider never
  // needs it, and an idle server would keep its modules in memory (start-up memory).
  let loaded: Promise<{ sdk: Sdk; models: Record<Tier, LanguageModel> }> | undefined;
  const load = async () => ({ sdk: await import('ai'), models: await languageModels(settings) });
  const host = settings.baseUrl ? new URL(settings.baseUrl).host : 'default';
  return {
    name: settings.name,
    breakerName: `llm:${settings.name}:${host}`,
    model: (tier) => settings.models[tier],
    async generate(call: ProviderCall) {
      const { sdk, models } = await (loaded ??= load());
      try {
        const result = await sdk.generateText({
          model: models[call.tier],
          instructions: call.prompt.system,
          messages: call.prompt.messages,
          output: jsonOutput(sdk, call.jsonSchema, call.schemaName),
          providerOptions: PROVIDER_OPTIONS,
          maxRetries: 0,
          abortSignal: call.signal,
        });
        let text: string;
        try {
          // Anthropic's tool-based JSON mode puts the answer here rather than in the text.
          text = result.output;
        } catch {
          text = result.text;
        }
        return {
          text,
          // The id we asked for, not the dated one servers echo back: prices and usage key on it.
          model: call.model,
          promptTokens: result.usage.inputTokens ?? 0,
          completionTokens: result.usage.outputTokens ?? 0,
        };
      } catch (error) {
        throw classify(sdk, error, call.signal);
      }
    },
    async chat(call: ProviderChatCall) {
      const { sdk, models } = await (loaded ??= load());
      try {
        return await streamChatStep(sdk, models[call.tier], call, PROVIDER_OPTIONS);
      } catch (error) {
        throw classify(sdk, error, call.signal);
      }
    },
  };
}

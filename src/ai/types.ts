// The shapes the AI layer passes between its parts: what a provider is asked, what it answers,
// and how it fails. Modules never see these; they get a validated value from `ai.run`.
import type { JSONSchema7 } from '@ai-sdk/provider';

import type { ChatStepMessage, ChatTool } from './contract.ts';
import type { Template } from './providers/builtin-templates.ts';

export type Tier = 'fast' | 'strong';

/** The business context every prompt is built from (loaded by the AI layer, not the caller). */
export interface BusinessProfile {
  name: string;
  industry: string;
  audience: string;
  products: { name: string; description?: string | undefined; priceCents?: number | undefined }[];
  goals: string[];
  brandVoice: { tone: string; wordsToUse: string[]; wordsToAvoid: string[] };
  channels: string[];
}

export interface PromptMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** A prompt ready for a provider: system rules, then data blocks and the task as messages. */
export interface BuiltPrompt {
  system: string;
  messages: PromptMessage[];
}

export interface ProviderCall {
  task: string;
  tier: Tier;
  model: string;
  prompt: BuiltPrompt;
  /** The JSON schema the answer must match (the provider's structured-output mode gets it). */
  jsonSchema: JSONSchema7;
  schemaName: string;
  /** The structured task, for the builtin provider, which fills templates instead of reading prose. */
  business: BusinessProfile;
  input: Record<string, unknown>;
  /** The task's builtin template; without one the builtin provider fills the schema. */
  template: Template | undefined;
  signal: AbortSignal;
}

export interface ProviderResult {
  text: string;
  /** The model that answered (the provider may report a more precise id than the one asked). */
  model: string;
  promptTokens: number;
  completionTokens: number;
}

/** A tool as a provider offers it: the JSON schema the model is shown, from the tool's zod schema. */
export interface ProviderTool extends ChatTool {
  jsonSchema: JSONSchema7;
}

/** One chat step for a provider: the conversation and tools, answer text streamed to onDelta. */
export interface ProviderChatCall {
  task: string;
  tier: Tier;
  model: string;
  /** The full system prompt (the agent's, the business profile and Herald's rules). */
  system: string;
  messages: ChatStepMessage[];
  tools: ProviderTool[];
  signal: AbortSignal;
  onDelta: (text: string) => void;
}

/** A tool call as the model wrote it: the arguments are its raw text, not yet checked. */
export interface RawToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ProviderChatResult {
  text: string;
  toolCalls: RawToolCall[];
  model: string;
  promptTokens: number;
  completionTokens: number;
}

export interface AiProvider {
  /** `builtin`, `openai`, `anthropic` or `openai-compatible`: stored in ai_calls.provider. */
  readonly name: string;
  /** Names this provider's circuit breaker (two openai-compatible servers get two breakers). */
  readonly breakerName: string;
  model(tier: Tier): string;
  generate(call: ProviderCall): Promise<ProviderResult>;
  /** One chat step, streamed. Throws ProviderFailure; tool calls come back unvalidated. */
  chat(call: ProviderChatCall): Promise<ProviderChatResult>;
}

export type ProviderFailureKind = 'timeout' | 'rate_limited' | 'upstream_error' | 'rejected';

/**
 * A provider call that failed before giving any text. `rejected` (a 4xx other than 429: bad
 * key, unknown model) is not worth retrying; the others are.
 */
export class ProviderFailure extends Error {
  readonly kind: ProviderFailureKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    kind: ProviderFailureKind,
    message: string,
    options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ProviderFailure';
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** How one attempt ended, as stored in ai_calls.outcome. */
export type CallOutcome =
  | 'success'
  | 'invalid_output'
  /** Valid JSON that states something its input does not support (a number not given). */
  | 'ungrounded_output'
  | 'empty_output'
  | 'timeout'
  | 'rate_limited'
  | 'upstream_error'
  | 'rejected'
  | 'breaker_open'
  | 'budget_exceeded';

// What modules depend on to ask a model for something: `run` takes a declared task (ai/tasks.ts),
// its input and who asks, and answers with a value that passed the task's schema and which
// provider and model produced it — or throws a typed error (ai/errors.ts). src/ai implements it.
import type { z } from 'zod';

import type { AiTask, TaskInput } from './tasks.ts';
import type { Tier } from './types.ts';

export type { Tier };

/**
 * The params of a custom zod issue saying that an answer states something its input does not
 * support (a number that is not one of the figures it was given). `ai.run` refuses and retries
 * such an answer like any invalid one, but records the attempt as `ungrounded_output`, so the
 * AI usage page can count these rejections.
 */
export const UNGROUNDED = Object.freeze({ herald: 'ungrounded' });

/** Who asks; a job's run context is one, so a job passes itself. */
export interface AiRunOptions {
  businessId: string;
  userId: string | null;
  /** The job this call is part of; each attempt is recorded under it. */
  jobId?: string | undefined;
  /** Stops waiting and retrying (a job past its time limit). */
  signal?: AbortSignal | undefined;
  /** The agent turn this call is part of (agent_decisions.id): its ai_calls rows say so. */
  decisionId?: string | undefined;
}

/** Which provider and model produced an answer (a job's result names it as `generatedBy`). */
export interface Provenance {
  provider: string;
  model: string;
}

export interface AiAnswer<Output> {
  value: Output;
  generatedBy: Provenance;
}

export interface AiRunner {
  run<Input extends TaskInput, Output>(
    task: AiTask<Input, Output>,
    input: NoInfer<Input>,
    options: AiRunOptions,
  ): Promise<AiAnswer<Output>>;
}

/** A business's AI budget for today, as the usage page shows it. */
export interface BudgetStatus {
  dailyBudgetUsd: number;
  source: 'business' | 'default';
  spentTodayUsd: number;
  remainingTodayUsd: number;
  resetsAt: string;
}

// ── Chat steps (the marketing agents) ──────────────────────────────────────────────────────────
// An agent's turn is a loop of chat steps: the model reads the conversation and either answers
// in text (streamed as deltas) or asks for tools. The AI layer never runs a tool: it returns the
// calls, each one's input already checked against the tool's zod schema (repaired with jsonrepair
// when the JSON is broken), or marked invalid with why — so nothing runs unvalidated. The agents
// module runs the valid ones and calls the next step with their results.

/** A tool the model may ask for: a snake_case name, what it does, and its input's schema. */
export interface ChatTool {
  name: string;
  description: string;
  input: z.ZodType<Record<string, unknown>>;
  /** Reads only. The builtin provider calls nothing else. */
  readOnly: boolean;
  /** Words in a user's message that make the builtin provider call this tool. */
  keywords?: readonly string[];
}

export type ChatStepMessage =
  | { role: 'user'; content: string }
  | {
      role: 'assistant';
      content: string;
      toolCalls?: { id: string; name: string; input: Record<string, unknown> }[];
    }
  /** A tool's result, and a sentence saying what it found (the builtin provider answers from these). */
  | { role: 'tool'; toolCallId: string; name: string; result: unknown; summary: string };

export interface ChatStepRequest {
  /** Stored in ai_calls.task and used as a metrics label: `chat.<agent>`. */
  task: string;
  tier: Tier;
  /** The agent's system prompt (the AI layer adds the business profile and its own rules). */
  system: string;
  messages: ChatStepMessage[];
  tools: ChatTool[];
}

export type ChatToolCall =
  | {
      id: string;
      name: string;
      valid: true;
      input: Record<string, unknown>;
      /** The model's JSON was broken and jsonrepair mended it. */
      repaired: boolean;
    }
  /** An unknown tool, unreadable JSON, or input the schema refuses: `error` says which. */
  | { id: string; name: string; valid: false; error: string; rawInput: string };

export interface ChatStepResult {
  text: string;
  toolCalls: ChatToolCall[];
  generatedBy: Provenance;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** From the request to the answer, retries and their waits included. */
  latencyMs: number;
  /** From the request to the first text delta (undefined when the step only called tools). */
  firstTokenMs: number | undefined;
  /** The ai_calls row of the attempt that answered. */
  callId: string;
}

export interface ChatStepOptions extends AiRunOptions {
  /** Each piece of answer text as the model streams it. */
  onDelta?: ((text: string) => void) | undefined;
}

/** Embeddings of texts, and the embedder's id (vectors of different embedders never meet). */
export interface Embeddings {
  vectors: number[][];
  model: string;
}

export interface AiChat {
  chatStep(request: ChatStepRequest, options: ChatStepOptions): Promise<ChatStepResult>;
  embed(texts: string[], options: AiRunOptions): Promise<Embeddings>;
  /** The embedder's id, without embedding anything (to find stored vectors comparable with it). */
  embeddingModel(): string;
  /** The kept prompt and response of a model call of this business, while retained. */
  transcriptOf(businessId: string, callId: string): Promise<CallTranscript | undefined>;
  /**
   * Opens a decision (one chat turn) of a business: until it is closed, the calls made with its
   * `decisionId` read the business once (from now on) and write their ai_calls rows and
   * transcripts in the background.
   */
  openDecision(decisionId: string, businessId: string): void;
  /**
   * Closes a decision: what its calls used, and `written`, which settles once their rows are
   * stored (rejects if one could not be).
   */
  closeDecision(decisionId: string): { usage: DecisionUsage; written: Promise<void> };
}

export interface DecisionUsage {
  promptTokens: number;
  completionTokens: number;
  /** USD with six decimals, as stored. */
  costUsd: string;
}

export interface CallTranscript {
  callId: string;
  prompt: Record<string, unknown>;
  response: Record<string, unknown> | null;
  createdAt: Date;
}

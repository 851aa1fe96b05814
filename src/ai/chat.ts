// ai.chatStep: one step of an agent's turn. The model reads the conversation and answers in text
// (streamed to onDelta) or asks for tools; each tool call comes back checked against its tool's
// schema (tool-calls.ts), never run here. Same guarantees as ai.run (calls.ts): the budget check,
// a timeout and the breaker per provider call, the fallback provider, one ai_calls row per attempt
// (with the agent decision it belongs to) and a kept transcript. A failed attempt is retried with
// backoff only while nothing has been streamed: once a user has seen text, a failure ends the step
// with the typed error, since a second answer would be appended to the first.
import { notFound } from '../platform/http/errors.ts';
import {
  type CallContext,
  type CallMachinery,
  type RecordedAttempt,
  RETRYABLE,
  startOfUtcDay,
} from './calls.ts';
import type { ChatStepOptions, ChatStepRequest, ChatStepResult, ChatToolCall } from './contract.ts';
import { jsonSchemaOf } from './json-schema.ts';
import { buildChatSystem } from './prompts/chat.ts';
import { validateToolCall } from './tool-calls.ts';
import type { AiProvider, ProviderChatResult, ProviderTool } from './types.ts';

interface ChatAttempt extends RecordedAttempt {
  result?: ProviderChatResult;
  toolCalls?: ChatToolCall[];
  /** The text streamed before a failure. */
  partial: string;
  /** Since the step started (what the user waited), not since this attempt. */
  firstTokenMs: number | undefined;
}

export function createChatStep(machinery: CallMachinery) {
  const { llm, logger, now } = machinery;

  return async function chatStep(
    request: ChatStepRequest,
    options: ChatStepOptions,
  ): Promise<ChatStepResult> {
    const { businessId, userId, jobId, decisionId, signal, onDelta } = options;
    const { task, tier } = request;
    const deadline = Date.now() + llm.deadlineMs;
    const stepStarted = performance.now();
    const sinceStep = () => Math.round(performance.now() - stepStarted);
    const dayStart = startOfUtcDay(now());
    const context = await machinery.businessContext(businessId, decisionId);
    if (!context) throw notFound('Business');
    const budgetUsd = context.dailyBudgetUsd ?? llm.dailyBudgetUsd;
    const system = buildChatSystem(request.system, context.profile);
    const tools: ProviderTool[] = request.tools.map((tool) => ({
      ...tool,
      jsonSchema: jsonSchemaOf(tool.input),
    }));
    const transcriptPrompt = {
      system,
      messages: request.messages,
      tools: tools.map((tool) => ({
        name: tool.name,
        description: tool.description,
        inputSchema: tool.jsonSchema,
      })),
    };
    const log = logger.child({
      businessId,
      task,
      ...(jobId ? { jobId } : {}),
      ...(decisionId ? { decisionId } : {}),
    });
    const callContext: CallContext = {
      businessId,
      userId,
      jobId,
      decisionId,
      task,
      tier,
      dayStart,
    };
    // Set from the providers' callbacks: has any text reached the user yet?
    const shown = { streamed: false, listenerFailed: false };
    const forward = (text: string) => {
      if (text === '') return;
      shown.streamed = true;
      try {
        onDelta?.(text);
      } catch (error) {
        // The listener's trouble (a closed connection) is not the model's: the step goes on.
        if (!shown.listenerFailed) log.warn({ err: error }, 'chat delta listener failed');
        shown.listenerFailed = true;
      }
    };

    async function attemptOnce(timeoutMs: number): Promise<ChatAttempt> {
      let provider: AiProvider = machinery.providers.primary;
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      let partial = '';
      let firstTokenMs: number | undefined;
      let result: ProviderChatResult;
      try {
        result = await machinery.callWithFallback(
          task,
          (chosen, callSignal) =>
            chosen.chat({
              task,
              tier,
              model: chosen.model(tier),
              system,
              messages: request.messages,
              tools,
              signal: callSignal,
              onDelta: (text) => {
                if (text === '') return;
                firstTokenMs ??= sinceStep();
                partial += text;
                forward(text);
              },
            }),
          timeoutMs,
          signal,
          (chosen) => {
            provider = chosen;
          },
        );
      } catch (error) {
        return {
          provider,
          model: provider.model(tier),
          latencyMs: elapsed(),
          partial,
          firstTokenMs,
          ...machinery.failureOf(error),
        };
      }
      const base = {
        provider,
        model: result.model,
        latencyMs: elapsed(),
        result,
        partial,
        firstTokenMs,
        promptTokens: result.promptTokens,
        completionTokens: result.completionTokens,
      };
      if (result.text.trim() === '' && result.toolCalls.length === 0) {
        return { ...base, outcome: 'empty_output', message: 'the answer was empty' };
      }
      const toolCalls = result.toolCalls.map((raw) => validateToolCall(raw, request.tools));
      const repaired = toolCalls.some((call) => call.valid && call.repaired);
      return { ...base, outcome: 'success', toolCalls, repaired };
    }

    let last: ChatAttempt | undefined;
    let attempts = 0;
    for (let number = 0; number <= llm.maxRetries; number++) {
      await machinery.refuseOverBudget({ ...callContext, number }, budgetUsd, log);
      const remaining = deadline - Date.now();
      if (remaining <= 0 || signal?.aborted) break;
      const attempt = await attemptOnce(Math.min(llm.timeoutMs, remaining));
      attempts++;
      last = attempt;
      // No provider was asked while its breaker was open: nothing to keep a transcript of.
      const transcript =
        attempt.outcome === 'breaker_open'
          ? undefined
          : {
              prompt: transcriptPrompt,
              response: attempt.result
                ? { text: attempt.result.text, toolCalls: attempt.result.toolCalls }
                : {
                    text: attempt.partial,
                    toolCalls: [],
                    error: attempt.message ?? attempt.outcome,
                  },
            };
      const { callId, costUsd } = await machinery.record(
        attempt,
        { ...callContext, number },
        transcript,
      );
      if (attempt.outcome === 'success' && attempt.result) {
        const invalid = (attempt.toolCalls ?? []).filter((call) => !call.valid);
        if (number > 0 || attempt.repaired || invalid.length > 0) {
          log.info(
            { attempt: number, repaired: attempt.repaired, invalidToolCalls: invalid.length },
            'chat step answered',
          );
        }
        return {
          text: attempt.result.text,
          toolCalls: attempt.toolCalls ?? [],
          generatedBy: { provider: attempt.provider.name, model: attempt.model },
          promptTokens: attempt.result.promptTokens,
          completionTokens: attempt.result.completionTokens,
          costUsd,
          // The whole step, retries and waits included (each attempt's is in its ai_calls row).
          latencyMs: sinceStep(),
          firstTokenMs: attempt.firstTokenMs,
          callId,
        };
      }
      log.warn(
        {
          attempt: number,
          outcome: attempt.outcome,
          provider: attempt.provider.name,
          reason: attempt.message,
          streamed: shown.streamed,
        },
        'chat attempt failed',
      );
      // Text already shown to the user cannot be taken back: no second answer after it.
      if (shown.streamed || !RETRYABLE.has(attempt.outcome) || number === llm.maxRetries) break;
      if (!(await machinery.pauseBeforeRetry(number, attempt, { task, deadline, log, signal }))) {
        break;
      }
    }
    throw machinery.finalError(task, attempts, last);
  };
}

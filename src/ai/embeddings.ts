// Embeddings: texts turned into vectors so that similar texts can be found (the knowledge base,
// the agents' learnings). With LLM_PROVIDER openai, or openai-compatible with an
// LLM_EMBEDDING_MODEL, the provider's /embeddings endpoint makes them, through its circuit
// breaker, within the business's daily budget, one ai_calls row per attempt. Otherwise the
// builtin lexical embedder does, offline and free: it hashes words and word pairs, so it finds
// texts that share words, not texts that mean the same thing.
import { setTimeout as sleepFor } from 'node:timers/promises';

import { BrokenCircuitError } from 'cockatiel';

import type { Config } from '../config.ts';
import type { BreakerRegistry } from '../platform/breaker.ts';
import type { Executor } from '../platform/db/client.ts';
import { notFound } from '../platform/http/errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { AiRunOptions, Embeddings } from './contract.ts';
import { aiBudgetExceeded, aiTimeout, upstreamUnavailable } from './errors.ts';
import { createPriceTable, type ModelPrice } from './pricing.ts';
import { createAiRepository } from './repository.ts';
import { backoffDelayMs, retryAfterMs } from './retry.ts';
import { createSpendTracker } from './spend.ts';
import type { CallOutcome } from './types.ts';

export const BUILTIN_DIMENSIONS = 256;
export const BUILTIN_EMBEDDING_MODEL = `builtin-lexical-v1-${BUILTIN_DIMENSIONS}`;
const TASK = 'embed';

/** List prices of embedding models (USD per million input tokens); LLM_PRICES overrides them. */
export const EMBEDDING_PRICES: Readonly<Record<string, ModelPrice>> = {
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
};

export interface Embedder {
  embed(texts: string[], options: AiRunOptions): Promise<Embeddings>;
  /** The id stored beside each vector: vectors of different embedders are never compared. */
  embeddingModel(): string;
}

// ── The builtin lexical embedder ──────────────────────────────────────────────────────────────

// Words too common to say what a text is about; without this list every English text would
// look like every other one.
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his ' +
    'how i if in into is it its just me my no not of on or our out she so than that the their ' +
    'them then there these they this those to up us was we were what when where which who why ' +
    'will with would you your yours about after all also any because before being between both ' +
    'each few more most other over same some such through under until very while'
  ).split(' '),
);

/** Folds plurals and common endings so "campaigns" meets "campaign" and "emailing" "email". */
function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 4 && word.endsWith('ly')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** Lower-cased, accent-free words of a text, without stopwords, stemmed. */
export function lexicalTerms(text: string): string[] {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u);
  const terms: string[] = [];
  for (const word of words) {
    if (word.length < 2 || STOPWORDS.has(word)) continue;
    terms.push(stem(word));
  }
  return terms;
}

/** 32-bit FNV-1a: cheap, stable across processes and versions (stored vectors depend on it). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A text's lexical vector: each word and each pair of neighbouring words is hashed to one of
 * 256 dimensions with a sign (so collisions cancel rather than pile up), weighted 1 + ln(count)
 * (pairs half), then scaled to length 1. Equal texts give equal vectors on every machine.
 */
export function lexicalVector(text: string): number[] {
  const counts = new Map<string, number>();
  const terms = lexicalTerms(text);
  for (let index = 0; index < terms.length; index++) {
    const term = terms[index] ?? '';
    counts.set(term, (counts.get(term) ?? 0) + 1);
    const next = terms[index + 1];
    if (next !== undefined) {
      const pair = `${term} ${next}`;
      counts.set(pair, (counts.get(pair) ?? 0) + 1);
    }
  }
  const vector = new Array<number>(BUILTIN_DIMENSIONS).fill(0);
  for (const [feature, count] of counts) {
    const hash = fnv1a(feature);
    const weight = (1 + Math.log(count)) * (feature.includes(' ') ? 0.5 : 1);
    const slot = hash % BUILTIN_DIMENSIONS;
    vector[slot] = (vector[slot] ?? 0) + ((hash >>> 31) & 1 ? -weight : weight);
  }
  const norm = Math.hypot(...vector);
  // Float4 precision is what the database keeps; round here so what we return is what is stored.
  return norm === 0 ? vector : vector.map((value) => Math.fround(value / norm));
}

// ── The embedder ──────────────────────────────────────────────────────────────────────────────

export interface EmbedderDeps {
  db: Executor;
  llm: Config['llm'];
  breakers: BreakerRegistry;
  metrics: Metrics;
  logger: Logger;
  now?: () => Date;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface RemoteSettings {
  provider: 'openai' | 'openai-compatible';
  model: string;
  dimensions: number;
}

/** Which remote model the configuration names, or undefined for the builtin embedder. */
export function remoteEmbeddingSettings(llm: Config['llm']): RemoteSettings | undefined {
  if (llm.provider === 'openai') {
    return {
      provider: 'openai',
      model: llm.embeddingModel ?? 'text-embedding-3-small',
      dimensions: llm.embeddingDimensions,
    };
  }
  if (llm.provider === 'openai-compatible' && llm.embeddingModel) {
    return {
      provider: 'openai-compatible',
      model: llm.embeddingModel,
      dimensions: llm.embeddingDimensions,
    };
  }
  return undefined;
}

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** One attempt's failure, classified like a chat call's (ai/providers/sdk.ts). */
class EmbedFailure extends Error {
  readonly outcome: CallOutcome;
  readonly retryAfterMs: number | undefined;
  constructor(outcome: CallOutcome, message: string, retryAfter?: number) {
    super(message);
    this.outcome = outcome;
    this.retryAfterMs = retryAfter;
  }
}

const RETRYABLE = new Set<CallOutcome>(['timeout', 'rate_limited', 'upstream_error']);

type Sdk = typeof import('ai');

export function createEmbedder(deps: EmbedderDeps): Embedder {
  const { llm } = deps;
  const configured = remoteEmbeddingSettings(llm);
  if (!configured) {
    return {
      embed: (texts) =>
        Promise.resolve({ vectors: texts.map(lexicalVector), model: BUILTIN_EMBEDDING_MODEL }),
      embeddingModel: () => BUILTIN_EMBEDDING_MODEL,
    };
  }
  const remote: RemoteSettings = configured;
  const modelId = `${remote.provider}:${remote.model}:${remote.dimensions}`;
  const repository = createAiRepository(deps.db);
  const prices = createPriceTable({ ...EMBEDDING_PRICES, ...llm.prices });
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const sleep =
    deps.sleep ?? ((ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, { signal }));
  const spend = createSpendTracker({
    read: (businessId, dayStart) => repository.spentSince(businessId, dayStart),
    refreshMs: 2_000,
  });
  const host = llm.baseUrl ? new URL(llm.baseUrl).host : 'default';
  // The same breaker as the provider's chat calls: a server down for one is down for both.
  const breaker = deps.breakers.get(`llm:${remote.provider}:${host}`, {
    failureThreshold: llm.breakerFailures,
    halfOpenAfterMs: llm.breakerHalfOpenMs,
  });
  const unpriced = new Set<string>();

  // The SDK is loaded at the first call, like the chat providers (start-up memory).
  let loaded: Promise<{ sdk: Sdk; model: Parameters<Sdk['embedMany']>[0]['model'] }> | undefined;
  const load = async () => {
    const sdk = await import('ai');
    if (remote.provider === 'openai') {
      const { createOpenAI } = await import('@ai-sdk/openai');
      const openai = createOpenAI({ apiKey: llm.apiKey, baseURL: llm.baseUrl });
      return { sdk, model: openai.embeddingModel(remote.model) };
    }
    const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
    const compatible = createOpenAICompatible({
      name: 'openai-compatible',
      baseURL: llm.baseUrl ?? '',
      apiKey: llm.apiKey,
    });
    return { sdk, model: compatible.embeddingModel(remote.model) };
  };

  function classify(sdk: Sdk, error: unknown, timedOut: boolean): EmbedFailure {
    if (error instanceof EmbedFailure) return error;
    if (error instanceof BrokenCircuitError) {
      return new EmbedFailure('breaker_open', 'its circuit breaker is open');
    }
    if (timedOut) return new EmbedFailure('timeout', 'the provider did not answer in time');
    if (sdk.APICallError.isInstance(error)) {
      const status = error.statusCode;
      if (status === 429) {
        return new EmbedFailure(
          'rate_limited',
          'the provider is rate limiting us (429)',
          retryAfterMs(error.responseHeaders, Date.now()),
        );
      }
      if (status !== undefined && status >= 400 && status < 500) {
        return new EmbedFailure('rejected', `the provider refused the request (${status})`);
      }
      return new EmbedFailure(
        'upstream_error',
        status === undefined
          ? 'the provider could not be reached'
          : `the provider failed (${status})`,
      );
    }
    return new EmbedFailure('upstream_error', 'the provider sent an unreadable response');
  }

  /** One call with its own timeout, through the breaker; 4xx answers do not trip it. */
  async function attempt(texts: string[], signal: AbortSignal | undefined) {
    const { sdk, model } = await (loaded ??= load());
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, llm.timeoutMs);
    const stop = () => {
      controller.abort();
    };
    signal?.addEventListener('abort', stop, { once: true });
    try {
      const outcome = await breaker.execute(async () => {
        try {
          return await sdk.embedMany({
            model,
            values: texts,
            dimensions: remote.dimensions,
            maxRetries: 0,
            abortSignal: controller.signal,
          });
        } catch (error) {
          const failure = classify(sdk, error, timedOut);
          if (failure.outcome === 'rejected') return failure;
          throw failure;
        }
      });
      if (outcome instanceof EmbedFailure) throw outcome;
      const wrong = outcome.embeddings.find((vector) => vector.length !== remote.dimensions);
      if (wrong) {
        throw new EmbedFailure(
          'rejected',
          `the embedding model returned ${wrong.length} dimensions, not ${remote.dimensions}; set EMBEDDING_DIMENSIONS=${wrong.length} or use a model that takes "dimensions"`,
        );
      }
      return { embeddings: outcome.embeddings, tokens: outcome.usage.tokens };
    } catch (error) {
      throw classify(sdk, error, timedOut);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    }
  }

  async function record(
    options: AiRunOptions,
    number: number,
    outcome: CallOutcome,
    latencyMs: number,
    tokens: number,
    message: string | undefined,
    dayStart: Date,
  ) {
    let cost = prices.costOf(remote.model, tokens, 0);
    if (cost === undefined) {
      if (!unpriced.has(remote.model)) {
        unpriced.add(remote.model);
        deps.logger.warn(
          { model: remote.model },
          'ai model has no price; add it to LLM_PRICES to count its cost',
        );
      }
      cost = 0;
    }
    const labels = { provider: remote.provider, model: remote.model, task: TASK };
    deps.metrics.aiRequests.inc({ ...labels, outcome });
    deps.metrics.aiRequestDuration.observe({ ...labels, outcome }, latencyMs / 1000);
    if (tokens > 0) deps.metrics.aiTokens.inc({ ...labels, kind: 'prompt' }, tokens);
    if (cost > 0) deps.metrics.aiCostUsd.inc(labels, cost);
    await repository.recordCall({
      businessId: options.businessId,
      userId: options.userId,
      jobId: options.jobId ?? null,
      task: TASK,
      provider: labels.provider,
      model: labels.model,
      tier: 'fast',
      promptTokens: tokens,
      completionTokens: 0,
      costUsd: cost.toFixed(6),
      latencyMs,
      outcome,
      attempt: number,
      repaired: false,
      errorCode:
        outcome === 'success'
          ? null
          : outcome === 'timeout'
            ? 'AI_TIMEOUT'
            : outcome === 'budget_exceeded'
              ? 'AI_BUDGET_EXCEEDED'
              : 'UPSTREAM_UNAVAILABLE',
      errorMessage: message?.slice(0, 1000) ?? null,
    });
    if (cost > 0) spend.add(options.businessId, dayStart, cost);
  }

  return {
    embeddingModel: () => modelId,

    async embed(texts, options) {
      if (texts.length === 0) return { vectors: [], model: modelId };
      const dayStart = startOfUtcDay(now());
      const context = await repository.businessContext(options.businessId);
      if (!context) throw notFound('Business');
      const budgetUsd = context.dailyBudgetUsd ?? llm.dailyBudgetUsd;
      const deadline = Date.now() + llm.deadlineMs;
      let last: EmbedFailure | undefined;
      let attempts = 0;
      for (let number = 0; number <= llm.maxRetries; number++) {
        const spent = await spend.spentToday(options.businessId, dayStart);
        if (spent >= budgetUsd) {
          const message = `spent ${spent.toFixed(6)} of ${budgetUsd.toFixed(2)} USD today`;
          await record(options, number, 'budget_exceeded', 0, 0, message, dayStart);
          const resetsAt = new Date(dayStart.getTime() + 86_400_000);
          throw aiBudgetExceeded(budgetUsd, Math.round(spent * 1e6) / 1e6, resetsAt, now());
        }
        attempts++;
        const started = performance.now();
        const elapsed = () => Math.round(performance.now() - started);
        try {
          const result = await attempt(texts, options.signal);
          await record(options, number, 'success', elapsed(), result.tokens, undefined, dayStart);
          return { vectors: result.embeddings, model: modelId };
        } catch (error) {
          if (!(error instanceof EmbedFailure)) throw error;
          last = error;
          await record(options, number, error.outcome, elapsed(), 0, error.message, dayStart);
          deps.logger.warn(
            { businessId: options.businessId, attempt: number, outcome: error.outcome },
            'ai embedding attempt failed',
          );
        }
        if (!RETRYABLE.has(last.outcome) || number === llm.maxRetries) break;
        const delayMs = Math.max(
          backoffDelayMs(
            number + 1,
            { baseDelayMs: llm.retryBaseDelayMs, maxDelayMs: llm.retryMaxDelayMs },
            random(),
          ),
          last.retryAfterMs ?? 0,
        );
        if (Date.now() + delayMs >= deadline || options.signal?.aborted) break;
        try {
          await sleep(delayMs, options.signal);
        } catch {
          break;
        }
      }
      if (last?.outcome === 'timeout') throw aiTimeout(TASK, attempts, llm.deadlineMs);
      throw upstreamUnavailable(TASK, last?.message ?? 'it failed', { attempts });
    },
  };
}

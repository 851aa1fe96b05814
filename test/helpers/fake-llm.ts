// A fault-injecting OpenAI-compatible server on loopback: a real node:http server speaking
// POST /v1/chat/completions, so Herald's real provider code (AI SDK + fetch) talks to it. Each
// test scripts the replies in order — valid JSON, broken JSON, empty content, tool calls with
// raw (possibly broken) arguments, HTTP errors with headers, slow answers, or no answer at all —
// and reads back the requests it received. A request with `stream: true` is answered as
// server-sent events the way OpenAI streams: content pieces, tool-call fragments split across
// chunks, the finish reason, usage when asked, `[DONE]`; with a fixed model latency when set.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ChatRequest {
  model: string;
  /** `content` is null in an assistant message that only calls tools. */
  messages: { role: string; content: string; [key: string]: unknown }[];
  response_format?: { type: string; json_schema?: { name?: string; schema?: unknown } };
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: {
    type: string;
    function: { name: string; description?: string; parameters?: unknown };
  }[];
  [key: string]: unknown;
}

/** A tool call as the model writes it: `arguments` is raw text (broken JSON is fine). */
export interface FakeToolCall {
  name: string;
  arguments: string;
  id?: string;
}

/** How fast a streamed answer comes (a fixed model latency, for benchmarks). */
export interface FakeLatency {
  /** Before the first chunk after the headers. */
  firstTokenDelayMs?: number;
  /** Between chunks. */
  chunkDelayMs?: number;
}

export type FakeReply =
  /**
   * A completion whose message content is `content` (any text: valid JSON or not) and/or tool
   * calls. Streamed when the request asks for it.
   */
  | ({
      content?: string;
      toolCalls?: FakeToolCall[];
      promptTokens?: number;
      completionTokens?: number;
      /** Wait this long before answering (a slow model). */
      delayMs?: number;
      finishReason?: string;
      /** Streamed: the content pieces (default: one per word, spaces kept). */
      chunks?: string[];
      /** Streamed: after this many content pieces, an error event (code 500) ends the stream. */
      failAfterChunks?: number;
    } & FakeLatency)
  /** An HTTP error, e.g. 500, or 429 with a Retry-After header. */
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Accept the request and never answer (until the client gives up). */
  | { hang: true };

export interface ReceivedRequest {
  at: number;
  headers: IncomingMessage['headers'];
  body: ChatRequest;
  /**
   * When the model did what (performance.now() of this process), for benchmarks that subtract
   * the model's own time: the body read, the first content or tool-call chunk written (streamed
   * answers), the last byte written.
   */
  timing: { receivedAt: number; firstTokenAt?: number; endedAt?: number };
}

export interface FakeLlm {
  /** The base URL to configure (`LLM_BASE_URL`), ending in /v1. */
  baseUrl: string;
  readonly requests: ReceivedRequest[];
  /** Queues replies, served in order; when the queue is empty `otherwise` answers. */
  script(...replies: FakeReply[]): void;
  /** The reply when nothing is scripted (default: a 500 saying so). */
  otherwise(reply: FakeReply | ((request: ChatRequest) => FakeReply)): void;
  /** Forgets scripted replies and received requests. */
  reset(): void;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

let sequence = 0;

type Completion = Exclude<FakeReply, { status: number } | { hang: true }>;

function usageOf(reply: Completion) {
  const promptTokens = reply.promptTokens ?? 100;
  const completionTokens = reply.completionTokens ?? 50;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

const toolCallIds = (reply: Completion) =>
  (reply.toolCalls ?? []).map((call, index) => call.id ?? `call_fake_${sequence}_${index}`);

const finishReasonOf = (reply: Completion) =>
  reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop');

function completion(body: ChatRequest, reply: Completion) {
  const id = `chatcmpl-fake-${++sequence}`;
  const ids = toolCallIds(reply);
  const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({
    id: ids[index],
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.content ?? null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReasonOf(reply),
      },
    ],
    usage: usageOf(reply),
  };
}

/** A JSON text cut into `parts` fragments (the way servers split tool arguments). */
function fragments(text: string, parts: number): string[] {
  if (text.length === 0) return [''];
  const size = Math.ceil(text.length / parts);
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
  return pieces;
}

/** The chunks of a streamed answer, in order (each one `data: {json}`). */
function streamChunks(
  body: ChatRequest,
  reply: Completion,
): { chunk: unknown; content: boolean }[] {
  const id = `chatcmpl-fake-${++sequence}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: body.model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  const chunks: { chunk: unknown; content: boolean }[] = [
    { chunk: chunk({ role: 'assistant', content: '' }), content: false },
  ];
  const pieces = reply.chunks ?? reply.content?.match(/\S+\s*|\s+/g) ?? [];
  for (const piece of pieces) chunks.push({ chunk: chunk({ content: piece }), content: true });
  const ids = toolCallIds(reply);
  (reply.toolCalls ?? []).forEach((call, index) => {
    chunks.push({
      chunk: chunk({
        tool_calls: [
          { index, id: ids[index], type: 'function', function: { name: call.name, arguments: '' } },
        ],
      }),
      content: false,
    });
    for (const piece of fragments(call.arguments, 3)) {
      chunks.push({
        chunk: chunk({ tool_calls: [{ index, function: { arguments: piece } }] }),
        content: false,
      });
    }
  });
  chunks.push({ chunk: chunk({}, finishReasonOf(reply)), content: false });
  if (body.stream_options?.include_usage) {
    chunks.push({
      chunk: {
        id,
        object: 'chat.completion.chunk',
        created,
        model: body.model,
        choices: [],
        usage: usageOf(reply),
      },
      content: false,
    });
  }
  return chunks;
}

export async function startFakeLlm(latency: FakeLatency = {}): Promise<FakeLlm> {
  const queue: FakeReply[] = [];
  const requests: ReceivedRequest[] = [];
  let fallback: FakeReply | ((request: ChatRequest) => FakeReply) = {
    status: 500,
    body: { error: { message: 'fake LLM: no scripted reply', type: 'server_error' } },
  };
  const timers = new Set<NodeJS.Timeout>();

  const closing = new AbortController();

  async function stream(
    body: ChatRequest,
    reply: Completion,
    response: ServerResponse,
    timing: ReceivedRequest['timing'],
  ) {
    const firstDelay = reply.firstTokenDelayMs ?? latency.firstTokenDelayMs ?? 0;
    const chunkDelay = reply.chunkDelayMs ?? latency.chunkDelayMs ?? 0;
    const wait = (ms: number) => sleep(ms, undefined, { signal: closing.signal });
    if (reply.delayMs) await wait(reply.delayMs);
    if (response.destroyed) return;
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    let sent = 0;
    let contentSent = 0;
    const gone = () => response.destroyed; // the client may hang up while we stream
    for (const { chunk, content } of streamChunks(body, reply)) {
      if (gone()) return;
      if (content && reply.failAfterChunks !== undefined && contentSent >= reply.failAfterChunks) {
        const error = { message: 'fake LLM: upstream failure', type: 'server_error', code: 500 };
        response.end(`data: ${JSON.stringify({ error })}\n\n`);
        return;
      }
      const delay = sent === 1 ? firstDelay : sent > 1 ? chunkDelay : 0;
      if (delay > 0) await wait(delay);
      response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      if (sent === 1) timing.firstTokenAt = performance.now();
      sent++;
      if (content) contentSent++;
    }
    response.end('data: [DONE]\n\n');
    timing.endedAt = performance.now();
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = JSON.parse(await readBody(request)) as ChatRequest;
    const timing: ReceivedRequest['timing'] = { receivedAt: performance.now() };
    requests.push({ at: Date.now(), headers: request.headers, body, timing });
    const reply = queue.shift() ?? (typeof fallback === 'function' ? fallback(body) : fallback);
    if ('hang' in reply) return; // the socket stays open until the client aborts or we close
    if ('status' in reply) {
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      response.end(JSON.stringify(reply.body ?? { error: { message: `fake ${reply.status}` } }));
      return;
    }
    if (body.stream) {
      await stream(body, reply, response, timing);
      return;
    }
    const send = () => {
      if (response.destroyed) return;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(completion(body, reply)));
      timing.endedAt = performance.now();
    };
    if (reply.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, reply.delayMs);
      timers.add(timer);
    } else send();
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy(); // a stream cut short (the server is closing)
        return;
      }
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script(...replies) {
      queue.push(...replies);
    },
    otherwise(reply) {
      fallback = reply;
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
    },
    async close() {
      closing.abort();
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

/** Environment that points Herald's openai-compatible provider at the fake. */
export function fakeLlmEnv(
  fake: Pick<FakeLlm, 'baseUrl'>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    LLM_PROVIDER: 'openai-compatible',
    LLM_BASE_URL: fake.baseUrl,
    LLM_API_KEY: 'fake-key',
    LLM_MODEL_FAST: 'fake-fast',
    LLM_MODEL_STRONG: 'fake-strong',
    // Priced so tokens turn into visible cost: $1 per million prompt, $2 per million completion.
    LLM_PRICES: JSON.stringify({
      'fake-fast': { input: 1, output: 2 },
      'fake-strong': { input: 5, output: 10 },
    }),
    // Quick retries keep the suite fast; the waits themselves are asserted from the logs.
    LLM_RETRY_BASE_DELAY_MS: '5',
    LLM_RETRY_MAX_DELAY_MS: '20',
    // Generous: a loaded CI machine must not turn a normal answer into a timeout. Tests of
    // timeouts set a short one themselves.
    LLM_TIMEOUT_MS: '5000',
    ...extra,
  };
}

// A fault-injecting OpenAI-compatible server on loopback: a real node:http server speaking
// POST /v1/chat/completions, so Herald's real provider code (AI SDK + fetch) talks to it. Each
// test scripts the replies in order — valid JSON, broken JSON, empty content, HTTP errors with
// headers, slow answers, or no answer at all — and reads back the requests it received.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name?: string; schema?: unknown } };
  [key: string]: unknown;
}

export type FakeReply =
  /** A completion whose message content is `content` (any text: valid JSON or not). */
  | {
      content: string;
      promptTokens?: number;
      completionTokens?: number;
      /** Wait this long before answering (a slow model). */
      delayMs?: number;
      finishReason?: string;
    }
  /** An HTTP error, e.g. 500, or 429 with a Retry-After header. */
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Accept the request and never answer (until the client gives up). */
  | { hang: true };

export interface ReceivedRequest {
  at: number;
  headers: IncomingMessage['headers'];
  body: ChatRequest;
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

function completion(body: ChatRequest, reply: Extract<FakeReply, { content: string }>) {
  const promptTokens = reply.promptTokens ?? 100;
  const completionTokens = reply.completionTokens ?? 50;
  return {
    id: `chatcmpl-fake-${++sequence}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: reply.content },
        finish_reason: reply.finishReason ?? 'stop',
      },
    ],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

export async function startFakeLlm(): Promise<FakeLlm> {
  const queue: FakeReply[] = [];
  const requests: ReceivedRequest[] = [];
  let fallback: FakeReply | ((request: ChatRequest) => FakeReply) = {
    status: 500,
    body: { error: { message: 'fake LLM: no scripted reply', type: 'server_error' } },
  };
  const timers = new Set<NodeJS.Timeout>();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = JSON.parse(await readBody(request)) as ChatRequest;
    requests.push({ at: Date.now(), headers: request.headers, body });
    const reply = queue.shift() ?? (typeof fallback === 'function' ? fallback(body) : fallback);
    if ('hang' in reply) return; // the socket stays open until the client aborts or we close
    if ('status' in reply) {
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      response.end(JSON.stringify(reply.body ?? { error: { message: `fake ${reply.status}` } }));
      return;
    }
    const send = () => {
      if (response.destroyed) return;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(completion(body, reply)));
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
  fake: FakeLlm,
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

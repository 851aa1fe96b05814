// An OpenAI-compatible embeddings server on loopback: a real node:http server answering
// POST /v1/embeddings in OpenAI's format, so Herald's real embedder (AI SDK + fetch) talks to it.
// Its vectors are made from the input's words (so similar texts get similar vectors, as with a
// real model) and have the length asked for in `dimensions`; it records every request.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmbeddingsRequest {
  model: string;
  input: string[];
  dimensions?: number;
  encoding_format?: string;
}

export interface FakeEmbeddings {
  /** The base URL to configure (`LLM_BASE_URL`), ending in /v1. */
  baseUrl: string;
  readonly requests: { headers: IncomingMessage['headers']; body: EmbeddingsRequest }[];
  /** Answer the next requests with this HTTP status instead (e.g. 503), `times` times. */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

/** A word-count vector of `dimensions`, hashed differently from Herald's builtin one. */
function vectorOf(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (word.length < 3) continue;
    let hash = 7;
    for (const char of word) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    vector[hash % dimensions] = (vector[hash % dimensions] ?? 0) + 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

export async function startFakeEmbeddings(): Promise<FakeEmbeddings> {
  const requests: FakeEmbeddings['requests'] = [];
  let failures: { status: number; left: number } | undefined;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.method !== 'POST' || request.url !== '/v1/embeddings') {
        reply(404, { error: { message: 'not found' } });
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as EmbeddingsRequest;
      requests.push({ headers: request.headers, body });
      if (failures && failures.left > 0) {
        failures.left--;
        reply(failures.status, { error: { message: 'scripted failure', type: 'server_error' } });
        return;
      }
      const dimensions = body.dimensions ?? 1536;
      const input = Array.isArray(body.input) ? body.input : [body.input];
      reply(200, {
        object: 'list',
        model: body.model,
        data: input.map((text, index) => ({
          object: 'embedding',
          index,
          embedding: vectorOf(text, dimensions),
        })),
        usage: {
          prompt_tokens: input.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0),
          total_tokens: input.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0),
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    failNext(status, times = 1) {
      failures = { status, left: times };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}

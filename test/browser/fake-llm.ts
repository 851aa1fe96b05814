// An OpenAI-compatible chat-completions server for the browser tests, so an AI job can be held
// mid-generation (to reload the page while it runs) or made to fail, without a real model.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeLlmMode = 'answer' | 'hold' | 'fail';

const SUGGESTION = {
  tone: 'Warm and neighbourly, proud of the craft, never pushy',
  wordsToUse: ['fresh', 'baked this morning', 'neighbours'],
  wordsToAvoid: ['synergy', 'disrupt', 'world-class'],
  sampleLines: [
    'Sourdough out of the oven at 7, still warm at 8.',
    'Come say hi: the cinnamon buns are back.',
  ],
  rationale: 'A small bakery sells on warmth and routine; plain words fit its regulars.',
};

export interface FakeLlm {
  baseUrl: string;
  mode: FakeLlmMode;
  /** Requests received so far. */
  calls: number;
  /** Answers every held request. */
  release(): void;
  close(): Promise<void>;
}

function completion(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      id: `chatcmpl-${Date.now()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: 'fake-fast',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: JSON.stringify(SUGGESTION) },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 420, completion_tokens: 130, total_tokens: 550 },
    }),
  );
}

export async function startFakeLlm(): Promise<FakeLlm> {
  const held: ServerResponse[] = [];
  const state = { mode: 'answer' as FakeLlmMode, calls: 0 };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.once('end', () => {
      state.calls += 1;
      if (state.mode === 'hold') held.push(response);
      else if (state.mode === 'fail') {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            error: { message: 'model refused the request', type: 'invalid_request_error' },
          }),
        );
      } else completion(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get mode() {
      return state.mode;
    },
    set mode(mode: FakeLlmMode) {
      state.mode = mode;
    },
    get calls() {
      return state.calls;
    },
    release() {
      for (const response of held.splice(0)) completion(response);
    },
    async close() {
      for (const response of held.splice(0)) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

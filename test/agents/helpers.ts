// Talking to the agents as a client does: a session, a message whose answer is read as the
// server-sent events it streams, and the decision log.
import { expect } from 'vitest';

import type { App } from '../../src/platform/http/types.ts';
import { api } from '../helpers/api.ts';
import type { TestUser } from '../helpers/fixtures.ts';

export interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Parses a text/event-stream body into its events (comments and heartbeats skipped). */
export function parseEvents(body: string): StreamEvent[] {
  return body
    .split('\n\n')
    .map((block) => block.split('\n'))
    .flatMap((lines) => {
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
      return event && data ? [{ event, data: JSON.parse(data) as Record<string, unknown> }] : [];
    });
}

export async function newSession(app: App, user: TestUser, businessId: string): Promise<string> {
  const response = await api<{ id: string }>(
    app,
    user,
    'POST',
    `/api/v1/businesses/${businessId}/chat/sessions`,
    {},
    201,
  );
  return response.body.id;
}

export interface Turn {
  status: number;
  events: StreamEvent[];
  /** The `done` event's stored reply, when the turn finished. */
  reply: ChatReply | undefined;
  /** The joined `delta` texts. */
  streamed: string;
  body: string;
}

export interface ChatReply {
  id: string;
  content: string;
  agents: string[];
  toolCalls: { tool: string; status: string; summary: string; actionId?: string }[];
  citations: { chunkId: string; documentId: string; title: string; excerpt: string }[];
  provider: string | null;
  decisionId: string | null;
}

/** Sends a message and reads the whole stream. */
export async function send(
  app: App,
  user: TestUser,
  businessId: string,
  sessionId: string,
  content: string,
): Promise<Turn> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/businesses/${businessId}/chat/sessions/${sessionId}/messages`,
    headers: { ...user.headers, accept: 'text/event-stream' },
    payload: { content },
  });
  const events = response.statusCode === 200 ? parseEvents(response.body) : [];
  const done = events.find((e) => e.event === 'done');
  return {
    status: response.statusCode,
    events,
    reply: done?.data.message as ChatReply | undefined,
    streamed: events
      .filter((e) => e.event === 'delta')
      .map((e) => String(e.data.text))
      .join(''),
    body: response.body,
  };
}

export function eventsNamed(turn: Turn, name: string): Record<string, unknown>[] {
  return turn.events.filter((e) => e.event === name).map((e) => e.data);
}

export interface Decision {
  id: string;
  agents: string[];
  reasoning: string;
  toolCalls: { agent: string; tool: string; input: unknown; result: unknown; outcome: string }[];
  promptTokens: number;
  completionTokens: number;
  outcome: string;
  error: { code: string; message: string } | null;
}

export async function decisionOf(
  app: App,
  user: TestUser,
  businessId: string,
  decisionId: string,
): Promise<Decision & { calls: { task: string; hasTranscript: boolean }[] }> {
  const response = await api<Decision & { calls: { task: string; hasTranscript: boolean }[] }>(
    app,
    user,
    'GET',
    `/api/v1/businesses/${businessId}/chat/decisions/${decisionId}`,
  );
  expect(response.status).toBe(200);
  return response.body;
}

// Sends a chat message and follows the reply as it streams in (server-sent events over a POST, so
// through the API client's fetch, with its Authorization header): the user's stored message, the
// agents the conductor chose, the reply's text delta by delta, tool cards, confirmations asked
// for, and the stored reply at the end. What the stream reported is merged into the cached
// session, so the conversation needs no reload once it is done.
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';

import { useApi } from '../../api/context';
import { ApiError, isAbort, NetworkError } from '../../api/errors';
import { readEvents } from '../../api/sse';
import { agentsApi, BUSINESS } from './agents-client';
import { chatKeys, mergeIntoSession } from './chat-queries';
import type { ChatAction, ChatMessage, ChatStreamEvents, ChatToolCard, ErrorBody } from './types';

/** The reply being written: what the stream has said so far. */
export interface StreamingTurn {
  sessionId: string;
  /** What the user sent, shown before the server has stored it. */
  content: string;
  userMessage: ChatMessage | null;
  /** The specialists at work (null until the conductor has chosen). */
  agents: string[] | null;
  reasoning: string;
  /** The reply's text, one part per run of deltas from the same agent. */
  parts: { agent: string; text: string }[];
  cards: ChatToolCard[];
  actions: ChatAction[];
}

const STATUS_OF_CODE: Record<string, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  AI_OUTPUT_INVALID: 502,
  UPSTREAM_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** An `error` event as the ApiError every page knows how to show (a rate limit's wait included). */
export function streamError(body: ErrorBody): ApiError {
  const wait = body.details.retryAfterSeconds;
  return new ApiError({
    status: STATUS_OF_CODE[body.code] ?? 500,
    code: body.code,
    message: body.message,
    details: body.details,
    correlationId: body.correlationId,
    retryAfterSeconds: typeof wait === 'number' ? wait : null,
  });
}

/** The stream ended without its `done`: the server stopped mid-reply. */
export const CUT_OFF = (): ApiError =>
  new ApiError({
    status: 502,
    code: 'STREAM_ENDED',
    message: 'The reply stopped before it was finished. Try sending your message again.',
  });

/** The turn after one event (pure, so the order of deltas is the order of the stream). */
export function applyEvent(turn: StreamingTurn, name: string, data: unknown): StreamingTurn {
  switch (name) {
    case 'message':
      return { ...turn, userMessage: (data as ChatStreamEvents['message']).message };
    case 'agents': {
      const { agents, reasoning } = data as ChatStreamEvents['agents'];
      return { ...turn, agents, reasoning };
    }
    case 'delta': {
      const { agent, text } = data as ChatStreamEvents['delta'];
      const last = turn.parts.at(-1);
      const parts =
        last?.agent === agent
          ? [...turn.parts.slice(0, -1), { agent, text: last.text + text }]
          : [...turn.parts, { agent, text }];
      return { ...turn, parts };
    }
    case 'tool-call':
    case 'tool-result': {
      const { card } = data as ChatStreamEvents['tool-call'];
      const known = turn.cards.some((item) => item.id === card.id);
      const cards = known
        ? turn.cards.map((item) => (item.id === card.id ? card : item))
        : [...turn.cards, card];
      return { ...turn, cards };
    }
    case 'confirmation': {
      const { action } = data as ChatStreamEvents['confirmation'];
      return { ...turn, actions: [...turn.actions, action] };
    }
    default:
      return turn;
  }
}

export interface ChatStream {
  /** The reply being streamed, or null. */
  turn: StreamingTurn | null;
  streaming: boolean;
  /** Why the last message failed (a request refused, an `error` event, a cut-off stream). */
  error: unknown;
  /** Resolves true once the reply is stored, false when it failed (the caller keeps the text). */
  send: (sessionId: string, content: string) => Promise<boolean>;
  dismissError: () => void;
}

export function useChatStream(businessId: string): ChatStream {
  const api = agentsApi(useApi());
  const queryClient = useQueryClient();
  const [turn, setTurn] = useState<StreamingTurn | null>(null);
  const [error, setError] = useState<unknown>(null);
  const controller = useRef<AbortController | null>(null);

  // Leaving the page stops reading; the server finishes the reply and stores it anyway.
  useEffect(
    () => () => {
      controller.current?.abort();
    },
    [],
  );

  const send = useCallback(
    async (sessionId: string, content: string): Promise<boolean> => {
      controller.current?.abort();
      const abort = new AbortController();
      controller.current = abort;
      let current: StreamingTurn = {
        sessionId,
        content,
        userMessage: null,
        agents: null,
        reasoning: '',
        parts: [],
        cards: [],
        actions: [],
      };
      setError(null);
      setTurn(current);
      const finish = (failure: unknown, reply?: ChatMessage): boolean => {
        const messages = [current.userMessage, reply].filter((message) => message != null);
        if (messages.length > 0 || current.actions.length > 0) {
          mergeIntoSession(queryClient, businessId, sessionId, {
            messages,
            actions: current.actions,
          });
        }
        // The server's word after the turn: its title (named after the first message), what it
        // stored before a failure.
        void queryClient.invalidateQueries({ queryKey: chatKeys.session(businessId, sessionId) });
        void queryClient.invalidateQueries({ queryKey: chatKeys.sessions(businessId) });
        setError(failure);
        setTurn(null);
        if (controller.current === abort) controller.current = null;
        return failure === null;
      };

      try {
        const response = await api.POST(`${BUSINESS}/chat/sessions/{sessionId}/messages`, {
          params: { path: { businessId, sessionId } },
          body: { content },
          parseAs: 'stream',
          headers: { accept: 'text/event-stream' },
          signal: abort.signal,
        });
        if (!response.response.ok || !response.data) {
          return finish(ApiError.from(response.response, response.error));
        }
        for await (const event of readEvents(response.data as ReadableStream<Uint8Array>)) {
          const data = JSON.parse(event.data) as unknown;
          if (event.event === 'error') {
            return finish(streamError((data as ChatStreamEvents['error']).error));
          }
          if (event.event === 'done') {
            return finish(null, (data as ChatStreamEvents['done']).message);
          }
          current = applyEvent(current, event.event, data);
          setTurn(current);
        }
        return finish(CUT_OFF());
      } catch (failure) {
        if (isAbort(failure) || abort.signal.aborted) return false;
        // A line that is not JSON is a stream cut mid-event; anything else, a lost connection.
        if (failure instanceof SyntaxError) return finish(CUT_OFF());
        if (failure instanceof ApiError || failure instanceof NetworkError) return finish(failure);
        return finish(new NetworkError(failure));
      }
    },
    [api, businessId, queryClient],
  );

  return {
    turn,
    streaming: turn !== null,
    error,
    send,
    dismissError: () => {
      setError(null);
    },
  };
}

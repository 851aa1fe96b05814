// Server state of the chat (TanStack Query), under the business's key prefix: the sessions, one
// session with its messages and actions, confirming or rejecting an action, rating a reply, and
// the learnings the agents recall.
import {
  type QueryClient,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';

import { idempotencyKey } from '../../api/client';
import { useApi } from '../../api/context';
import { agentsApi, BUSINESS, unwrapAs } from './agents-client';
import type {
  ChatAction,
  ChatMessage,
  ChatSession,
  ChatSessionDetail,
  ConfirmedAction,
  Learning,
  Page,
} from './types';

export const chatKeys = {
  all: (businessId: string) => ['business', businessId, 'chat'] as const,
  sessions: (businessId: string) => ['business', businessId, 'chat', 'sessions'] as const,
  session: (businessId: string, sessionId: string) =>
    ['business', businessId, 'chat', 'session', sessionId] as const,
  learnings: (businessId: string) => ['business', businessId, 'chat', 'learnings'] as const,
};

export function useChatSessions(businessId: string) {
  const api = agentsApi(useApi());
  return useInfiniteQuery({
    queryKey: chatKeys.sessions(businessId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrapAs<Page<ChatSession>>(
        api.GET(`${BUSINESS}/chat/sessions`, {
          params: {
            path: { businessId },
            query: { limit: 30, ...(pageParam ? { cursor: pageParam } : {}) },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export function useChatSession(businessId: string, sessionId: string | undefined) {
  const api = agentsApi(useApi());
  return useQuery({
    queryKey: chatKeys.session(businessId, sessionId ?? 'none'),
    enabled: sessionId !== undefined,
    queryFn: ({ signal }) =>
      unwrapAs<ChatSessionDetail>(
        api.GET(`${BUSINESS}/chat/sessions/{sessionId}`, {
          params: { path: { businessId, sessionId: sessionId ?? '' } },
          signal,
        }),
      ),
  });
}

export function useCreateChatSession(businessId: string) {
  const api = agentsApi(useApi());
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (title?: string) =>
      unwrapAs<ChatSession>(
        api.POST(`${BUSINESS}/chat/sessions`, {
          params: { path: { businessId } },
          body: title ? { title } : {},
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: (session) => {
      queryClient.setQueryData<ChatSessionDetail>(chatKeys.session(businessId, session.id), {
        session,
        messages: [],
        actions: [],
      });
      return queryClient.invalidateQueries({ queryKey: chatKeys.sessions(businessId) });
    },
  });
}

export function useDeleteChatSession(businessId: string) {
  const api = agentsApi(useApi());
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) =>
      unwrapAs<undefined>(
        api.DELETE(`${BUSINESS}/chat/sessions/{sessionId}`, {
          params: { path: { businessId, sessionId } },
        }),
      ),
    onSuccess: (_, sessionId) => {
      queryClient.removeQueries({ queryKey: chatKeys.session(businessId, sessionId) });
      return queryClient.invalidateQueries({ queryKey: chatKeys.sessions(businessId) });
    },
  });
}

/** Adds messages and actions the stream (or a confirmation) reported to the cached session. */
export function mergeIntoSession(
  queryClient: QueryClient,
  businessId: string,
  sessionId: string,
  change: { messages?: ChatMessage[]; actions?: ChatAction[] },
): void {
  queryClient.setQueryData<ChatSessionDetail>(chatKeys.session(businessId, sessionId), (old) => {
    if (!old) return old;
    const messages = [...old.messages];
    for (const message of change.messages ?? []) {
      const at = messages.findIndex((known) => known.id === message.id);
      if (at === -1) messages.push(message);
      else messages[at] = message;
    }
    const actions = [...old.actions];
    for (const action of change.actions ?? []) {
      const at = actions.findIndex((known) => known.id === action.id);
      if (at === -1) actions.push(action);
      else actions[at] = action;
    }
    return { ...old, messages, actions };
  });
}

/** Confirms or rejects an action an agent asked for; the confirmation's reply joins the session. */
export function useDecideAction(businessId: string, sessionId: string) {
  const api = agentsApi(useApi());
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: {
      action: ChatAction;
      decision: 'confirm' | 'reject';
    }): Promise<{ action: ChatAction; message?: ChatMessage }> => {
      const { action, decision } = input;
      const call = api.POST(
        `${BUSINESS}/chat/sessions/{sessionId}/messages/{messageId}/${decision}`,
        {
          params: { path: { businessId, sessionId, messageId: action.messageId } },
          body: { actionId: action.id },
        },
      );
      return decision === 'confirm'
        ? unwrapAs<ConfirmedAction>(call)
        : unwrapAs<{ action: ChatAction }>(call);
    },
    // A refetch still in flight from before the decision (the end of the turn asks for one) would
    // land after it and show the action as waiting again: cancel it first.
    onMutate: () =>
      queryClient.cancelQueries({ queryKey: chatKeys.session(businessId, sessionId) }),
    onSuccess: ({ action, message }) => {
      mergeIntoSession(queryClient, businessId, sessionId, {
        actions: [action],
        messages: message ? [message] : [],
      });
    },
    // The server's word afterwards; an expired action answers 409 and shows what it is now.
    onSettled: () =>
      queryClient.invalidateQueries({ queryKey: chatKeys.session(businessId, sessionId) }),
  });
}

/** Thumbs up or down on a reply; `null` takes the rating back. */
export function useRateReply(businessId: string) {
  const api = agentsApi(useApi());
  return useMutation({
    mutationFn: (input: { messageId: string; rating: 1 | -1 | null }) =>
      input.rating === null
        ? unwrapAs<undefined>(
            api.DELETE(`${BUSINESS}/ai/feedback`, {
              params: {
                path: { businessId },
                query: { subjectKind: 'chat_message', subjectId: input.messageId },
              },
            }),
          )
        : unwrapAs<undefined>(
            api.PUT(`${BUSINESS}/ai/feedback`, {
              params: { path: { businessId } },
              body: {
                subjectKind: 'chat_message',
                subjectId: input.messageId,
                rating: input.rating,
              },
            }),
          ),
  });
}

export function useLearnings(businessId: string) {
  const api = agentsApi(useApi());
  return useQuery({
    queryKey: chatKeys.learnings(businessId),
    queryFn: ({ signal }) =>
      unwrapAs<{ items: Learning[] }>(
        api.GET(`${BUSINESS}/chat/learnings`, {
          params: { path: { businessId }, query: { limit: 100 } },
          signal,
        }),
      ),
  });
}

export function useAddLearning(businessId: string) {
  const api = agentsApi(useApi());
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (content: string) =>
      unwrapAs<Learning>(
        api.POST(`${BUSINESS}/chat/learnings`, {
          params: { path: { businessId } },
          body: { content },
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: chatKeys.learnings(businessId) }),
  });
}

export function useDeleteLearning(businessId: string) {
  const api = agentsApi(useApi());
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (learningId: string) =>
      unwrapAs<undefined>(
        api.DELETE(`${BUSINESS}/chat/learnings/{learningId}`, {
          params: { path: { businessId, learningId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: chatKeys.learnings(businessId) }),
  });
}

/** Asks the agents which facts of a conversation are worth remembering; answers what they kept. */
export function useLearnFromSession(businessId: string) {
  const api = agentsApi(useApi());
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) =>
      unwrapAs<{ items: Learning[] }>(
        api.POST(`${BUSINESS}/chat/sessions/{sessionId}/learn`, {
          params: { path: { businessId, sessionId } },
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: chatKeys.learnings(businessId) }),
  });
}

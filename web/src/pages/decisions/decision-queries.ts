// Server state of the decision log (TanStack Query): one row per agent turn, filtered by agent,
// outcome and conversation; one turn with the model calls it made; a model call's transcript.
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';

import { useApi } from '../../api/context';
import { agentsApi, BUSINESS, unwrapAs } from '../chat/agents-client';
import type {
  AgentDecision,
  AgentDecisionDetail,
  CallTranscript,
  DecisionOutcome,
  Page,
} from '../chat/types';

export interface DecisionFilter {
  agent: string;
  outcome: DecisionOutcome | '';
  sessionId: string;
}

export const decisionKeys = {
  list: (businessId: string, filter: DecisionFilter) =>
    ['business', businessId, 'decisions', 'list', filter] as const,
  one: (businessId: string, decisionId: string) =>
    ['business', businessId, 'decisions', decisionId] as const,
  transcript: (businessId: string, callId: string) =>
    ['business', businessId, 'ai-calls', callId, 'transcript'] as const,
};

export function useDecisions(businessId: string, filter: DecisionFilter) {
  const api = agentsApi(useApi());
  return useInfiniteQuery({
    queryKey: decisionKeys.list(businessId, filter),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrapAs<Page<AgentDecision>>(
        api.GET(`${BUSINESS}/chat/decisions`, {
          params: {
            path: { businessId },
            query: {
              limit: 25,
              ...(pageParam ? { cursor: pageParam } : {}),
              ...(filter.agent.trim() ? { agent: filter.agent.trim() } : {}),
              ...(filter.outcome ? { outcome: filter.outcome } : {}),
              ...(filter.sessionId ? { sessionId: filter.sessionId } : {}),
            },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useDecision(businessId: string, decisionId: string) {
  const api = agentsApi(useApi());
  return useQuery({
    queryKey: decisionKeys.one(businessId, decisionId),
    queryFn: ({ signal }) =>
      unwrapAs<AgentDecisionDetail>(
        api.GET(`${BUSINESS}/chat/decisions/{decisionId}`, {
          params: { path: { businessId, decisionId } },
          signal,
        }),
      ),
  });
}

/** A model call's prompt and response, fetched when the reader opens it. */
export function useTranscript(businessId: string, callId: string, enabled: boolean) {
  const api = agentsApi(useApi());
  return useQuery({
    queryKey: decisionKeys.transcript(businessId, callId),
    enabled,
    staleTime: Infinity,
    queryFn: ({ signal }) =>
      unwrapAs<CallTranscript>(
        api.GET(`${BUSINESS}/ai/calls/{callId}/transcript`, {
          params: { path: { businessId, callId } },
          signal,
        }),
      ),
  });
}

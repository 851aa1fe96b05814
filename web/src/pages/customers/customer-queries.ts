// Server state of customer profiles (TanStack Query): the filtered list, one profile, its
// timeline and orders, the privacy requests (export job, erasure) and questions in plain words.
import type { ChurnTierName, RfmSegment } from '@shared/scores';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';

export type CustomerSummary = Awaited<ReturnType<typeof listPage>>['items'][number];

export interface CustomerFilter {
  search: string;
  hasOrders: '' | 'true' | 'false';
  /** Days: seen within the last N days; 0 for any time. */
  seenWithinDays: number;
  /** Scores of the latest intelligence run; '' for any. */
  rfmSegment: '' | RfmSegment;
  churnTier: '' | ChurnTierName;
  /** Percent: CLV in the top N % of the base; 0 for any. */
  clvTop: number;
}

export const customerKeys = {
  all: (businessId: string) => ['business', businessId, 'customers'] as const,
  list: (businessId: string, filter: CustomerFilter) =>
    ['business', businessId, 'customers', 'list', filter] as const,
  one: (businessId: string, customerId: string) =>
    ['business', businessId, 'customers', 'one', customerId] as const,
  events: (businessId: string, customerId: string) =>
    ['business', businessId, 'customers', 'events', customerId] as const,
};

type Api = ReturnType<typeof useApi>;

function listPage(
  api: Api,
  businessId: string,
  filter: CustomerFilter,
  cursor: string | undefined,
  signal: AbortSignal,
) {
  const since =
    filter.seenWithinDays > 0
      ? new Date(Date.now() - filter.seenWithinDays * 86_400_000).toISOString()
      : undefined;
  return unwrap(
    api.GET('/api/v1/businesses/{businessId}/customers', {
      params: {
        path: { businessId },
        query: {
          limit: 25,
          ...(cursor ? { cursor } : {}),
          ...(filter.search.trim() ? { search: filter.search.trim() } : {}),
          ...(filter.hasOrders ? { hasOrders: filter.hasOrders } : {}),
          ...(since ? { lastSeenAfter: since } : {}),
          ...(filter.rfmSegment ? { rfmSegment: filter.rfmSegment } : {}),
          ...(filter.churnTier ? { churnTier: filter.churnTier } : {}),
          ...(filter.clvTop > 0 ? { minClvPercentile: 100 - filter.clvTop } : {}),
        },
      },
      signal,
    }),
  );
}

export function useCustomers(businessId: string, filter: CustomerFilter) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: customerKeys.list(businessId, filter),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => listPage(api, businessId, filter, pageParam, signal),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

function getCustomer(api: Api, businessId: string, customerId: string, signal: AbortSignal) {
  return unwrap(
    api.GET('/api/v1/businesses/{businessId}/customers/{customerId}', {
      params: { path: { businessId, customerId } },
      signal,
    }),
  );
}
export type CustomerDetail = Awaited<ReturnType<typeof getCustomer>>;

export function useCustomer(businessId: string, customerId: string) {
  const api = useApi();
  return useQuery({
    queryKey: customerKeys.one(businessId, customerId),
    queryFn: ({ signal }) => getCustomer(api, businessId, customerId, signal),
  });
}

export function useCustomerEvents(businessId: string, customerId: string) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: customerKeys.events(businessId, customerId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/customers/{customerId}/events', {
          params: {
            path: { businessId, customerId },
            query: { limit: 25, ...(pageParam ? { cursor: pageParam } : {}) },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export function useStartExport(businessId: string, customerId: string) {
  const api = useApi();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/customers/{customerId}/export', {
          params: { path: { businessId, customerId } },
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
  });
}

/**
 * Erases the customer. The caller leaves the profile first, then calls `forget` (the profile's
 * own queries would answer 404 while it is still shown).
 */
export function useDeleteCustomer(businessId: string, customerId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (suppress: boolean) =>
      unwrap(
        api.DELETE('/api/v1/businesses/{businessId}/customers/{customerId}', {
          params: {
            path: { businessId, customerId },
            query: { suppress: suppress ? 'true' : 'false' },
          },
        }),
      ),
  });
  return {
    ...mutation,
    forget() {
      queryClient.removeQueries({ queryKey: customerKeys.one(businessId, customerId) });
      queryClient.removeQueries({ queryKey: customerKeys.events(businessId, customerId) });
      void queryClient.invalidateQueries({ queryKey: customerKeys.all(businessId) });
    },
  };
}

function askQuestion(api: Api, businessId: string, question: string) {
  return unwrap(
    api.POST('/api/v1/businesses/{businessId}/customers/questions', {
      params: { path: { businessId } },
      body: { question },
    }),
  );
}
export type QuestionAnswer = Awaited<ReturnType<typeof askQuestion>>;

/** "Ask about your customers": the question's rule, count, summary and first page. */
export function useAskQuestion(businessId: string) {
  const api = useApi();
  return useMutation({
    mutationFn: (question: string) => askQuestion(api, businessId, question),
  });
}

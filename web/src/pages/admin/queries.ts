// The instance administrator's API: the overview, every user (disable, make admin) and every
// business (AI spend, daily budget). Typed by the contract until the generated schema has it.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { useApi } from '../../api/context';
import { loose, type RegistrationMode } from '../../api/queries';

export interface AdminOverview {
  users: number;
  businesses: number;
  jobs: { queued: number; running: number; failedLast24h: number };
  aiSpendTodayUsd: number;
  registration: RegistrationMode;
}

export interface AdminUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  disabledAt: string | null;
  createdAt: string;
  businessCount: number;
}

export interface AdminBusiness {
  id: string;
  name: string;
  ownerEmail: string | null;
  memberCount: number;
  aiDailyBudgetUsd: number | null;
  aiSpendTodayUsd: number;
  aiSpend30dUsd: number;
  createdAt: string;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const adminKeys = {
  overview: ['admin', 'overview'] as const,
  users: ['admin', 'users'] as const,
  businesses: ['admin', 'businesses'] as const,
};

const PAGE_SIZE = 50;

export function useAdminOverview() {
  const api = useApi();
  return useQuery({
    queryKey: adminKeys.overview,
    queryFn: ({ signal }) => loose<AdminOverview>(api, 'GET', '/api/v1/admin/overview', { signal }),
    retry: false,
  });
}

function usePaged<T>(key: readonly string[], url: string, enabled: boolean) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: key,
    enabled,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      loose<Page<T>>(api, 'GET', url, {
        params: { query: { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } },
        signal,
      }),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export function useAdminUsers(enabled: boolean) {
  return usePaged<AdminUser>(adminKeys.users, '/api/v1/admin/users', enabled);
}

export function useAdminBusinesses(enabled: boolean) {
  return usePaged<AdminBusiness>(adminKeys.businesses, '/api/v1/admin/businesses', enabled);
}

export function useUpdateUser() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; disabled?: boolean; isAdmin?: boolean }) => {
      const { id, ...body } = input;
      return loose<AdminUser>(api, 'PATCH', '/api/v1/admin/users/{userId}', {
        params: { path: { userId: id } },
        body,
      });
    },
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.users }),
        queryClient.invalidateQueries({ queryKey: adminKeys.overview }),
      ]),
  });
}

export function useUpdateBudget() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; aiDailyBudgetUsd: number | null }) =>
      loose<AdminBusiness>(api, 'PATCH', '/api/v1/admin/businesses/{businessId}', {
        params: { path: { businessId: input.id } },
        body: { aiDailyBudgetUsd: input.aiDailyBudgetUsd },
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.businesses }),
  });
}

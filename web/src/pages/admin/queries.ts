// The instance administrator's API: the overview, every user (disable, make admin) and every
// business (AI spend, daily budget).
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import type { components } from '../../api/schema';

export type AdminOverview = components['schemas']['AdminOverview'];
export type AdminUser = components['schemas']['AdminUser'];
export type AdminBusiness = components['schemas']['AdminBusiness'];

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
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/admin/overview', { signal })),
    retry: false,
  });
}

const pageQuery = (cursor: string | undefined) => ({
  limit: PAGE_SIZE,
  ...(cursor ? { cursor } : {}),
});

export function useAdminUsers() {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: adminKeys.users,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(api.GET('/api/v1/admin/users', { params: { query: pageQuery(pageParam) }, signal })),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export function useAdminBusinesses() {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: adminKeys.businesses,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/admin/businesses', { params: { query: pageQuery(pageParam) }, signal }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export function useUpdateUser() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; disabled?: boolean; isAdmin?: boolean }) => {
      const { id, ...body } = input;
      return unwrap(
        api.PATCH('/api/v1/admin/users/{userId}', { params: { path: { userId: id } }, body }),
      );
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
      unwrap(
        api.PATCH('/api/v1/admin/businesses/{businessId}', {
          params: { path: { businessId: input.id } },
          body: { aiDailyBudgetUsd: input.aiDailyBudgetUsd },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.businesses }),
  });
}

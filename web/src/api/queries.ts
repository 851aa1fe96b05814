// Server state, through TanStack Query. Keys are grouped by business so switching business or
// signing out drops exactly what belongs to it; later modules (campaigns, content, analytics)
// add their keys under the same business prefix.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { idempotencyKey, unwrap } from './client';
import { useApi } from './context';
import type { components } from './schema';

export type Business = components['schemas']['Business'];
export type Job = components['schemas']['Job'];
export type CreateBusinessInput = NonNullable<
  import('./schema').paths['/api/v1/businesses']['post']['requestBody']
>['content']['application/json'];
export type UpdateBusinessInput = NonNullable<
  import('./schema').paths['/api/v1/businesses/{businessId}']['patch']['requestBody']
>['content']['application/json'];

export const keys = {
  me: ['me'] as const,
  businesses: ['businesses'] as const,
  business: (businessId: string) => ['business', businessId] as const,
  jobs: (businessId: string) => ['business', businessId, 'jobs'] as const,
  job: (jobId: string) => ['job', jobId] as const,
  usage: (businessId: string, from: string, to: string) =>
    ['business', businessId, 'ai-usage', from, to] as const,
  outbox: (businessId: string) => ['business', businessId, 'outbox'] as const,
  // Added by their issues: campaigns, content and analytics live under ['business', id, …].
  campaigns: (businessId: string) => ['business', businessId, 'campaigns'] as const,
  content: (businessId: string) => ['business', businessId, 'content'] as const,
  analytics: (businessId: string) => ['business', businessId, 'analytics'] as const,
};

export function useBusinesses() {
  const api = useApi();
  return useQuery({
    queryKey: keys.businesses,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/businesses', { params: { query: { limit: 100 } }, signal })),
  });
}

export function useBusiness(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.business(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}', { params: { path: { businessId } }, signal }),
      ),
  });
}

export function useCreateBusiness() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateBusinessInput) =>
      unwrap(
        api.POST('/api/v1/businesses', {
          body: input,
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: (business) => {
      queryClient.setQueryData(keys.business(business.id), business);
      return queryClient.invalidateQueries({ queryKey: keys.businesses });
    },
  });
}

export function updateBusiness(
  api: ReturnType<typeof useApi>,
  businessId: string,
  body: UpdateBusinessInput,
): Promise<Business> {
  return unwrap(
    api.PATCH('/api/v1/businesses/{businessId}', { params: { path: { businessId } }, body }),
  );
}

export function useUpdateBusiness(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateBusinessInput) => updateBusiness(api, businessId, body),
    onSuccess: (business) => {
      queryClient.setQueryData(keys.business(businessId), business);
      return queryClient.invalidateQueries({ queryKey: keys.businesses });
    },
  });
}

export function useJobs(businessId: string, options: { live?: boolean } = {}) {
  const api = useApi();
  return useQuery({
    queryKey: keys.jobs(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/jobs', {
          params: { path: { businessId }, query: { limit: 50 } },
          signal,
        }),
      ),
    // While something runs, keep the list moving; otherwise it is refreshed on focus.
    refetchInterval: (query) =>
      options.live && query.state.data?.items.some((job) => !isFinished(job)) ? 2_000 : false,
  });
}

export function isFinished(job: Pick<Job, 'status'>): boolean {
  return job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled';
}

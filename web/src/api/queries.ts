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

// ---- Teams: members, invitations, the signed-in user, registration (issue #15) ----

export type Role = Business['role'];
export type Member = components['schemas']['Member'];
export type Invitation = components['schemas']['Invitation'];
export type InvitationStatus = Invitation['status'];
export type AcceptedInvitation = components['schemas']['AcceptedInvitation'];

export type RegistrationMode = components['schemas']['Registration']['mode'];

export const teamKeys = {
  members: (businessId: string) => ['business', businessId, 'members'] as const,
  invitations: (businessId: string) => ['business', businessId, 'invitations'] as const,
  myInvitations: ['my-invitations'] as const,
  invitation: (token: string) => ['invitation', token] as const,
  registration: ['registration'] as const,
};

export function useMe() {
  const api = useApi();
  return useQuery({
    queryKey: keys.me,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/auth/me', { signal })),
    staleTime: 60_000,
  });
}

export function useMembers(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: teamKeys.members(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/members', {
          params: { path: { businessId } },
          signal,
        }),
      ),
  });
}

export function useUpdateMember(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { userId: string; role?: Role; approver?: boolean }) =>
      unwrap(
        api.PATCH('/api/v1/businesses/{businessId}/members/{userId}', {
          params: { path: { businessId, userId: input.userId } },
          body: {
            ...(input.role ? { role: input.role } : {}),
            ...(input.approver === undefined ? {} : { approver: input.approver }),
          },
        }),
      ),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: teamKeys.members(businessId) }),
        // Your own role may have changed: what the pages show depends on it.
        queryClient.invalidateQueries({ queryKey: keys.business(businessId), exact: true }),
        queryClient.invalidateQueries({ queryKey: keys.businesses }),
      ]),
  });
}

export function useRemoveMember(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(
        api.DELETE('/api/v1/businesses/{businessId}/members/{userId}', {
          params: { path: { businessId, userId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamKeys.members(businessId) }),
  });
}

export function useInvitations(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: teamKeys.invitations(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/invitations', {
          params: { path: { businessId }, query: { limit: 100 } },
          signal,
        }),
      ),
  });
}

export function useInvite(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; role: Role; approver: boolean }) =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/invitations', {
          params: { path: { businessId } },
          body: input,
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamKeys.invitations(businessId) }),
  });
}

export function useRevokeInvitation(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(
        api.DELETE('/api/v1/businesses/{businessId}/invitations/{invitationId}', {
          params: { path: { businessId, invitationId } },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: teamKeys.invitations(businessId) }),
  });
}

/** Invitations waiting for the signed-in user, in any business. */
export function useMyInvitations() {
  const api = useApi();
  return useQuery({
    queryKey: teamKeys.myInvitations,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/invitations', { signal })),
    staleTime: 60_000,
    retry: false,
  });
}

export function useInvitation(token: string) {
  const api = useApi();
  return useQuery({
    queryKey: teamKeys.invitation(token),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/invitations/{token}', { params: { path: { token } }, signal })),
    retry: false,
  });
}

export function useAnswerInvitation(token: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return {
    accept: useMutation({
      mutationFn: () =>
        unwrap(api.POST('/api/v1/invitations/{token}/accept', { params: { path: { token } } })),
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: keys.businesses }),
          queryClient.invalidateQueries({ queryKey: teamKeys.myInvitations }),
        ]),
    }),
    decline: useMutation({
      mutationFn: () =>
        unwrap(api.POST('/api/v1/invitations/{token}/decline', { params: { path: { token } } })),
      onSuccess: () => queryClient.invalidateQueries({ queryKey: teamKeys.myInvitations }),
    }),
  };
}

/** Whether anyone may sign up here (`REGISTRATION`), asked before showing the sign-up form. */
export function useRegistrationMode() {
  const api = useApi();
  return useQuery({
    queryKey: teamKeys.registration,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/auth/registration', { signal })),
    retry: false,
    staleTime: 300_000,
  });
}

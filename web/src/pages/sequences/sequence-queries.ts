// Server state of email sequences (TanStack Query), kept under the business's key prefix so a
// business switch or a sign-out drops it with everything else of that business.
import type { Permission } from '@shared/permissions';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import type { components, paths } from '../../api/schema';
import { useOptimisticMutation } from '../../state/optimistic';
import type { StepPayload } from './step-form';

export type Sequence = components['schemas']['Sequence'];
export type SequenceSummary = components['schemas']['SequenceSummary'];
export type SequenceStatus = Sequence['status'];
export type SequenceAnalytics = components['schemas']['SequenceAnalytics'];
export type RenderedEmail = components['schemas']['RenderedEmail'];
export type EnrollBody = NonNullable<
  paths['/api/v1/businesses/{businessId}/sequences/{sequenceId}/enrollments']['post']['requestBody']
>['content']['application/json'];
export type GenerateSequenceBody = NonNullable<
  paths['/api/v1/businesses/{businessId}/sequences/generate']['post']['requestBody']
>['content']['application/json'];

export const sequenceKeys = {
  all: (businessId: string) => ['business', businessId, 'sequences'] as const,
  list: (businessId: string) => ['business', businessId, 'sequences', 'list'] as const,
  one: (businessId: string, sequenceId: string) =>
    ['business', businessId, 'sequences', sequenceId] as const,
  enrollments: (businessId: string, sequenceId: string) =>
    ['business', businessId, 'sequences', sequenceId, 'enrollments'] as const,
  analytics: (businessId: string, sequenceId: string, days: number) =>
    ['business', businessId, 'sequences', sequenceId, 'analytics', days] as const,
};

export type SequenceAction = 'activate' | 'pause' | 'resume' | 'archive';

/** What each status change does, and the status it leads to. */
export const ACTIONS: Record<
  SequenceAction,
  { label: string; to: SequenceStatus; from: SequenceStatus[] }
> = {
  activate: { label: 'Activate', to: 'active', from: ['draft'] },
  pause: { label: 'Pause', to: 'paused', from: ['active'] },
  resume: { label: 'Resume', to: 'active', from: ['paused'] },
  archive: { label: 'Archive', to: 'archived', from: ['draft', 'active', 'paused'] },
};

/**
 * The status changes offered from `status`. With `permissions`, only those the member may make:
 * starting to send (activate, resume) is for approvers, pausing and archiving for editors.
 */
export function actionsFor(
  status: SequenceStatus,
  permissions?: readonly Permission[],
): SequenceAction[] {
  return (Object.keys(ACTIONS) as SequenceAction[]).filter(
    (action) =>
      ACTIONS[action].from.includes(status) &&
      (!permissions ||
        permissions.includes(
          ACTIONS[action].to === 'active' ? 'content.approve' : 'content.write',
        )),
  );
}

export function useSequences(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: sequenceKeys.list(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/sequences', {
          params: { path: { businessId }, query: { limit: 100 } },
          signal,
        }),
      ),
  });
}

export function useSequence(businessId: string, sequenceId: string) {
  const api = useApi();
  return useQuery({
    queryKey: sequenceKeys.one(businessId, sequenceId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/sequences/{sequenceId}', {
          params: { path: { businessId, sequenceId } },
          signal,
        }),
      ),
  });
}

export function useCreateSequence(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/sequences', {
          params: { path: { businessId } },
          body: { name },
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: (sequence) => {
      queryClient.setQueryData(sequenceKeys.one(businessId, sequence.id), sequence);
      return queryClient.invalidateQueries({ queryKey: sequenceKeys.list(businessId) });
    },
  });
}

export function useRenameSequence(businessId: string, sequenceId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(
        api.PATCH('/api/v1/businesses/{businessId}/sequences/{sequenceId}', {
          params: { path: { businessId, sequenceId } },
          body: { name },
        }),
      ),
    onSuccess: (sequence) => {
      queryClient.setQueryData(sequenceKeys.one(businessId, sequenceId), sequence);
      return queryClient.invalidateQueries({ queryKey: sequenceKeys.list(businessId) });
    },
  });
}

/** Activate, pause, resume, archive: the badge changes at once and goes back on a refusal. */
export function useSequenceAction(businessId: string, sequenceId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useOptimisticMutation<Sequence, SequenceAction>({
    queryKey: sequenceKeys.one(businessId, sequenceId),
    mutationFn: async (action) => {
      const params = { path: { businessId, sequenceId } };
      const sequence = await unwrap(
        action === 'activate'
          ? api.POST('/api/v1/businesses/{businessId}/sequences/{sequenceId}/activate', { params })
          : action === 'pause'
            ? api.POST('/api/v1/businesses/{businessId}/sequences/{sequenceId}/pause', { params })
            : action === 'resume'
              ? api.POST('/api/v1/businesses/{businessId}/sequences/{sequenceId}/resume', {
                  params,
                })
              : api.POST('/api/v1/businesses/{businessId}/sequences/{sequenceId}/archive', {
                  params,
                }),
      );
      void queryClient.invalidateQueries({ queryKey: sequenceKeys.list(businessId) });
      return sequence;
    },
    apply: (current, action) => ({ ...current, status: ACTIONS[action].to }),
  });
}

export function useSaveStep(businessId: string, sequenceId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ stepId, payload }: { stepId: string | null; payload: StepPayload }) =>
      stepId
        ? unwrap(
            api.PATCH('/api/v1/businesses/{businessId}/sequences/{sequenceId}/steps/{stepId}', {
              params: { path: { businessId, sequenceId, stepId } },
              body: payload,
            }),
          )
        : unwrap(
            api.POST('/api/v1/businesses/{businessId}/sequences/{sequenceId}/steps', {
              params: { path: { businessId, sequenceId } },
              body: payload,
              headers: { 'idempotency-key': idempotencyKey() },
            }),
          ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sequenceKeys.all(businessId) }),
  });
}

export function useRemoveStep(businessId: string, sequenceId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (stepId: string) =>
      unwrap(
        api.DELETE('/api/v1/businesses/{businessId}/sequences/{sequenceId}/steps/{stepId}', {
          params: { path: { businessId, sequenceId, stepId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sequenceKeys.all(businessId) }),
  });
}

export function useEnroll(businessId: string, sequenceId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: EnrollBody) =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/sequences/{sequenceId}/enrollments', {
          params: { path: { businessId, sequenceId } },
          body,
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sequenceKeys.all(businessId) }),
  });
}

export function useEnrollments(businessId: string, sequenceId: string) {
  const api = useApi();
  return useQuery({
    queryKey: sequenceKeys.enrollments(businessId, sequenceId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/sequences/{sequenceId}/enrollments', {
          params: { path: { businessId, sequenceId }, query: { limit: 20 } },
          signal,
        }),
      ),
  });
}

export function useSequenceAnalytics(businessId: string, sequenceId: string, days: number) {
  const api = useApi();
  return useQuery({
    queryKey: sequenceKeys.analytics(businessId, sequenceId, days),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/sequences/{sequenceId}/analytics', {
          params: { path: { businessId, sequenceId }, query: { days } },
          signal,
        }),
      ),
  });
}

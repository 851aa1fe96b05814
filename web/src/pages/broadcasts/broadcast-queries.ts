// Server state of broadcasts and email templates (TanStack Query), under the business's key
// prefix so a business switch or a sign-out drops it with everything else of that business.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import type { components, paths } from '../../api/schema';

export type Broadcast = components['schemas']['Broadcast'];
export type BroadcastAnalytics = components['schemas']['BroadcastAnalytics'];
export type EmailTemplate = components['schemas']['EmailTemplate'];
export type CreateBroadcastBody = NonNullable<
  paths['/api/v1/businesses/{businessId}/broadcasts']['post']['requestBody']
>['content']['application/json'];
export type CreateTemplateBody = NonNullable<
  paths['/api/v1/businesses/{businessId}/templates']['post']['requestBody']
>['content']['application/json'];
export type UpdateTemplateBody = NonNullable<
  paths['/api/v1/businesses/{businessId}/templates/{templateId}']['patch']['requestBody']
>['content']['application/json'];
export type TemplatePreviewBody = NonNullable<
  paths['/api/v1/businesses/{businessId}/templates/preview']['post']['requestBody']
>['content']['application/json'];

export const broadcastKeys = {
  all: (businessId: string) => ['business', businessId, 'broadcasts'] as const,
  one: (businessId: string, id: string) => ['business', businessId, 'broadcasts', id] as const,
  analytics: (businessId: string, id: string) =>
    ['business', businessId, 'broadcasts', id, 'analytics'] as const,
  audiences: (businessId: string) => ['business', businessId, 'broadcasts', 'audiences'] as const,
  templates: (businessId: string) => ['business', businessId, 'templates'] as const,
  template: (businessId: string, id: string) => ['business', businessId, 'templates', id] as const,
};

const ACTIVE = new Set(['scheduled', 'sending']);

export function useBroadcasts(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: broadcastKeys.all(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/broadcasts', {
          params: { path: { businessId }, query: { limit: 100 } },
          signal,
        }),
      ),
    // Progress moves while a broadcast sends.
    refetchInterval: (query) =>
      query.state.data?.items.some((item) => ACTIVE.has(item.status)) ? 5000 : false,
  });
}

export function useBroadcast(businessId: string, broadcastId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: broadcastKeys.one(businessId, broadcastId ?? 'new'),
    enabled: broadcastId !== undefined,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/broadcasts/{broadcastId}', {
          params: { path: { businessId, broadcastId: broadcastId ?? '' } },
          signal,
        }),
      ),
    refetchInterval: (query) => (ACTIVE.has(query.state.data?.status ?? '') ? 5000 : false),
  });
}

export function useBroadcastAnalytics(businessId: string, broadcastId: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: broadcastKeys.analytics(businessId, broadcastId),
    enabled,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/broadcasts/{broadcastId}/analytics', {
          params: { path: { businessId, broadcastId } },
          signal,
        }),
      ),
    refetchInterval: 10_000,
  });
}

export function useAudiences(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: broadcastKeys.audiences(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/broadcasts/audiences', {
          params: { path: { businessId } },
          signal,
        }),
      ),
  });
}

export function useTemplates(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: broadcastKeys.templates(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/templates', {
          params: { path: { businessId }, query: { limit: 100 } },
          signal,
        }),
      ),
  });
}

export function useTemplate(businessId: string, templateId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: broadcastKeys.template(businessId, templateId ?? 'new'),
    enabled: templateId !== undefined,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/templates/{templateId}', {
          params: { path: { businessId, templateId: templateId ?? '' } },
          signal,
        }),
      ),
  });
}

export function useSaveTemplate(businessId: string, templateId: string | undefined) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateTemplateBody) =>
      unwrap(
        templateId === undefined
          ? api.POST('/api/v1/businesses/{businessId}/templates', {
              params: { path: { businessId } },
              body,
              headers: { 'idempotency-key': idempotencyKey() },
            })
          : api.PATCH('/api/v1/businesses/{businessId}/templates/{templateId}', {
              params: { path: { businessId, templateId } },
              body: {
                name: body.name,
                subject: body.subject,
                preheader: body.preheader,
                text: body.text,
                ...(body.markdown === undefined
                  ? { html: body.html ?? '', markdown: null }
                  : { markdown: body.markdown }),
              },
            }),
      ),
    onSuccess: (template) => {
      queryClient.setQueryData(broadcastKeys.template(businessId, template.id), template);
      return queryClient.invalidateQueries({ queryKey: broadcastKeys.templates(businessId) });
    },
  });
}

export function useDeleteTemplate(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (templateId: string) =>
      unwrap(
        api.DELETE('/api/v1/businesses/{businessId}/templates/{templateId}', {
          params: { path: { businessId, templateId } },
        }),
      ),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: broadcastKeys.templates(businessId) }),
  });
}

export function usePreviewTemplate(businessId: string) {
  const api = useApi();
  return useMutation({
    mutationFn: (body: TemplatePreviewBody) =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/templates/preview', {
          params: { path: { businessId } },
          body,
        }),
      ),
  });
}

export function useSaveBroadcast(businessId: string, broadcastId: string | undefined) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateBroadcastBody) =>
      unwrap(
        broadcastId === undefined
          ? api.POST('/api/v1/businesses/{businessId}/broadcasts', {
              params: { path: { businessId } },
              body,
              headers: { 'idempotency-key': idempotencyKey() },
            })
          : api.PATCH('/api/v1/businesses/{businessId}/broadcasts/{broadcastId}', {
              params: { path: { businessId, broadcastId } },
              body: {
                name: body.name,
                variants: body.variants,
                audience: body.audience,
                abTest: body.abTest,
              },
            }),
      ),
    onSuccess: (broadcast) => {
      queryClient.setQueryData(broadcastKeys.one(businessId, broadcast.id), broadcast);
      return queryClient.invalidateQueries({ queryKey: broadcastKeys.all(businessId) });
    },
  });
}

type BroadcastAction =
  | { kind: 'schedule'; at?: string; localTime: boolean }
  | { kind: 'cancel' }
  | { kind: 'winner'; variant: 'A' | 'B' | 'C' | 'D' };

export function useBroadcastAction(businessId: string, broadcastId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (action: BroadcastAction) => {
      const params = { path: { businessId, broadcastId } };
      if (action.kind === 'schedule')
        return unwrap(
          api.POST('/api/v1/businesses/{businessId}/broadcasts/{broadcastId}/schedule', {
            params,
            body: { localTime: action.localTime, ...(action.at ? { at: action.at } : {}) },
          }),
        );
      if (action.kind === 'cancel')
        return unwrap(
          api.POST('/api/v1/businesses/{businessId}/broadcasts/{broadcastId}/cancel', { params }),
        );
      return unwrap(
        api.POST('/api/v1/businesses/{businessId}/broadcasts/{broadcastId}/winner', {
          params,
          body: { variant: action.variant },
        }),
      );
    },
    onSuccess: (broadcast) => {
      queryClient.setQueryData(broadcastKeys.one(businessId, broadcastId), broadcast);
      void queryClient.invalidateQueries({
        queryKey: broadcastKeys.analytics(businessId, broadcastId),
      });
      return queryClient.invalidateQueries({ queryKey: broadcastKeys.all(businessId) });
    },
  });
}

export function useTestSend(businessId: string, broadcastId: string) {
  const api = useApi();
  return useMutation({
    mutationFn: (body: { to: string; variant: 'A' | 'B' | 'C' | 'D' }) =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/broadcasts/{broadcastId}/test', {
          params: { path: { businessId, broadcastId } },
          body,
        }),
      ),
  });
}

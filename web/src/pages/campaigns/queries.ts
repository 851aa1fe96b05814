// Server state of campaigns and the content studio: query keys under the business prefix of
// api/queries.ts, the reads each page needs, and the types the pages share.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { keys } from '../../api/queries';
import type { components, paths } from '../../api/schema';

export type Campaign = components['schemas']['Campaign'];
export type Content = components['schemas']['Content'];
export type ContentStatus = components['schemas']['ContentStatus'];
export type ContentVersion = components['schemas']['ContentVersion'];
export type StrategyVersion = components['schemas']['StrategyVersion'];
export type Strategy = components['schemas']['Strategy'];
export type PublishAttempt = components['schemas']['PublishAttempt'];
export type CampaignAnalytics = components['schemas']['CampaignAnalytics'];
export type Platform = components['schemas']['Platform'];
export type PublishChannel = components['schemas']['PublishChannel'];
export type CampaignProgress = components['schemas']['CampaignProgress'];
export type CreateCampaignInput = NonNullable<
  paths['/api/v1/businesses/{businessId}/campaigns']['post']['requestBody']
>['content']['application/json'];
export type UpdateCampaignInput = NonNullable<
  paths['/api/v1/businesses/{businessId}/campaigns/{campaignId}']['patch']['requestBody']
>['content']['application/json'];

export const STRATEGY_JOB = 'ai.campaign-strategy';
export const CONTENT_JOB = 'ai.content-piece';

export const campaignKeys = {
  all: (businessId: string) => keys.campaigns(businessId),
  one: (businessId: string, campaignId: string) =>
    [...keys.campaigns(businessId), campaignId] as const,
  strategies: (businessId: string, campaignId: string) =>
    [...keys.campaigns(businessId), campaignId, 'strategies'] as const,
  analytics: (businessId: string, campaignId: string) =>
    [...keys.analytics(businessId), 'campaign', campaignId] as const,
  contentOf: (businessId: string, campaignId: string) =>
    [...keys.content(businessId), 'campaign', campaignId] as const,
  content: (businessId: string, contentId: string) =>
    [...keys.content(businessId), contentId] as const,
  versions: (businessId: string, contentId: string) =>
    [...keys.content(businessId), contentId, 'versions'] as const,
  attempts: (businessId: string, contentId: string) =>
    [...keys.content(businessId), contentId, 'attempts'] as const,
};

export function useCampaigns(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: campaignKeys.all(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/campaigns', {
          params: { path: { businessId }, query: { limit: 100 } },
          signal,
        }),
      ),
  });
}

export function useCampaign(businessId: string, campaignId: string) {
  const api = useApi();
  return useQuery({
    queryKey: campaignKeys.one(businessId, campaignId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/campaigns/{campaignId}', {
          params: { path: { businessId, campaignId } },
          signal,
        }),
      ),
  });
}

export function useCreateCampaign(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateCampaignInput) =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/campaigns', {
          params: { path: { businessId } },
          body,
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: (campaign) => {
      queryClient.setQueryData(campaignKeys.one(businessId, campaign.id), campaign);
      return queryClient.invalidateQueries({ queryKey: campaignKeys.all(businessId), exact: true });
    },
  });
}

export function useUpdateCampaign(businessId: string, campaignId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateCampaignInput) =>
      unwrap(
        api.PATCH('/api/v1/businesses/{businessId}/campaigns/{campaignId}', {
          params: { path: { businessId, campaignId } },
          body,
        }),
      ),
    onSuccess: (campaign) => {
      queryClient.setQueryData(campaignKeys.one(businessId, campaignId), campaign);
      return queryClient.invalidateQueries({ queryKey: campaignKeys.all(businessId), exact: true });
    },
  });
}

export function useStrategies(businessId: string, campaignId: string) {
  const api = useApi();
  return useQuery({
    queryKey: campaignKeys.strategies(businessId, campaignId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/campaigns/{campaignId}/strategies', {
          params: { path: { businessId, campaignId } },
          signal,
        }),
      ),
  });
}

/** Every piece of a campaign (placeholders included), up to the 150 a strategy can plan. */
export function useCampaignContent(businessId: string, campaignId: string) {
  const api = useApi();
  return useQuery({
    queryKey: campaignKeys.contentOf(businessId, campaignId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/contents', {
          params: { path: { businessId }, query: { campaignId, limit: 200 } },
          signal,
        }),
      ),
    // While something waits to be published, keep the calendar's statuses moving.
    refetchInterval: (query) =>
      query.state.data?.items.some((content) => content.status === 'scheduled') ? 5_000 : false,
  });
}

export function useContent(businessId: string, contentId: string) {
  const api = useApi();
  return useQuery({
    queryKey: campaignKeys.content(businessId, contentId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/contents/{contentId}', {
          params: { path: { businessId, contentId } },
          signal,
        }),
      ),
    // A scheduled piece is published by the worker: watch for it while the page is open.
    refetchInterval: (query) => (query.state.data?.status === 'scheduled' ? 3_000 : false),
  });
}

export function useContentVersions(businessId: string, contentId: string) {
  const api = useApi();
  return useQuery({
    queryKey: campaignKeys.versions(businessId, contentId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/contents/{contentId}/versions', {
          params: { path: { businessId, contentId } },
          signal,
        }),
      ),
  });
}

/** The publishing history; while the piece waits to be published it is checked every 3 s. */
export function usePublishAttempts(businessId: string, contentId: string, waiting: boolean) {
  const api = useApi();
  const query = useQuery({
    queryKey: campaignKeys.attempts(businessId, contentId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/contents/{contentId}/attempts', {
          params: { path: { businessId, contentId } },
          signal,
        }),
      ),
    refetchInterval: waiting ? 3_000 : false,
  });
  // The piece's own poll may see it published before this one has fetched the attempt that
  // published it: one more fetch when the wait ends, or the history would stay empty.
  const { refetch } = query;
  const wasWaiting = useRef(waiting);
  useEffect(() => {
    if (wasWaiting.current && !waiting) void refetch();
    wasWaiting.current = waiting;
  }, [waiting, refetch]);
  return query;
}

export function useCampaignAnalytics(businessId: string, campaignId: string) {
  const api = useApi();
  return useQuery({
    queryKey: campaignKeys.analytics(businessId, campaignId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/campaigns/{campaignId}/analytics', {
          params: { path: { businessId, campaignId } },
          signal,
        }),
      ),
  });
}

export const PLATFORM_LABELS: Record<Platform, string> = {
  x: 'X',
  linkedin: 'LinkedIn',
  instagram: 'Instagram',
  facebook: 'Facebook',
  email: 'Email',
  blog: 'Blog',
  search_ads: 'Search ads',
};

export const platformLabel = (platform: string) =>
  (PLATFORM_LABELS[platform as Platform] as string | undefined) ?? platform;

/**
 * Where a piece is published, named the same on every page. The `outbox` channel keeps the piece
 * in Herald (listed on the Outbox page, for the marketer to post or a tool to fetch by the API).
 */
export const CHANNEL_LABELS: Record<PublishChannel, string> = {
  outbox: 'Herald outbox',
  webhook: 'Webhook',
  slack: 'Slack',
  email: 'Email',
};

export const channelLabel = (channel: string) =>
  (CHANNEL_LABELS[channel as PublishChannel] as string | undefined) ?? channel;

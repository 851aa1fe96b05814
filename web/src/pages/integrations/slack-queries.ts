// The Slack section's server state: the connection and its choices, the install link, the
// incoming-webhook form, the channel list, and disconnecting.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import type { components } from '../../api/schema';

export type SlackSettings = components['schemas']['SlackSettings'];
export type SlackConnection = components['schemas']['SlackConnection'];
export type SlackChoices = components['schemas']['SlackNotificationChoices'];
export interface SlackSettingsChange {
  channelId?: string;
  channelName?: string;
  notifications?: Partial<SlackChoices>;
  bounceRateThreshold?: number;
}

const slackKey = (businessId: string) => ['business', businessId, 'slack'] as const;

export function useSlack(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: slackKey(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/slack', {
          params: { path: { businessId } },
          signal,
        }),
      ),
  });
}

export function useSlackChannels(businessId: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: [...slackKey(businessId), 'channels'],
    enabled,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/slack/channels', {
          params: { path: { businessId } },
          signal,
        }),
      ),
  });
}

/** Asks for Slack's consent page and sends the browser there. */
export function useSlackInstall(businessId: string) {
  const api = useApi();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/slack/install', {
          params: { path: { businessId } },
        }),
      ),
    onSuccess: ({ url }) => {
      window.location.assign(url);
    },
  });
}

export function useConnectSlackWebhook(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { url: string; channelName?: string }) =>
      unwrap(
        api.PUT('/api/v1/businesses/{businessId}/slack/webhook', {
          params: { path: { businessId } },
          body,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: slackKey(businessId) }),
  });
}

export function useUpdateSlack(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SlackSettingsChange) =>
      unwrap(
        api.PATCH('/api/v1/businesses/{businessId}/slack', {
          params: { path: { businessId } },
          body,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: slackKey(businessId) }),
  });
}

export function useDisconnectSlack(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE('/api/v1/businesses/{businessId}/slack', { params: { path: { businessId } } }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: slackKey(businessId) }),
  });
}

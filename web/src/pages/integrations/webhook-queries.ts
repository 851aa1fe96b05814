// Server state of outgoing webhooks (TanStack Query): the business's endpoints, one with its
// secret, their delivery logs, and the changes the owner makes (add, pause, rotate, test, redeliver).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import type { components, paths } from '../../api/schema';

export type WebhookEndpoint = components['schemas']['WebhookEndpoint'];
export type WebhookEndpointWithSecret = components['schemas']['WebhookEndpointWithSecret'];
export type WebhookDelivery = components['schemas']['WebhookDelivery'];
export type NewWebhook = NonNullable<
  paths['/api/v1/businesses/{businessId}/webhooks']['post']['requestBody']
>['content']['application/json'];
export type WebhookChanges = NonNullable<
  paths['/api/v1/businesses/{businessId}/webhooks/{endpointId}']['patch']['requestBody']
>['content']['application/json'];

const BASE = '/api/v1/businesses/{businessId}/webhooks';
const ONE = `${BASE}/{endpointId}` as const;

export type WebhookEventType = NewWebhook['eventTypes'][number];

/** The event types an endpoint may hear, as Herald names them, with what each tells. */
export const WEBHOOK_EVENT_TYPES: { type: WebhookEventType; label: string }[] = [
  { type: 'content.published', label: 'A piece was published' },
  { type: 'content.failed', label: 'Publishing a piece failed' },
  { type: 'content.in_review', label: 'A piece is waiting for review' },
  { type: 'email.delivered', label: 'An email was delivered' },
  { type: 'email.bounced', label: 'An email bounced' },
  { type: 'email.unsubscribed', label: 'A subscriber unsubscribed' },
  { type: 'email.opened', label: 'An email was opened' },
  { type: 'email.clicked', label: 'A link in an email was clicked' },
  { type: 'customer.created', label: 'A new customer' },
  { type: 'segment.entered', label: 'A customer entered a segment' },
  { type: 'intelligence.completed', label: 'Customer scoring finished' },
  { type: 'job.succeeded', label: 'An AI job finished' },
  { type: 'job.failed', label: 'An AI job failed' },
  { type: 'sequence.bounce_rate_exceeded', label: 'A sequence step bounces too much' },
  { type: 'ai.budget_threshold', label: 'AI budget at 80 % or 100 %' },
];

export const webhookKeys = {
  all: (businessId: string) => ['business', businessId, 'webhooks'] as const,
  list: (businessId: string) => ['business', businessId, 'webhooks', 'list'] as const,
  one: (businessId: string, endpointId: string) =>
    ['business', businessId, 'webhooks', endpointId] as const,
  deliveries: (businessId: string, endpointId: string) =>
    ['business', businessId, 'webhooks', endpointId, 'deliveries'] as const,
};

export function useWebhooks(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: webhookKeys.list(businessId),
    queryFn: ({ signal }) =>
      unwrap(api.GET(BASE, { params: { path: { businessId }, query: { limit: 100 } }, signal })),
  });
}

/** One endpoint with its secret: fetched only when the owner asks to see it. */
export function useWebhookSecret(businessId: string, endpointId: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: webhookKeys.one(businessId, endpointId),
    queryFn: ({ signal }) =>
      unwrap(api.GET(ONE, { params: { path: { businessId, endpointId } }, signal })),
    enabled,
  });
}

export function useDeliveries(businessId: string, endpointId: string) {
  const api = useApi();
  return useQuery({
    queryKey: webhookKeys.deliveries(businessId, endpointId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET(`${ONE}/deliveries`, {
          params: { path: { businessId, endpointId }, query: { limit: 50 } },
          signal,
        }),
      ),
  });
}

export function useCreateWebhook(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewWebhook) =>
      unwrap(
        api.POST(BASE, {
          params: { path: { businessId } },
          body,
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.list(businessId) }),
  });
}

export function useUpdateWebhook(businessId: string, endpointId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: WebhookChanges) =>
      unwrap(api.PATCH(ONE, { params: { path: { businessId, endpointId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.list(businessId) }),
  });
}

export function useDeleteWebhook(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (endpointId: string) =>
      unwrap(api.DELETE(ONE, { params: { path: { businessId, endpointId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.all(businessId) }),
  });
}

export function useRotateSecret(businessId: string, endpointId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST(`${ONE}/rotate-secret`, { params: { path: { businessId, endpointId } } })),
    onSuccess: (endpoint) => {
      queryClient.setQueryData(webhookKeys.one(businessId, endpointId), endpoint);
    },
  });
}

export function useSendTest(businessId: string, endpointId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST(`${ONE}/test`, { params: { path: { businessId, endpointId } } })),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(businessId, endpointId) }),
  });
}

export function useRedeliver(businessId: string, endpointId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.POST(`${BASE}/deliveries/{deliveryId}/redeliver`, {
          params: { path: { businessId, deliveryId } },
        }),
      ),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(businessId, endpointId) }),
  });
}

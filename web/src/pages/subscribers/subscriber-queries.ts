// Server state of subscribers (TanStack Query): the searchable list, create and edit, and the
// CSV import job, all under the business's key prefix.
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import type { components, paths } from '../../api/schema';

export type Subscriber = components['schemas']['Subscriber'];
export type ConsentStatus = Subscriber['consentStatus'];
export type ImportResult = components['schemas']['SubscriberImportResult'];
/** What one column of an imported file becomes: a field, `{ attribute }` or `skip`. */
export type ImportColumn = components['schemas']['SubscriberImportColumnInput'];
type SubscribersPath = paths['/api/v1/businesses/{businessId}/subscribers'];
export type CreateSubscriberInput = NonNullable<
  SubscribersPath['post']['requestBody']
>['content']['application/json'];
export type UpdateSubscriberInput = NonNullable<
  paths['/api/v1/businesses/{businessId}/subscribers/{subscriberId}']['patch']['requestBody']
>['content']['application/json'];

export const CONSENT_STATUSES: { value: ConsentStatus; label: string }[] = [
  { value: 'subscribed', label: 'Subscribed' },
  { value: 'pending', label: 'Pending confirmation' },
  { value: 'unsubscribed', label: 'Unsubscribed' },
];

export interface SubscriberFilter {
  search: string;
  consentStatus: ConsentStatus | '';
}

export const subscriberKeys = {
  all: (businessId: string) => ['business', businessId, 'subscribers'] as const,
  list: (businessId: string, filter: SubscriberFilter) =>
    ['business', businessId, 'subscribers', 'list', filter.search, filter.consentStatus] as const,
};

export function useSubscribers(businessId: string, filter: SubscriberFilter, limit = 25) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: subscriberKeys.list(businessId, filter),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/subscribers', {
          params: {
            path: { businessId },
            query: {
              limit,
              ...(pageParam ? { cursor: pageParam } : {}),
              ...(filter.search.trim() ? { search: filter.search.trim() } : {}),
              ...(filter.consentStatus ? { consentStatus: filter.consentStatus } : {}),
            },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export function useSaveSubscriber(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (
      input:
        | { subscriberId: null; body: CreateSubscriberInput }
        | { subscriberId: string; body: UpdateSubscriberInput },
    ) =>
      input.subscriberId === null
        ? unwrap(
            api.POST('/api/v1/businesses/{businessId}/subscribers', {
              params: { path: { businessId } },
              body: input.body,
              headers: { 'idempotency-key': idempotencyKey() },
            }),
          )
        : unwrap(
            api.PATCH('/api/v1/businesses/{businessId}/subscribers/{subscriberId}', {
              params: { path: { businessId, subscriberId: input.subscriberId } },
              body: input.body,
            }),
          ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: subscriberKeys.all(businessId) }),
  });
}

export function useStartImport(businessId: string) {
  const api = useApi();
  return useMutation({
    /** `columns`: what each column of the header row becomes (csv-preview.ts). */
    mutationFn: (body: { csv: string; columns?: ImportColumn[] }) =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/subscribers/import', {
          params: { path: { businessId } },
          body,
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
  });
}

/** The import report inside a finished job's result, if it has the documented shape. */
export function importResultOf(result: Record<string, unknown> | null | undefined) {
  if (!result) return null;
  const numbers = ['rows', 'imported', 'updated', 'skipped', 'errorCount'] as const;
  if (!numbers.every((name) => typeof result[name] === 'number')) return null;
  if (!Array.isArray(result.errors)) return null;
  const errors = (result.errors as unknown[]).filter(
    (entry): entry is ImportResult['errors'][number] =>
      typeof entry === 'object' &&
      entry !== null &&
      typeof (entry as { row?: unknown }).row === 'number' &&
      typeof (entry as { reason?: unknown }).reason === 'string',
  );
  return { ...(result as unknown as ImportResult), errors };
}

// Server state of saved segments (TanStack Query), under the business's key prefix; the live
// preview the rule builder asks for while the marketer edits.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import type { components, paths } from '../../api/schema';
import type { RuleGroup } from './rules';

export type Segment = components['schemas']['Segment'];
export type SegmentMember = components['schemas']['SegmentMember'];
type CreateBody = NonNullable<
  paths['/api/v1/businesses/{businessId}/segments']['post']['requestBody']
>['content']['application/json'];
/** The rule document as the generated API types name it (the builder's RuleGroup is the same JSON). */
type ApiRules = CreateBody['rules'];
const asApiRules = (rules: RuleGroup): ApiRules => rules;
/** A saved segment's rules, as the builder edits them (the server validated them). */
export const rulesOf = (segment: Segment) => segment.rules as unknown as RuleGroup;

export const segmentKeys = {
  all: (businessId: string) => ['business', businessId, 'segments'] as const,
  list: (businessId: string) => ['business', businessId, 'segments', 'list'] as const,
  one: (businessId: string, segmentId: string) =>
    ['business', businessId, 'segments', segmentId] as const,
  preview: (businessId: string, rules: string) =>
    ['business', businessId, 'segments', 'preview', rules] as const,
};

export function useSegments(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: segmentKeys.list(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/segments', {
          params: { path: { businessId }, query: { limit: 100 } },
          signal,
        }),
      ),
  });
}

export function useSegment(businessId: string, segmentId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: segmentKeys.one(businessId, segmentId ?? 'new'),
    enabled: segmentId !== undefined,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/segments/{segmentId}', {
          params: { path: { businessId, segmentId: segmentId ?? '' } },
          signal,
        }),
      ),
  });
}

export function useSegmentMembers(businessId: string, segmentId: string) {
  const api = useApi();
  return useQuery({
    queryKey: [...segmentKeys.one(businessId, segmentId), 'members'],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/segments/{segmentId}/customers', {
          params: { path: { businessId, segmentId }, query: { limit: 50 } },
          signal,
        }),
      ),
  });
}

export function useSegmentSizes(businessId: string, segmentId: string) {
  const api = useApi();
  return useQuery({
    queryKey: [...segmentKeys.one(businessId, segmentId), 'sizes'],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/segments/{segmentId}/sizes', {
          params: { path: { businessId, segmentId }, query: { days: 30 } },
          signal,
        }),
      ),
  });
}

/** The live size of `rules` (null: not complete enough to ask yet). */
export function useSegmentPreview(businessId: string, rules: RuleGroup | null) {
  const api = useApi();
  const key = rules ? JSON.stringify(rules) : '';
  return useQuery({
    queryKey: segmentKeys.preview(businessId, key),
    enabled: rules !== null,
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: ({ signal }) =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/segments/preview', {
          params: { path: { businessId } },
          body: { rules: asApiRules(rules ?? { all: [] }) },
          signal,
        }),
      ),
  });
}

export function useSaveSegment(businessId: string, segmentId: string | undefined) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (segment: { name: string; rules: RuleGroup }) =>
      segmentId
        ? unwrap(
            api.PATCH('/api/v1/businesses/{businessId}/segments/{segmentId}', {
              params: { path: { businessId, segmentId } },
              body: { name: segment.name, rules: asApiRules(segment.rules) },
            }),
          )
        : unwrap(
            api.POST('/api/v1/businesses/{businessId}/segments', {
              params: { path: { businessId } },
              body: { name: segment.name, rules: asApiRules(segment.rules) },
              headers: { 'idempotency-key': idempotencyKey() },
            }),
          ),
    onSuccess: () => client.invalidateQueries({ queryKey: segmentKeys.all(businessId) }),
  });
}

export function useDeleteSegment(businessId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (segmentId: string) =>
      unwrap(
        api.DELETE('/api/v1/businesses/{businessId}/segments/{segmentId}', {
          params: { path: { businessId, segmentId } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: segmentKeys.all(businessId) }),
  });
}

// Server state of the Sources page: the write keys and ingestion figures, key rotation, the
// debugger's pages of events, and the live stream of new ones (server-sent events over fetch).
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { isAbort } from '../../api/errors';
import type { components } from '../../api/schema';
import { readEvents } from '../../api/sse';

export type Sources = components['schemas']['Sources'];
export type TrackedEvent = components['schemas']['TrackedEvent'];
export type EventType = TrackedEvent['type'];

export const EVENT_TYPES: { value: EventType; label: string }[] = [
  { value: 'track', label: 'Track (an action)' },
  { value: 'identify', label: 'Identify (who they are)' },
  { value: 'page', label: 'Page view' },
  { value: 'screen', label: 'Screen view (app)' },
  { value: 'group', label: 'Group (company)' },
  { value: 'alias', label: 'Alias (merge ids)' },
];

export interface EventFilter {
  type: EventType | '';
  event: string;
}

const sourcesKeys = {
  overview: (businessId: string) => ['business', businessId, 'sources'] as const,
  events: (businessId: string, filter: EventFilter) =>
    ['business', businessId, 'sources', 'events', filter.type, filter.event] as const,
};

/** The figures move every minute: refreshed every 15 s while the page is open. */
export function useSources(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: sourcesKeys.overview(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/sources', {
          params: { path: { businessId } },
          signal,
        }),
      ),
    refetchInterval: 15_000,
  });
}

export function useRotateWriteKey(businessId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/write-key/rotate', {
          params: { path: { businessId } },
        }),
      ),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: sourcesKeys.overview(businessId) }),
        queryClient.invalidateQueries({ queryKey: ['business', businessId], exact: true }),
        queryClient.invalidateQueries({ queryKey: ['businesses'] }),
      ]),
  });
}

function filterQuery(filter: EventFilter) {
  return {
    ...(filter.type ? { type: filter.type } : {}),
    ...(filter.event.trim() ? { event: filter.event.trim() } : {}),
  };
}

export function useTrackedEvents(businessId: string, filter: EventFilter, limit = 25) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: sourcesKeys.events(businessId, filter),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/events', {
          params: {
            path: { businessId },
            query: { limit, ...(pageParam ? { cursor: pageParam } : {}), ...filterQuery(filter) },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // Events arrive all the time: a filter chosen again reads them afresh.
    staleTime: 0,
  });
}

const RECONNECT_MS = 3_000;
/** Live events kept in memory; older ones are still in the pages below. */
const LIVE_CAP = 200;

export type StreamStatus = 'off' | 'connecting' | 'live' | 'reconnecting';

/**
 * New events as they are stored, newest first, while `enabled`. `since` is the newest event
 * already shown (the stream starts after it); it reconnects after a drop.
 */
export function useLiveEvents(
  businessId: string,
  filter: EventFilter,
  options: { enabled: boolean; since: string | undefined },
): { events: TrackedEvent[]; status: StreamStatus } {
  const api = useApi();
  const [events, setEvents] = useState<TrackedEvent[]>([]);
  const [status, setStatus] = useState<StreamStatus>('off');
  const [key, setKey] = useState(`${businessId}|${filter.type}|${filter.event}`);
  const filterKey = `${businessId}|${filter.type}|${filter.event}`;
  if (key !== filterKey) {
    // Another filter: what was collected for the old one no longer applies.
    setKey(filterKey);
    setEvents([]);
  }
  const { enabled, since } = options;
  const { type, event } = filter;

  useEffect(() => {
    if (!enabled) {
      setStatus('off');
      return;
    }
    const controller = new AbortController();
    const { signal } = controller;
    const stopped = () => signal.aborted;
    let newest = since;
    void (async () => {
      setStatus('connecting');
      while (!signal.aborted) {
        try {
          const response = await api.GET('/api/v1/businesses/{businessId}/events/stream', {
            params: {
              path: { businessId },
              query: { ...filterQuery({ type, event }), ...(newest ? { since: newest } : {}) },
            },
            parseAs: 'stream',
            headers: { accept: 'text/event-stream' },
            signal,
          });
          if (response.response.ok && response.data) {
            setStatus('live');
            for await (const message of readEvents(response.data)) {
              if (message.event !== 'events') continue;
              const batch = JSON.parse(message.data) as TrackedEvent[];
              newest = batch.at(-1)?.receivedAt ?? newest;
              setEvents((previous) => {
                const known = new Set(previous.map((item) => item.messageId));
                const fresh = batch.filter((item) => !known.has(item.messageId)).reverse();
                return [...fresh, ...previous].slice(0, LIVE_CAP);
              });
            }
          }
        } catch (error) {
          if (isAbort(error) || stopped()) return;
        }
        if (stopped()) return;
        setStatus('reconnecting');
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
      }
    })();
    return () => {
      controller.abort();
    };
    // `since` is read when the stream opens; a newer one must not reopen it.
  }, [api, businessId, type, event, enabled]);

  return { events, status };
}

// Rescheduling from the calendar, with the workflow's rules: a scheduled piece keeps its time of
// day and is scheduled again on the new day, any other unpublished piece gets a new planned day,
// a published piece stays where it went out. The card moves at once and goes back if refused.
import { unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { useOptimisticMutation } from '../../state/optimistic';
import { movedPublishAt, wallClock } from './calendar-dates';
import { campaignKeys, type Content } from './queries';

export interface Move {
  content: Content;
  day: string;
}

/** Why a piece cannot go to `day` (said before anything is sent), or null when it can. */
export function moveRefusal(
  content: Pick<Content, 'status' | 'publishAt'>,
  day: string,
  timeZone: string,
  now = new Date(),
): string | null {
  if (content.status === 'published') return 'A published piece stays on the day it went out.';
  if (content.status === 'scheduled' && content.publishAt) {
    const at = movedPublishAt(content.publishAt, timeZone, day);
    if (at <= wallClock(timeZone, now.toISOString())) {
      return `${at.replace('T', ' at ')} has already passed: pick a later day to reschedule it.`;
    }
  }
  return null;
}

type Page = { items: Content[] };

export function useMoveContent(businessId: string, campaignId: string, timeZone: string) {
  const api = useApi();
  return useOptimisticMutation<Page, Move, Content>({
    queryKey: campaignKeys.contentOf(businessId, campaignId),
    mutationFn: async ({ content, day }) => {
      const path = { businessId, contentId: content.id };
      if (content.status !== 'scheduled' || !content.publishAt) {
        return unwrap(
          api.PATCH('/api/v1/businesses/{businessId}/contents/{contentId}', {
            params: { path },
            body: { plannedDate: day },
          }),
        );
      }
      // The workflow schedules only an approved piece: take it back to approved, then schedule
      // it on the new day; if that is refused, put the old time back before saying why.
      const schedule = (publishAt: string) =>
        unwrap(
          api.POST('/api/v1/businesses/{businessId}/contents/{contentId}/schedule', {
            params: { path },
            body: { publishAt },
          }),
        );
      await unwrap(
        api.POST('/api/v1/businesses/{businessId}/contents/{contentId}/status', {
          params: { path },
          body: { status: 'approved' },
        }),
      );
      try {
        return await schedule(movedPublishAt(content.publishAt, timeZone, day));
      } catch (error) {
        await schedule(wallClock(timeZone, content.publishAt)).catch(() => undefined);
        throw error;
      }
    },
    apply: (page, { content, day }) => ({
      ...page,
      items: page.items.map((item) =>
        item.id !== content.id
          ? item
          : item.status === 'scheduled' && item.publishAt
            ? {
                ...item,
                publishAt: new Date(
                  new Date(item.publishAt).getTime() +
                    (Date.parse(`${day}T00:00:00Z`) -
                      Date.parse(`${wallClock(timeZone, item.publishAt).slice(0, 10)}T00:00:00Z`)),
                ).toISOString(),
              }
            : { ...item, plannedDate: day },
      ),
    }),
    settle: (result, page) =>
      page
        ? { ...page, items: page.items.map((item) => (item.id === result.id ? result : item)) }
        : { items: [result] },
  });
}

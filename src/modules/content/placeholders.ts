// A campaign strategy's calendar as content placeholders (empty drafts with a calendar key), for
// the strategy job of the campaigns module: regenerating removes the placeholders nobody has
// started that the new calendar no longer has, and never makes one twice.
import type { CalendarPlaceholders } from '../campaigns/index.ts';
import { createContentRepository } from './repository.ts';

export function createCalendarPlaceholders(): CalendarPlaceholders {
  return {
    async sync(tx, { businessId, campaignId, strategyVersion, userId, entries }) {
      const repository = createContentRepository(tx);
      const removed = await repository.removeUntouchedPlaceholders(campaignId, [...entries.keys()]);
      const created = await repository.insertPlaceholders(
        [...entries].map(([calendarKey, entry]) => ({
          businessId,
          campaignId,
          calendarKey,
          strategyVersion,
          platform: entry.platform,
          contentType: entry.contentType,
          topic: entry.topic,
          callToAction: entry.callToAction,
          plannedDate: entry.date,
          createdBy: userId,
        })),
      );
      return { created, removed };
    },
  };
}

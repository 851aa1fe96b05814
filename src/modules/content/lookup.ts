// What other modules may read of a content piece (analytics records figures against it, a
// message may refer to it): whether the business has it, and its campaign. The caller has
// checked access.
import type { Executor } from '../../platform/db/client.ts';
import { createContentRepository } from './repository.ts';

export function createContentLookup(db: Executor) {
  const repository = createContentRepository(db);
  return {
    async find(
      businessId: string,
      contentId: string,
    ): Promise<{ id: string; campaignId: string | null } | undefined> {
      const row = await repository.find(businessId, contentId);
      return row ? { id: row.id, campaignId: row.campaignId } : undefined;
    },
  };
}

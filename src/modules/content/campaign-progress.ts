// The campaigns module's `CampaignPieceCounter`, implemented where the pieces are: how many of
// each campaign's pieces are written, in review, approved, scheduled, published or failed.
import type { Executor } from '../../platform/db/client.ts';
import type { CampaignPieceCounter, CampaignProgress } from '../campaigns/index.ts';
import { createContentRepository } from './repository.ts';

export function createCampaignPieceCounter(db: Executor): CampaignPieceCounter {
  const repository = createContentRepository(db);
  return {
    async count(businessId, campaignIds) {
      const rows = await repository.countByCampaign(businessId, [...new Set(campaignIds)]);
      const counts = new Map<string, CampaignProgress>();
      for (const { campaignId, ...progress } of rows) {
        if (campaignId) counts.set(campaignId, progress);
      }
      return counts;
    },
  };
}

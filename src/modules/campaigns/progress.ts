// How far a campaign's pieces have come, and the one status change Herald makes on its own. The
// pieces belong to the content module, so it counts them through the `CampaignPieceCounter` port
// declared here (wired in runtime.ts); campaigns does not depend on content.
import type { Executor } from '../../platform/db/client.ts';
import { createCampaignRepository } from './repository.ts';
import type { CampaignProgress } from './schemas.ts';

/** Counts the pieces of a page of campaigns in one grouped query; a campaign with none is absent. */
export interface CampaignPieceCounter {
  count(businessId: string, campaignIds: string[]): Promise<Map<string, CampaignProgress>>;
}

export const NO_PIECES: CampaignProgress = {
  total: 0,
  written: 0,
  inReview: 0,
  approved: 0,
  scheduled: 0,
  published: 0,
  failed: 0,
};

/**
 * A draft campaign becomes active when one of its pieces is scheduled (so before anything of it is
 * published). Call it in the transaction that schedules the piece. Every other status — paused,
 * completed, archived, back to draft — is the marketer's to set. Answers whether it changed.
 */
export async function activateDraftCampaign(
  tx: Executor,
  businessId: string,
  campaignId: string,
): Promise<boolean> {
  return createCampaignRepository(tx).activateIfDraft(businessId, campaignId);
}

// What other modules may read of a campaign (a content brief, analytics): one campaign of a
// business, the brief the content job writes from, and campaigns as the subject of a job (named
// on the jobs page). The caller has checked access.
import type { Executor } from '../../platform/db/client.ts';
import { idField, type JobSubjectSource } from '../jobs/index.ts';
import { createCampaignRepository } from './repository.ts';
import type { Strategy } from './strategy.ts';

export interface CampaignSummary {
  id: string;
  name: string;
  goal: string;
  audience: string | null;
  status: string;
}

export function createCampaignLookup(db: Executor) {
  const repository = createCampaignRepository(db);
  return {
    async find(businessId: string, campaignId: string): Promise<CampaignSummary | undefined> {
      const row = await repository.find(businessId, campaignId);
      if (!row) return undefined;
      const { id, name, goal, audience, status } = row;
      return { id, name, goal, audience, status };
    },

    /** The campaign with the key messages of its latest strategy (none before a strategy). */
    async brief(businessId: string, campaignId: string) {
      const row = await repository.find(businessId, campaignId);
      if (!row) return undefined;
      const latest = (await repository.strategies(businessId, campaignId))[0];
      const strategy = latest?.strategy as Strategy | undefined;
      return {
        name: row.name,
        goal: row.goal,
        audience: row.audience,
        keyMessages: strategy?.keyMessages ?? [],
      };
    },
  };
}

export type CampaignLookup = ReturnType<typeof createCampaignLookup>;

/** A job about the campaign in its input's `campaignId` (a strategy, an insight summary). */
export function campaignJobSubject(db: Executor): JobSubjectSource {
  return {
    type: 'campaign',
    idOf: (job) => idField(job.input, 'campaignId'),
    async names(businessId, ids) {
      const rows = await createCampaignRepository(db).names(businessId, ids);
      return new Map(rows.map((row) => [row.id, row.name]));
    },
  };
}

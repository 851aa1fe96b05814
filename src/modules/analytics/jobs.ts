// The analytics module's job: a short insight summary of a campaign (what worked, what did not,
// what to do next), written by the AI from the campaign's figures.
import { z } from 'zod';

import type { AiRunner } from '../../ai/contract.ts';
import { campaignInsightsTask } from '../../ai/tasks.ts';
import type { Database } from '../../platform/db/client.ts';
import { campaignJobSubject, createCampaignLookup } from '../campaigns/index.ts';
import type { JobKind } from '../jobs/index.ts';
import { campaignAnalytics, INSIGHTS_JOB } from './service.ts';

const InsightsJobInput = z.object({ campaignId: z.uuid() });

export function insightsJob(deps: {
  db: Database;
  ai: AiRunner;
}): JobKind<z.infer<typeof InsightsJobInput>> {
  return {
    kind: INSIGHTS_JOB,
    input: InsightsJobInput,
    subject: campaignJobSubject(deps.db),
    timeLimitMs: 120_000,
    async run(job) {
      const { businessId, input, progress } = job;
      await progress(10, 'Adding up the figures');
      const campaign = await createCampaignLookup(deps.db).find(businessId, input.campaignId);
      if (!campaign) throw new Error('campaign vanished while its job was queued');
      const analytics = await campaignAnalytics(deps.db, businessId, campaign.id);
      await progress(40, 'Writing the summary');
      const insight = await deps.ai.run(
        campaignInsightsTask,
        {
          campaign: { name: campaign.name, goal: campaign.goal, status: campaign.status },
          totals: analytics.totals,
          byPlatform: analytics.byPlatform,
          topContent: analytics.byContent.slice(0, 10),
        },
        job,
      );
      return {
        campaignId: campaign.id,
        insight: insight.value,
        totals: analytics.totals,
        generatedBy: [insight.generatedBy],
      };
    },
  };
}

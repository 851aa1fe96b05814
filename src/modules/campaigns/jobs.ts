// The strategy job: asks the AI (strong tier) for a strategy held to the campaign's dates and
// channels, then stores it as a new version and turns its calendar into content placeholders —
// all in one transaction, so a failure leaves nothing half-made. Regenerating keeps earlier
// versions, keeps placeholders already in progress and never makes one twice.
import { z } from 'zod';

import type { AiRunner } from '../../ai/contract.ts';
import { campaignStrategyTask } from '../../ai/tasks.ts';
import type { Database, Executor } from '../../platform/db/client.ts';
import type { JobKind } from '../jobs/index.ts';
import { campaignJobSubject } from './lookup.ts';
import { createCampaignRepository } from './repository.ts';
import { STRATEGY_JOB } from './service.ts';
import { type CalendarEntry, calendarKeyOf, strategySchemaFor } from './strategy.ts';

const StrategyJobInput = z.object({
  campaignId: z.uuid(),
  notes: z.string().max(2000).optional(),
});
type StrategyJobInput = z.infer<typeof StrategyJobInput>;

/**
 * Turns a strategy's calendar into content placeholders, in the strategy job's transaction. The
 * content module implements it (placeholders are content pieces); campaigns declares what it
 * needs, so it does not depend on content.
 */
export interface CalendarPlaceholders {
  sync(
    tx: Executor,
    plan: {
      businessId: string;
      campaignId: string;
      strategyVersion: number;
      userId: string | null;
      /** By calendar key. */
      entries: Map<string, CalendarEntry>;
    },
  ): Promise<{ created: number; removed: number }>;
}

const DAY_MS = 86_400_000;
const isoDate = (date: Date) => date.toISOString().slice(0, 10);

/** The campaign's dates, or six weeks from today when it has none yet. */
export function campaignWindow(
  campaign: { startDate: string | null; endDate: string | null },
  today = new Date(),
): { startDate: string; endDate: string } {
  const startDate = campaign.startDate ?? isoDate(today);
  const endDate =
    campaign.endDate ?? isoDate(new Date(Date.parse(`${startDate}T00:00:00Z`) + 41 * DAY_MS));
  return { startDate, endDate };
}

export function strategyJob(deps: {
  db: Database;
  ai: AiRunner;
  placeholders: CalendarPlaceholders;
}): JobKind<StrategyJobInput> {
  return {
    kind: STRATEGY_JOB,
    input: StrategyJobInput,
    timeLimitMs: 180_000,
    subject: campaignJobSubject(deps.db),
    async run(job) {
      const { jobId, businessId, userId, input, progress } = job;
      await progress(10, 'Reading the campaign');
      const campaign = await createCampaignRepository(deps.db).find(businessId, input.campaignId);
      if (!campaign) throw new Error('campaign vanished while its job was queued');
      const window = campaignWindow(campaign);
      const channels = campaign.channels;
      await progress(25, 'Writing the strategy');
      const { value: strategy, generatedBy } = await deps.ai.run(
        campaignStrategyTask.withOutput(strategySchemaFor({ ...window, channels })),
        {
          campaign: {
            name: campaign.name,
            goal: campaign.goal,
            audience: campaign.audience,
            channels,
            budgetCents: campaign.budgetCents,
            ...window,
          },
          notes: input.notes ?? '',
        },
        job,
      );
      await progress(85, 'Saving the strategy and its calendar');
      const saved = await deps.db.transaction(async (tx) => {
        const repository = createCampaignRepository(tx);
        const version = await repository.lockForNewVersion(businessId, campaign.id);
        if (version === undefined) throw new Error('campaign vanished while its job ran');
        await repository.insertStrategy({
          businessId,
          campaignId: campaign.id,
          version,
          strategy,
          jobId,
        });
        const { created, removed } = await deps.placeholders.sync(tx, {
          businessId,
          campaignId: campaign.id,
          strategyVersion: version,
          userId,
          entries: new Map(strategy.calendar.map((entry) => [calendarKeyOf(entry), entry])),
        });
        return { version, created, removed };
      });
      return {
        campaignId: campaign.id,
        strategyVersion: saved.version,
        placeholdersCreated: saved.created,
        placeholdersRemoved: saved.removed,
        strategy,
        generatedBy: [generatedBy],
      };
    },
  };
}

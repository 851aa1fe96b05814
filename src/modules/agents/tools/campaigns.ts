// Campaign tools: list and read campaigns (with the latest strategy's gist), create a draft
// campaign, and start the AI job that writes a campaign's strategy and content calendar.
import { z } from 'zod';

import {
  type Campaign,
  CampaignStatus,
  CreateCampaignBody,
  Platform,
} from '../../campaigns/index.ts';
import { type AgentTool, defineTool } from '../tool-registry.ts';
import type { AgentToolServices } from './services.ts';
import { clip, Limit, listSentence } from './shared.ts';

const CampaignId = z.uuid().describe('The campaign id (from list_campaigns)');
const IsoDate = z.iso.date();

/** A campaign as the model reads it: what it is, where it stands, how far its pieces are. */
function campaignBrief(campaign: Campaign) {
  return {
    id: campaign.id,
    name: campaign.name,
    status: campaign.status,
    goal: clip(campaign.goal, 300),
    channels: campaign.channels,
    startDate: campaign.startDate,
    endDate: campaign.endDate,
    budgetCents: campaign.budgetCents,
    strategyVersion: campaign.strategyVersion,
    progress: campaign.progress,
  };
}

interface CampaignList {
  campaigns: ReturnType<typeof campaignBrief>[];
  more: boolean;
}

export function campaignTools(services: Pick<AgentToolServices, 'campaigns'>): AgentTool[] {
  const { campaigns } = services;
  return [
    defineTool({
      name: 'list_campaigns',
      description:
        "Lists the business's campaigns, newest first: id, name, status, goal, channels, dates, budget and how far their content pieces have come (progress).",
      input: z.object({
        status: CampaignStatus.optional().describe(
          'Only campaigns in this status (draft, active, paused, completed, archived)',
        ),
        limit: Limit,
      }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['campaign', 'campaigns', 'launch', 'launches', 'promotion'],
      async run(context, input): Promise<CampaignList> {
        const page = await campaigns.list(context.principal, context.businessId, {
          limit: input.limit,
          ...(input.status ? { status: input.status } : {}),
        });
        return { campaigns: page.items.map(campaignBrief), more: page.nextCursor !== null };
      },
      summarize(result, input) {
        const list = result as CampaignList;
        return listSentence(
          list.campaigns.map((campaign) => campaign.name),
          'campaign',
          { more: list.more, ...(input.status ? { qualifier: input.status } : {}) },
        );
      },
    }),

    defineTool({
      name: 'get_campaign',
      description:
        "One campaign: its fields, its pieces' progress, and the gist of its latest AI strategy (summary, objectives, key messages, channel mix) when it has one.",
      input: z.object({ campaignId: CampaignId }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['campaign strategy', 'campaign plan', 'objectives'],
      async run(context, input) {
        const campaign = await campaigns.get(
          context.principal,
          context.businessId,
          input.campaignId,
        );
        // Strategies are read only when one exists; the newest version is the one in force.
        const versions =
          campaign.strategyVersion > 0
            ? (await campaigns.strategies(context.principal, context.businessId, campaign.id)).items
            : [];
        const latest = versions.reduce<(typeof versions)[number] | undefined>(
          (newest, version) => (newest && newest.version >= version.version ? newest : version),
          undefined,
        );
        return {
          ...campaignBrief(campaign),
          goal: clip(campaign.goal, 1000),
          audience: campaign.audience === null ? null : clip(campaign.audience, 500),
          strategy: latest
            ? {
                version: latest.version,
                summary: clip(latest.strategy.summary, 800),
                objectives: latest.strategy.objectives.map(
                  (item) =>
                    `${item.objective} (${item.metric}: ${String(item.target)}${item.unit ? ` ${item.unit}` : ''})`,
                ),
                keyMessages: latest.strategy.keyMessages,
                channelMix: latest.strategy.channelMix.map((item) => ({
                  channel: item.channel,
                  sharePercent: item.sharePercent,
                })),
                calendarEntries: latest.strategy.calendar.length,
              }
            : null,
        };
      },
      summarize(result) {
        const campaign = result as { name: string; status: string; strategy: unknown };
        return `Campaign ${campaign.name} is ${campaign.status}${campaign.strategy ? ', with a strategy' : ', with no strategy yet'}.`;
      },
    }),

    defineTool({
      name: 'create_campaign',
      description:
        'Creates a campaign as a draft (nothing is scheduled or sent): its name, goal, audience, channels, dates and budget.',
      input: z.object({
        name: z.string().trim().min(1).max(160).describe('The campaign name, e.g. "Spring launch"'),
        goal: z
          .string()
          .trim()
          .max(1000)
          .default('')
          .describe('What the campaign should achieve, in a sentence or two'),
        audience: z
          .string()
          .trim()
          .max(2000)
          .optional()
          .describe("Who it is for, when not the business's usual audience"),
        channels: z
          .array(Platform)
          .max(7)
          .default([])
          .describe(
            'The platforms it runs on (linkedin, x, instagram, facebook, email, blog, search_ads)',
          ),
        startDate: IsoDate.optional().describe('First day, YYYY-MM-DD'),
        endDate: IsoDate.optional().describe('Last day, YYYY-MM-DD (not before startDate)'),
        budgetCents: z
          .number()
          .int()
          .min(0)
          .max(1e12)
          .optional()
          .describe('Budget in cents of the business currency'),
      }),
      readOnly: false,
      permission: 'content.write',
      describe: (input) =>
        `Create a draft campaign "${input.name}"${input.goal ? ` (goal: ${clip(input.goal, 120)})` : ''}${input.channels.length > 0 ? ` on ${input.channels.join(', ')}` : ''}${input.startDate ? ` from ${input.startDate}` : ''}${input.endDate ? ` to ${input.endDate}` : ''}.`,
      async run(context, input) {
        const body = CreateCampaignBody.parse({ ...input, status: 'draft' });
        return campaignBrief(await campaigns.create(context.principal, context.businessId, body));
      },
      summarize(result) {
        const campaign = result as { name: string; id: string };
        return `Created the draft campaign ${campaign.name}.`;
      },
    }),

    defineTool({
      name: 'generate_strategy',
      description:
        "Starts the AI job that writes the campaign's strategy and content calendar (each calendar entry becomes a content placeholder). Returns the job id; the job runs in the background.",
      input: z.object({
        campaignId: CampaignId,
        notes: z
          .string()
          .trim()
          .max(2000)
          .optional()
          .describe('Anything the strategist should know: constraints, offers, dates that matter'),
      }),
      readOnly: false,
      permission: 'content.write',
      describe: (input) =>
        `Start the AI strategy job for campaign ${input.campaignId}${input.notes ? ` (notes: ${clip(input.notes, 120)})` : ''}.`,
      async run(context, input) {
        const job = await campaigns.startStrategy(
          context.principal,
          context.businessId,
          input.campaignId,
          input.notes ? { notes: input.notes } : {},
        );
        return { jobId: job.id, status: job.status };
      },
      summarize: (result) =>
        `Started the strategy job ${(result as { jobId: string }).jobId}; it runs in the background.`,
    }),
  ];
}

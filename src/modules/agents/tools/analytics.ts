// Analytics tools: a campaign's figures per platform, per piece and per day (what the performance
// analyst diagnoses from), and the business overview across campaigns.
import { z } from 'zod';

import { type AgentTool, defineTool } from '../tool-registry.ts';
import type { AgentToolServices } from './services.ts';
import { clip, count, percent } from './shared.ts';

/** Pieces and days kept in a campaign's answer: the best pieces and the latest days. */
const TOP_PIECES = 20;
const LAST_DAYS = 14;
const TOP_CAMPAIGNS = 20;

interface Figures {
  impressions: number;
  clicks: number;
  conversions: number;
  spendCents: number;
  revenueCents: number;
  ctr: number | null;
  roas: number | null;
}

function figuresSentence(totals: Figures): string {
  if (totals.impressions === 0 && totals.clicks === 0 && totals.conversions === 0) {
    return 'no figures reported yet';
  }
  return `${count(totals.impressions, 'impression')}, ${count(totals.clicks, 'click')} (CTR ${percent(totals.ctr)}), ${count(totals.conversions, 'conversion')}${totals.spendCents > 0 ? `, ROAS ${totals.roas === null ? 'n/a' : String(totals.roas)}` : ''}`;
}

export function analyticsTools(services: Pick<AgentToolServices, 'analytics'>): AgentTool[] {
  const { analytics } = services;
  return [
    defineTool({
      name: 'get_campaign_analytics',
      description:
        "A campaign's performance: totals (impressions, clicks, reactions, shares, conversions, spend and revenue in cents, CTR, conversion rate, cost per conversion, ROAS), the same per platform, per piece (the 20 with the most impressions) and per day (the last 14 days with figures), and its pieces by status.",
      input: z.object({ campaignId: z.uuid().describe('The campaign id (from list_campaigns)') }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['campaign performance', 'ctr', 'roas', 'conversions', 'impressions'],
      async run(context, input) {
        const figures = await analytics.campaign(
          context.principal,
          context.businessId,
          input.campaignId,
        );
        const pieces = [...figures.byContent].sort((a, b) => b.impressions - a.impressions);
        return {
          campaignId: figures.campaignId,
          totals: figures.totals,
          byPlatform: figures.byPlatform,
          byContent: pieces
            .slice(0, TOP_PIECES)
            .map((piece) => ({ ...piece, topic: clip(piece.topic, 80) })),
          piecesWithFigures: pieces.length,
          byDay: figures.byDay.slice(-LAST_DAYS),
          daysWithFigures: figures.byDay.length,
          contentByStatus: figures.contentByStatus,
        };
      },
      summarize(result) {
        const figures = result as { totals: Figures; byPlatform: unknown[] };
        return `The campaign has ${figuresSentence(figures.totals)}, across ${count(figures.byPlatform.length, 'platform')}.`;
      },
    }),

    defineTool({
      name: 'get_analytics_overview',
      description:
        "The business's performance overview: totals across campaigns, each campaign's figures (the 20 with the most impressions: name, status, impressions, clicks, CTR, conversions, ROAS), pieces by status, and pieces published in the last 30 days.",
      input: z.object({}),
      readOnly: true,
      permission: 'business.read',
      keywords: ['performance', 'analytics', 'results', 'metrics', 'how are we doing', 'report'],
      async run(context) {
        const overview = await analytics.overview(context.principal, context.businessId);
        const campaigns = [...overview.campaigns].sort((a, b) => b.impressions - a.impressions);
        return {
          totals: overview.totals,
          campaigns: campaigns.slice(0, TOP_CAMPAIGNS),
          campaignCount: campaigns.length,
          contentByStatus: overview.contentByStatus,
          publishedLast30Days: overview.publishedLast30Days,
        };
      },
      summarize(result) {
        const overview = result as {
          totals: Figures;
          campaignCount: number;
          publishedLast30Days: number;
        };
        return `Across ${count(overview.campaignCount, 'campaign')}: ${figuresSentence(overview.totals)}; ${count(overview.publishedLast30Days, 'piece')} published in the last 30 days.`;
      },
    }),
  ];
}

import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';
import { Platform } from './platform.ts';
import { Strategy } from './strategy.ts';

export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'completed', 'archived'] as const;
/** What each status means, and which change Herald makes by itself (see progress.ts). */
const STATUS_MEANING =
  "draft: being planned, nothing of it scheduled yet; active: under way; paused, completed, archived: as the marketer sets them. Herald makes one change by itself: a draft campaign becomes active when one of its pieces is scheduled (so a campaign with scheduled or published pieces is not left a draft). Every other change is the marketer's. How far its pieces have come is `progress`.";

export const CampaignStatus = z.enum(CAMPAIGN_STATUSES).describe(STATUS_MEANING);

/** Counted by the content module in one grouped query per page (see progress.ts). */
export const CampaignProgress = z
  .object({
    total: z.number().int().describe('Pieces of the campaign, archived ones left out'),
    written: z
      .number()
      .int()
      .describe('Pieces that have text, whatever their status (placeholders have none)'),
    inReview: z.number().int().describe('Pieces in review now'),
    approved: z.number().int().describe('Pieces approved and not yet scheduled'),
    scheduled: z.number().int().describe('Pieces scheduled and not yet published'),
    published: z.number().int().describe('Pieces published'),
    failed: z.number().int().describe('Pieces whose publishing failed for good'),
  })
  .describe(
    "How far the campaign's pieces have come: `written` counts every piece with text; each of the others counts the pieces in that status now, so they add up to at most `total`.",
  )
  .meta({ id: 'CampaignProgress' });
export type CampaignProgress = z.infer<typeof CampaignProgress>;

const IsoDate = z.iso.date().meta({ example: '2026-03-02' });

const CampaignFields = {
  name: z.string().trim().min(1).max(160).meta({ example: 'Spring menu launch' }),
  goal: z.string().trim().max(1000),
  audience: z
    .string()
    .trim()
    .max(2000)
    .nullable()
    .describe("Overrides the business's audience; null uses it"),
  channels: z
    .array(Platform)
    .max(7)
    .transform((channels) => [...new Set(channels)]),
  budgetCents: z.number().int().min(0).max(1e12).nullable(),
  startDate: IsoDate.nullable(),
  endDate: IsoDate.nullable(),
  status: CampaignStatus,
};

export const CreateCampaignBody = z.object({
  name: CampaignFields.name,
  goal: CampaignFields.goal.default(''),
  audience: CampaignFields.audience.default(null),
  channels: CampaignFields.channels.default([]),
  budgetCents: CampaignFields.budgetCents.default(null),
  startDate: CampaignFields.startDate.default(null),
  endDate: CampaignFields.endDate.default(null),
  status: CampaignFields.status.default('draft'),
});
export type CreateCampaignBody = z.infer<typeof CreateCampaignBody>;

export const UpdateCampaignBody = z
  .object(CampaignFields)
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'send at least one field to change');
export type UpdateCampaignBody = z.infer<typeof UpdateCampaignBody>;

export const Campaign = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    name: z.string(),
    goal: z.string(),
    audience: z.string().nullable(),
    channels: z.array(z.string()),
    budgetCents: z.number().nullable(),
    startDate: z.string().nullable(),
    endDate: z.string().nullable(),
    status: z.string().describe(STATUS_MEANING),
    progress: CampaignProgress,
    strategyVersion: z.number().int().describe('Latest strategy version; 0 when none yet'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Campaign' });
export type Campaign = z.infer<typeof Campaign>;

export const CampaignPage = pageSchema(Campaign);
export const CampaignListQuery = PaginationQuery.extend({ status: CampaignStatus.optional() });
export type CampaignListQuery = z.infer<typeof CampaignListQuery>;

export const CampaignParams = z.object({ businessId: z.uuid(), campaignId: z.uuid() });

export const StrategyVersion = z
  .object({
    id: z.uuid(),
    campaignId: z.uuid(),
    version: z.number().int(),
    strategy: Strategy,
    jobId: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'StrategyVersion' });
export type StrategyVersion = z.infer<typeof StrategyVersion>;
export const StrategyVersionList = z.object({ items: z.array(StrategyVersion) });

export const StrategyRequest = z.object({
  notes: z
    .string()
    .trim()
    .max(2000)
    .optional()
    .describe('Anything the strategist should know: constraints, offers, dates that matter'),
});
export type StrategyRequest = z.infer<typeof StrategyRequest>;

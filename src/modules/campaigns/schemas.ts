import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';
import { Platform } from './platform.ts';
import { Strategy } from './strategy.ts';

export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'completed', 'archived'] as const;
export const CampaignStatus = z.enum(CAMPAIGN_STATUSES);

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
    status: z.string(),
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

// What other modules may use of campaigns: reading a campaign, the platform schema, the
// `{campaignId}` path parameters, and the port the content module implements for the strategy
// job's placeholders.
export type { CalendarPlaceholders } from './jobs.ts';
export { type CampaignLookup, type CampaignSummary, createCampaignLookup } from './lookup.ts';
export { Platform } from './platform.ts';
export { CampaignParams } from './schemas.ts';

// What other modules may use of campaigns: reading a campaign, the platform schema, the
// `{campaignId}` path parameters, the ports the content module implements (the strategy job's
// placeholders, the count of a campaign's pieces) and the rule that activates a draft campaign
// when one of its pieces is scheduled.
export type { CalendarPlaceholders } from './jobs.ts';
export {
  campaignJobSubject,
  type CampaignLookup,
  type CampaignSummary,
  createCampaignLookup,
} from './lookup.ts';
export { Platform } from './platform.ts';
export { activateDraftCampaign, type CampaignPieceCounter } from './progress.ts';
export {
  type Campaign,
  CampaignParams,
  type CampaignProgress,
  CampaignStatus,
  CreateCampaignBody,
} from './schemas.ts';
/** The service, for the agents' tools (they call it as the routes do). */
export type { CampaignService } from './service.ts';

// What other modules may use of content: reading a piece, the `{contentId}` path parameters, the
// calendar placeholders the campaigns module's strategy job writes through, and the count of a
// campaign's pieces its answers carry.
export { createCampaignPieceCounter } from './campaign-progress.ts';
export { createContentLookup } from './lookup.ts';
export { createCalendarPlaceholders } from './placeholders.ts';
export { plainTextOf } from './platforms.ts';
export { type Content, ContentParams, ContentStatus, ScheduleBody } from './schemas.ts';
/** The service, for the agents' tools (they call it as the routes do). */
export type { ContentService } from './service.ts';

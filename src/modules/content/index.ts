// What other modules may use of content: reading a piece, the `{contentId}` path parameters, the
// calendar placeholders the campaigns module's strategy job writes through, the count of a
// campaign's pieces its answers carry, and which model wrote a piece and what became of its
// draft (the AI quality figures).
export { createCampaignPieceCounter } from './campaign-progress.ts';
export { createContentLookup } from './lookup.ts';
export { createCalendarPlaceholders } from './placeholders.ts';
export { plainTextOf } from './platforms.ts';
export { type Content, ContentParams, ContentStatus, ScheduleBody } from './schemas.ts';
/** The service, for the agents' tools (they call it as the routes do). */
export {
  type ApprovedDraft,
  type ContentProvenance,
  createContentProvenance,
  type DraftProvenance,
} from './provenance.ts';
export type { ContentService } from './service.ts';

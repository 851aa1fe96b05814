// What other modules may use of content: reading a piece, the `{contentId}` path parameters, and
// the calendar placeholders the campaigns module's strategy job writes through.
export { createContentLookup } from './lookup.ts';
export { createCalendarPlaceholders } from './placeholders.ts';
export { ContentParams } from './schemas.ts';

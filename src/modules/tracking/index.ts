// What other modules may use of tracking: the one way to write events (Herald's own email
// events go through the same ledger as the Segment API's), and the row shape.
export { identityHash, type IdentityKind } from './identity-hash.ts';
export {
  type EmailEventName,
  type InternalEvent,
  recordInternalEvents,
} from './internal-events.ts';
export type { EventRow } from './repository.ts';

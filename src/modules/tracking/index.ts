// What other modules may use of tracking: the one way to write events (Herald's own email
// events go through the same ledger as the Segment API's), and the row shape.
export { identityHash, type IdentityKind } from './identity-hash.ts';
export {
  type EmailEventName,
  type InternalEvent,
  recordInternalEvents,
} from './internal-events.ts';
export type { EventRow } from './repository.ts';
// The camelCase event shape of the debugger, for any other list of events (a customer's timeline).
export { TrackedEvent } from './sources-schemas.ts';
export { toTrackedEvent } from './sources-service.ts';

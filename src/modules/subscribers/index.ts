// What other modules may use of subscribers: the email audience (who may be emailed, the
// suppression list, what a template may say about a subscriber).
export { createEmailAudience, type EmailAudienceLookup } from './audience.ts';
/** The consent vocabulary and the service, for the agents' tools (they call it as the routes do). */
export { ConsentStatus } from './schemas.ts';
export type { SubscriberService } from './service.ts';

// What other modules may use of subscribers: the email audience (who may be emailed, the
// suppression list, what a template may say about a subscriber).
export { createEmailAudience, type EmailAudienceLookup } from './audience.ts';

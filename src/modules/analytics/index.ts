// What other modules may use of analytics: the service's type, for the agents' tools (they call
// it with the chat user's principal, as the routes do).
export type { AnalyticsService } from './service.ts';

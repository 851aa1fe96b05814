// What other modules may use of customer intelligence: the types of the runs' service and of the
// questions' service, for the agents' tools (they call them with the chat user's principal, as
// the routes do).
export type { QuestionService } from './questions.ts';
export type { IntelligenceService } from './service.ts';

// What other modules may use of the knowledge base: the service factory (the agents' researcher
// calls its `search`), its type, and the shape of a search hit.
export type { KnowledgeHit } from './schemas.ts';
export { createKnowledgeService, type KnowledgeDeps, type KnowledgeService } from './service.ts';

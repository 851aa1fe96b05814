// The agents' replies as subjects of the AI quality ratings (modules/ai-usage ChatMessageSubjects):
// a member rates the replies in their own sessions; a reply the builtin provider or a confirmed
// action wrote is still rateable, under the task of the agents that answered.
import type { Executor } from '../../platform/db/client.ts';
import { createAgentRepository } from './repository.ts';

export function createChatMessageSubjects(db: Executor) {
  const repository = createAgentRepository(db);
  return {
    async provenance(businessId: string, messageId: string, userId: string) {
      const row = await repository.replyOf(businessId, messageId, userId);
      if (!row) return undefined;
      if (row.role !== 'assistant') return null;
      return {
        task: row.agents.length > 0 ? `chat.${row.agents.join('+')}` : 'chat',
        provider: row.provider,
        model: row.model,
        promptVersion: null,
      };
    },
  };
}

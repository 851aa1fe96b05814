// SQL of the MCP server: one decision-log row per tool call (channel `mcp`), in the same table
// the chat agents' turns are logged in, so the dashboard's decision log shows both.
import type { Executor } from '../../platform/db/client.ts';
import { agentDecisions, type DecisionToolCall } from '../../platform/db/schema/index.ts';

export interface McpDecision {
  businessId: string;
  userId: string;
  reasoning: string;
  call: DecisionToolCall;
  outcome: 'success' | 'failed';
  error: { code: string; message: string } | null;
  latencyMs: number;
}

export function createMcpRepository(db: Executor) {
  return {
    async insertDecision(decision: McpDecision): Promise<string> {
      const [row] = await db
        .insert(agentDecisions)
        .values({
          businessId: decision.businessId,
          userId: decision.userId,
          channel: 'mcp',
          agents: [decision.call.agent],
          reasoning: decision.reasoning,
          toolCalls: [decision.call],
          outcome: decision.outcome,
          error: decision.error,
          latencyMs: decision.latencyMs,
        })
        .returning({ id: agentDecisions.id });
      if (!row) throw new Error('decision insert returned no row');
      return row.id;
    },
  };
}

export type McpRepository = ReturnType<typeof createMcpRepository>;

// The tools the agents act with, declared once: a snake_case verb-first name, what it does, the
// zod schema of its input, whether it only reads, the permission its caller needs, and the
// service call that does the work. The chat agents offer them to the model (ai/contract.ts
// ChatTool), and the MCP server will expose the same declarations. A tool acts for the chat's
// user on the session's business: `run` calls the module's service with that principal, so the
// service's own access check applies and another tenant's id is a not-found, as on the API.
import type { z } from 'zod';

import type { ChatTool } from '../../ai/contract.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import type { Permission } from '../../shared/permissions.ts';

export interface ToolContext {
  principal: Principal;
  businessId: string;
  signal?: AbortSignal | undefined;
}

export interface AgentTool<Input extends Record<string, unknown> = Record<string, unknown>> {
  /** snake_case, verb first: list_campaigns, draft_content. */
  name: string;
  /** What the model reads to decide when to call it: what it does and what it returns. */
  description: string;
  /** The input without the business (the session's business is implied). */
  input: z.ZodType<Input>;
  /** Reads only; anything else waits for the user's confirmation before it runs. */
  readOnly: boolean;
  /** What the chat's user must hold in the business (shared/permissions.ts). */
  permission: Permission;
  /** Words in a message that make the builtin provider (no model configured) call a read tool. */
  keywords?: readonly string[];
  /** A data-changing tool: the sentence the user is asked to confirm, from its input. */
  describe?: (input: Input) => string;
  run(context: ToolContext, input: Input): Promise<unknown>;
  /** One sentence saying what the result holds (the tool card, and the builtin answer). */
  summarize(result: unknown, input: Input): string;
}

/** Declares a tool with its input type inferred from the schema. */
export function defineTool<Input extends Record<string, unknown>>(
  tool: AgentTool<Input>,
): AgentTool {
  return tool as unknown as AgentTool;
}

/** The model-facing declaration of a tool (what ai/ sends to the provider). */
export function chatToolOf(tool: AgentTool): ChatTool {
  return {
    name: tool.name,
    description: tool.readOnly
      ? tool.description
      : `${tool.description} Changes data: the user is asked to confirm before it runs.`,
    input: tool.input,
    readOnly: tool.readOnly,
    ...(tool.keywords ? { keywords: tool.keywords } : {}),
  };
}

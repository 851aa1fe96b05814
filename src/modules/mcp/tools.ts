// The agents' tools as MCP declares them: the same names and zod schemas, with the business as an
// argument (`businessId`, required: a user may own several) and, on a data-changing tool,
// `confirm` (MCP has no confirmation round-trip of ours, so the caller says yes in the call).
// The JSON Schema of each tool is built once; arguments are checked against the tool's own zod
// schema, and a refusal names the field.
import { z } from 'zod';

import type { AgentTool } from '../agents/index.ts';

export interface McpToolDeclaration {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: 'object'; properties?: Record<string, object>; required?: string[] };
  annotations: {
    title: string;
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint: boolean;
    openWorldHint: boolean;
  };
}

export interface McpTool {
  agentTool: AgentTool;
  declaration: McpToolDeclaration;
}

/** Arguments that failed the tool's schema: the message names each field and what is wrong. */
export class ToolArgumentsError extends Error {
  readonly tool: string;
  readonly fields: { field: string; message: string }[];

  constructor(tool: string, fields: { field: string; message: string }[]) {
    super(
      `Invalid arguments for ${tool}: ${fields.map((item) => `${item.field}: ${item.message}`).join('; ')}`,
    );
    this.name = 'ToolArgumentsError';
    this.tool = tool;
    this.fields = fields;
  }
}

const BusinessId = z
  .uuid()
  .describe('The business to act on (its id, as in the dashboard URL or herald://businesses)');
const Confirm = z
  .boolean()
  .optional()
  .describe(
    'Changes data: without `confirm: true` nothing runs and the result describes the action to confirm; call again with `confirm: true` to do it',
  );
const Envelope = z.object({ businessId: BusinessId, confirm: Confirm });

const titleOf = (name: string) => {
  const words = name.split('_').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** The tool's input as JSON Schema, with `businessId` (and `confirm`) added. */
function inputSchemaOf(tool: AgentTool): McpToolDeclaration['inputSchema'] {
  // The input side (defaults make a field optional), and never a throw for an exotic type.
  const own = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, object>;
    required?: string[];
  };
  const envelope = z.toJSONSchema(Envelope, { io: 'input' }) as {
    properties: Record<string, object>;
  };
  const properties: Record<string, object> = {
    businessId: envelope.properties.businessId ?? {},
    ...own.properties,
  };
  if (!tool.readOnly) properties.confirm = envelope.properties.confirm ?? {};
  return {
    type: 'object',
    properties,
    required: ['businessId', ...(own.required ?? [])],
  };
}

export function mcpToolOf(tool: AgentTool): McpTool {
  const title = titleOf(tool.name);
  return {
    agentTool: tool,
    declaration: {
      name: tool.name,
      title,
      description: tool.readOnly
        ? tool.description
        : `${tool.description} Changes data: call it with confirm: true to run it; without, it only describes what it would do.`,
      inputSchema: inputSchemaOf(tool),
      annotations: {
        title,
        readOnlyHint: tool.readOnly,
        destructiveHint: false,
        idempotentHint: tool.readOnly,
        // search_web reaches outside Herald; everything else stays within the business's data.
        openWorldHint: tool.name === 'search_web',
      },
    },
  };
}

function fieldIssues(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(arguments)',
    message: issue.message,
  }));
}

export interface ToolArguments {
  businessId: string;
  confirm: boolean;
  input: Record<string, unknown>;
}

/** The call's arguments checked: the business, the confirmation, the tool's own input. */
export function parseToolArguments(tool: McpTool, args: unknown): ToolArguments {
  const raw: Record<string, unknown> =
    args !== null && typeof args === 'object' && !Array.isArray(args)
      ? { ...(args as Record<string, unknown>) }
      : {};
  const { businessId, confirm, ...rest } = raw;
  const envelope = Envelope.safeParse({ businessId, confirm });
  const input = tool.agentTool.input.safeParse(rest);
  const issues = [
    ...(envelope.success ? [] : fieldIssues(envelope.error)),
    ...(input.success ? [] : fieldIssues(input.error)),
  ];
  if (!envelope.success || !input.success || issues.length > 0) {
    throw new ToolArgumentsError(tool.agentTool.name, issues);
  }
  return {
    businessId: envelope.data.businessId,
    confirm: envelope.data.confirm === true,
    input: input.data,
  };
}

// The rules of Herald's MCP server: which tools a caller sees (a read-only key sees read tools
// only), how a tool call runs (arguments checked against the tool's own schema, the business's
// access check with the tool's permission, then the same tool run the chat agents use, with the
// caller's principal), the confirmation rule for data-changing tools, and the record of each call
// (decision log, metrics, a log line). Resources and prompts are read through the same tools.
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError } from '../../platform/http/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { AgentTool } from '../agents/index.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import { PROMPTS } from './prompts.ts';
import type { McpRepository } from './repository.ts';
import {
  listUri,
  parseResourceUri,
  RESOURCE_DECLARATIONS,
  RESOURCE_KINDS,
  RESOURCE_LIST_LIMIT,
  resourceTemplates,
} from './resources.ts';
import {
  type McpTool,
  type McpToolDeclaration,
  mcpToolOf,
  parseToolArguments,
  ToolArgumentsError,
} from './tools.ts';

/** How the decision log names the caller of an MCP call (DecisionToolCall.agent). */
export const MCP_AGENT = 'mcp';
/** The decision log keeps the shape of a result, not all of it. */
const LOG_RESULT_CHARS = 2_000;

export type ToolOutcome =
  'done' | 'awaiting_confirmation' | 'invalid_arguments' | 'refused' | 'failed';

/** A tool call's answer, as MCP's CallToolResult. */
export interface ToolCallResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export interface McpServiceDeps {
  tools: readonly AgentTool[];
  access: BusinessAccess;
  repository: McpRepository;
  /** The businesses a principal may act on (a business key: its one business). */
  businessesOf(principal: Principal): Promise<{ id: string; name: string }[]>;
  metrics: Metrics;
  logger: Logger;
}

function trimmed(value: unknown, max: number): unknown {
  const json = (JSON.stringify(value) as string | undefined) ?? 'null';
  return json.length <= max ? value : { truncated: true, preview: json.slice(0, max) };
}

const mayWrite = (principal: Principal) => principal.scopes.includes('write');

function errorResult(
  code: string,
  message: string,
  details?: Record<string, unknown>,
): ToolCallResult {
  const hasDetails = details !== undefined && Object.keys(details).length > 0;
  return {
    content: [{ type: 'text', text: `${code}: ${message}` }],
    structuredContent: { error: { code, message, ...(hasDetails ? { details } : {}) } },
    isError: true,
  };
}

export function createMcpService(deps: McpServiceDeps) {
  const { access, repository, metrics, logger } = deps;
  const tools = new Map<string, McpTool>(
    deps.tools.map((tool) => [tool.name, mcpToolOf(tool)] as const),
  );
  const allDeclarations = [...tools.values()].map((tool) => tool.declaration);
  const readDeclarations = allDeclarations.filter((declaration) =>
    Boolean(tools.get(declaration.name)?.agentTool.readOnly),
  );

  function record(tool: string, outcome: ToolOutcome, started: number) {
    const seconds = (performance.now() - started) / 1000;
    metrics.mcpToolCalls.inc({ tool, outcome });
    metrics.mcpToolCallDuration.observe({ tool, outcome }, seconds);
  }

  // Decision-log rows being written: the caller does not wait for the bookkeeping (on a
  // PostgreSQL server a commit's flush is most of a read tool's cost); `flush` waits for them.
  const pending = new Set<Promise<void>>();

  /** The call in the decision log of its business (only once the caller's access is known). */
  function logDecision(
    principal: Principal,
    businessId: string,
    call: { tool: string; input: unknown; result: unknown; outcome: ToolOutcome; ms: number },
    error: { code: string; message: string } | null,
  ): void {
    const written = writeDecision(principal, businessId, call, error).catch((failure: unknown) => {
      logger.error({ err: failure, tool: call.tool, businessId }, 'mcp decision log write failed');
    });
    pending.add(written);
    void written.finally(() => pending.delete(written));
  }

  async function writeDecision(
    principal: Principal,
    businessId: string,
    call: { tool: string; input: unknown; result: unknown; outcome: ToolOutcome; ms: number },
    error: { code: string; message: string } | null,
  ) {
    await repository.insertDecision({
      businessId,
      userId: principal.userId,
      reasoning:
        principal.via === 'api_key'
          ? `Called over MCP with an API key (${principal.apiKeyId ?? 'unknown'})`
          : 'Called over MCP by a signed-in user',
      call: {
        agent: MCP_AGENT,
        tool: call.tool,
        input: call.input,
        result: trimmed(call.result, LOG_RESULT_CHARS),
        outcome: call.outcome,
        ms: call.ms,
      },
      outcome: error ? 'failed' : 'success',
      error,
      latencyMs: call.ms,
    });
  }

  /** Runs a read tool for a resource: the same arguments check, access check and tool run. */
  async function readWithTool(
    principal: Principal,
    name: string,
    businessId: string,
    input: Record<string, unknown>,
  ): Promise<unknown> {
    const tool = tools.get(name);
    if (!tool) throw new McpError(ErrorCode.InternalError, `The ${name} tool is missing`);
    let parsed;
    try {
      parsed = parseToolArguments(tool, { businessId, ...input });
    } catch (error) {
      if (error instanceof ToolArgumentsError) {
        throw new McpError(ErrorCode.InvalidParams, error.message);
      }
      throw error;
    }
    try {
      await access.require(principal, parsed.businessId, tool.agentTool.permission);
      return await tool.agentTool.run({ principal, businessId: parsed.businessId }, parsed.input);
    } catch (error) {
      // -32002 is the protocol's "resource not found"; another tenant's business is one.
      if (error instanceof AppError && error.code === 'NOT_FOUND') {
        throw new McpError(-32002, error.message);
      }
      if (error instanceof AppError) throw new McpError(ErrorCode.InvalidRequest, error.message);
      logger.error({ err: error, tool: name }, 'mcp resource read failed');
      throw new McpError(ErrorCode.InternalError, 'The resource could not be read');
    }
  }

  return {
    /**
     * Runs one protocol request: an McpError goes to the client as it is; anything unexpected
     * (the database gone, a bug) is logged in full and answered without its message, which
     * could carry SQL or internals.
     */
    async guard<T>(method: string, answer: () => T | Promise<T>): Promise<T> {
      try {
        return await answer();
      } catch (error) {
        if (error instanceof McpError) throw error;
        logger.error({ err: error, method }, 'mcp request failed');
        throw new McpError(ErrorCode.InternalError, 'Herald could not answer this request');
      }
    },

    /** Waits for the decision-log rows still being written (before shutdown; tests). */
    async flush(): Promise<void> {
      while (pending.size > 0) await Promise.all([...pending]);
    },

    /** The tools this principal may call: every tool, or the read tools for a read-only key. */
    listTools(principal: Principal): McpToolDeclaration[] {
      return mayWrite(principal) ? allDeclarations : readDeclarations;
    },

    /**
     * One tool call. Never throws for a call that reached a tool name: every failure is a tool
     * result with `isError` and a message (invalid arguments name the field), as MCP expects,
     * so an assistant can read it and correct itself.
     */
    async callTool(principal: Principal, name: string, args: unknown): Promise<ToolCallResult> {
      const started = performance.now();
      const tool = tools.get(name);
      if (!tool || (!tool.agentTool.readOnly && !mayWrite(principal))) {
        // A read-only key is not shown the data-changing tools; calling one is refused alike.
        const message = tool
          ? `${name} changes data and this API key is read-only`
          : `There is no tool named ${name}`;
        record(tool ? name : 'unknown', 'refused', started);
        return errorResult(tool ? 'FORBIDDEN' : 'NOT_FOUND', message);
      }
      let parsed;
      try {
        parsed = parseToolArguments(tool, args);
      } catch (error) {
        if (!(error instanceof ToolArgumentsError)) throw error;
        record(name, 'invalid_arguments', started);
        return errorResult('VALIDATION_ERROR', error.message, { fields: error.fields });
      }
      const { businessId, confirm, input } = parsed;
      const agentTool = tool.agentTool;
      try {
        await access.require(principal, businessId, agentTool.permission);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // Another tenant's business is "not found", like one that does not exist; not logged
        // in that business's decision log (the caller has no part in it).
        record(name, 'refused', started);
        return errorResult(error.code, error.message, error.details);
      }
      const ms = () => Math.round(performance.now() - started);

      if (!agentTool.readOnly && !confirm) {
        const action = agentTool.describe?.(input) ?? `Run ${name}`;
        const result = {
          status: 'confirmation_required',
          tool: name,
          action,
          arguments: { businessId, ...input, confirm: true },
          message: `Not run. ${action} Call ${name} again with the same arguments and confirm: true to do it.`,
        };
        logDecision(
          principal,
          businessId,
          { tool: name, input, result, outcome: 'awaiting_confirmation', ms: ms() },
          null,
        );
        record(name, 'awaiting_confirmation', started);
        return {
          content: [{ type: 'text', text: result.message }],
          structuredContent: result,
        };
      }

      try {
        const result = await agentTool.run({ principal, businessId }, input);
        const summary = agentTool.summarize(result, input);
        logDecision(
          principal,
          businessId,
          { tool: name, input, result, outcome: 'done', ms: ms() },
          null,
        );
        record(name, 'done', started);
        const structured =
          result !== null && typeof result === 'object' && !Array.isArray(result)
            ? (result as Record<string, unknown>)
            : { result };
        return {
          content: [{ type: 'text', text: `${summary}\n\n${JSON.stringify(result)}` }],
          structuredContent: structured,
        };
      } catch (error) {
        const problem =
          error instanceof AppError
            ? { code: error.code, message: error.message }
            : { code: 'INTERNAL', message: `${name} failed unexpectedly` };
        if (!(error instanceof AppError)) {
          logger.error({ err: error, tool: name, businessId }, 'mcp tool call failed');
        }
        logDecision(
          principal,
          businessId,
          { tool: name, input, result: { error: problem }, outcome: 'failed', ms: ms() },
          problem,
        );
        record(name, 'failed', started);
        return errorResult(
          problem.code,
          problem.message,
          error instanceof AppError ? error.details : undefined,
        );
      }
    },

    /** The list resources of each business the principal may act on. */
    async listResources(principal: Principal) {
      const businesses = await deps.businessesOf(principal);
      return businesses.flatMap((business) =>
        RESOURCE_KINDS.map((kind) => ({
          uri: listUri(business.id, kind),
          name: `${business.name}: ${RESOURCE_DECLARATIONS[kind].title.toLowerCase()}`,
          title: `${RESOURCE_DECLARATIONS[kind].title} of ${business.name}`,
          description: RESOURCE_DECLARATIONS[kind].description,
          mimeType: 'application/json',
        })),
      );
    },

    resourceTemplates,

    /** A `herald://` resource, read through the read tool of the same data. */
    async readResource(principal: Principal, uri: string) {
      const address = parseResourceUri(uri);
      if (!address) throw new McpError(-32002, `Resource not found: ${uri}`);
      const declaration = RESOURCE_DECLARATIONS[address.kind];
      const data =
        address.itemId === undefined
          ? await readWithTool(principal, declaration.listTool, address.businessId, {
              limit: RESOURCE_LIST_LIMIT,
            })
          : await readWithTool(principal, declaration.getTool, address.businessId, {
              [declaration.idField]: address.itemId,
            });
      return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(data) }] };
    },

    listPrompts() {
      return PROMPTS.map((prompt) => ({
        name: prompt.name,
        title: prompt.title,
        description: prompt.description,
        arguments: prompt.arguments,
      }));
    },

    /** A prompt's message; a missing or malformed argument is an error naming it. */
    getPrompt(name: string, args: Record<string, string> | undefined) {
      const prompt = PROMPTS.find((candidate) => candidate.name === name);
      if (!prompt) throw new McpError(ErrorCode.InvalidParams, `There is no prompt named ${name}`);
      const parsed = prompt.schema.safeParse(args ?? {});
      if (!parsed.success) {
        const fields = parsed.error.issues.map(
          (issue) => `${issue.path.map(String).join('.') || '(arguments)'}: ${issue.message}`,
        );
        throw new McpError(
          ErrorCode.InvalidParams,
          `Invalid arguments for prompt ${name}: ${fields.join('; ')}`,
        );
      }
      return {
        description: prompt.description,
        messages: [
          {
            role: 'user' as const,
            content: { type: 'text' as const, text: prompt.text(parsed.data) },
          },
        ],
      };
    },
  };
}

export type McpService = ReturnType<typeof createMcpService>;

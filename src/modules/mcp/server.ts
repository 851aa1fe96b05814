// The MCP protocol side: an SDK `Server` answering tools, resources and prompts for one caller,
// with the service's rules behind each request. Streamable HTTP is stateless here: every POST
// gets a fresh server and transport (cheap: the tool declarations are built once, in the
// service), so any instance behind a load balancer can answer any request.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

import type { Principal } from '../../platform/http/auth-guard.ts';
import type { McpService } from './service.ts';

const INSTRUCTIONS =
  "Herald is a marketing command center. Every tool acts on one business: pass its id as businessId (the herald://businesses resources list the caller's businesses). Tools that change data run only with confirm: true; without it they answer with the action to confirm.";

/** A protocol server for one caller (its principal decides what it sees and may do). */
export function createProtocolServer(
  service: McpService,
  principal: Principal,
  version: string,
): McpServer {
  // The SDK's high-level server, with handlers set on its protocol server directly: the tools
  // come from the agents' registry with their own JSON Schemas, and differ by caller.
  const mcpServer = new McpServer(
    { name: 'herald', title: 'Herald', version },
    {
      capabilities: { tools: {}, resources: {}, prompts: {} },
      instructions: INSTRUCTIONS,
    },
  );
  const { server } = mcpServer;
  server.setRequestHandler(ListToolsRequestSchema, () =>
    service.guard('tools/list', () => ({ tools: service.listTools(principal) })),
  );
  server.setRequestHandler(CallToolRequestSchema, (request) =>
    service.guard('tools/call', () =>
      service.callTool(principal, request.params.name, request.params.arguments),
    ),
  );
  server.setRequestHandler(ListResourcesRequestSchema, () =>
    service.guard('resources/list', async () => ({
      resources: await service.listResources(principal),
    })),
  );
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () =>
    service.guard('resources/templates/list', () => ({
      resourceTemplates: service.resourceTemplates(),
    })),
  );
  server.setRequestHandler(ReadResourceRequestSchema, (request) =>
    service.guard('resources/read', () => service.readResource(principal, request.params.uri)),
  );
  server.setRequestHandler(ListPromptsRequestSchema, () =>
    service.guard('prompts/list', () => ({ prompts: service.listPrompts() })),
  );
  server.setRequestHandler(GetPromptRequestSchema, (request) =>
    service.guard('prompts/get', () =>
      service.getPrompt(request.params.name, request.params.arguments),
    ),
  );
  return mcpServer;
}

/** Answers one Streamable HTTP request (already authenticated) with a fresh server. */
export async function answerStreamableHttp(
  service: McpService,
  principal: Principal,
  version: string,
  request: Request,
  parsedBody: unknown,
): Promise<Response> {
  const server = createProtocolServer(service, principal, version);
  // Stateless (no session id), answers as JSON rather than an event stream: each request is one
  // exchange, and nothing is pushed later.
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request, { parsedBody });
  } finally {
    await server.close();
  }
}

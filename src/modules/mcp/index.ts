// What the rest of Herald uses of the MCP module: the service factory and its repository (for
// the composition root), the routes, and the stdio bridge `herald mcp` runs.
export { createMcpRepository } from './repository.ts';
export { MCP_PATH, mcpRoutes } from './routes.ts';
export { createMcpService, type McpService } from './service.ts';

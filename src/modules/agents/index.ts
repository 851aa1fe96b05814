// What other modules may use of the agents: the tool registry's declaration (the MCP server
// exposes the same tools), and the service's type for the composition root.
export type { AgentService, LearningRecall } from './service.ts';
export { createChatMessageSubjects } from './subjects.ts';
export { type AgentTool, chatToolOf, type ToolContext } from './tool-registry.ts';

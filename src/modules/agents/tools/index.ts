// The tools the marketing agents act with, one file per domain. Each calls its module's service
// with the chat user's principal and the session's business, exactly as the HTTP route does, so
// the service's access check, validation and workflow rules apply (another tenant's id is the
// service's NOT_FOUND, left to propagate). Results are shaped here, small enough for a model.
import type { AgentTool } from '../tool-registry.ts';
import { analyticsTools } from './analytics.ts';
import { audienceTools } from './audience.ts';
import { campaignTools } from './campaigns.ts';
import { contentTools } from './content.ts';
import { intelligenceTools } from './intelligence.ts';
import { researchTools } from './research.ts';
import { sequenceTools } from './sequences.ts';
import type { AgentToolServices } from './services.ts';

export type { AgentToolServices } from './services.ts';

/** Every tool, read tools and data-changing ones; names are unique. */
export function createAgentTools(services: AgentToolServices): AgentTool[] {
  const tools = [
    ...campaignTools(services),
    ...contentTools(services),
    ...analyticsTools(services),
    ...sequenceTools(services),
    ...audienceTools(services),
    ...intelligenceTools(services),
    ...researchTools(services),
  ];
  const names = new Set(tools.map((tool) => tool.name));
  if (names.size !== tools.length) throw new Error('two agent tools share a name');
  return tools;
}

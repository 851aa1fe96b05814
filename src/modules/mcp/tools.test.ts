// The MCP form of an agent tool: businessId (and confirm on a data-changing tool) added to its
// JSON Schema, and arguments checked against the tool's own zod schema, each bad field named.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import type { AgentTool } from '../agents/index.ts';
import { mcpToolOf, parseToolArguments, ToolArgumentsError } from './tools.ts';

const readTool = mcpToolOf({
  name: 'list_things',
  description: 'Lists things.',
  input: z.object({ limit: z.number().int().min(1).max(50).default(10) }),
  readOnly: true,
  permission: 'business.read',
  run: () => Promise.resolve([]),
  summarize: () => 'No things.',
} satisfies AgentTool);
const writeTool = mcpToolOf({
  name: 'create_thing',
  description: 'Creates a thing.',
  input: z.object({ name: z.string().min(1) }),
  readOnly: false,
  permission: 'content.write',
  describe: (input) => `Create ${String(input.name)}.`,
  run: () => Promise.resolve({}),
  summarize: () => 'Created.',
} satisfies AgentTool);
const BUSINESS = '00000000-0000-4000-8000-000000000001';

describe('the MCP form of an agent tool', () => {
  it('requires businessId, and offers confirm only on a data-changing tool', () => {
    expect(readTool.declaration.inputSchema.required).toEqual(['businessId']);
    expect(readTool.declaration.inputSchema.properties).toHaveProperty('limit');
    expect(readTool.declaration.inputSchema.properties).not.toHaveProperty('confirm');
    expect(writeTool.declaration.inputSchema.required).toEqual(['businessId', 'name']);
    expect(writeTool.declaration.inputSchema.properties).toHaveProperty('confirm');
    expect(writeTool.declaration.description).toContain('confirm: true');
    expect(writeTool.declaration.annotations.readOnlyHint).toBe(false);
  });

  it('applies the tool’s defaults and separates the business and the confirmation', () => {
    expect(parseToolArguments(readTool, { businessId: BUSINESS })).toEqual({
      businessId: BUSINESS,
      confirm: false,
      input: { limit: 10 },
    });
    expect(
      parseToolArguments(writeTool, { businessId: BUSINESS, name: 'A', confirm: true }),
    ).toEqual({ businessId: BUSINESS, confirm: true, input: { name: 'A' } });
  });

  it('names every bad field', () => {
    const attempt = () => parseToolArguments(writeTool, { businessId: 'nope', confirm: 'yes' });
    expect(attempt).toThrow(ToolArgumentsError);
    expect(attempt).toThrow(/^Invalid arguments for create_thing: businessId: .*confirm: .*name: /);
    expect(() => parseToolArguments(readTool, null)).toThrow(/businessId/);
  });
});

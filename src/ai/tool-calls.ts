// Checks a tool call the way ai.run checks an answer, before anything runs it: the tool must be
// one that was offered, its arguments must be JSON (jsonrepair mends broken JSON, and the call
// says so), and the value must pass the tool's zod schema. A call that fails says why, naming
// the field, so the agent can tell the model what to fix.
import { jsonrepair } from 'jsonrepair';

import type { ChatTool, ChatToolCall } from './contract.ts';
import { summarizeIssues } from './parse.ts';
import type { RawToolCall } from './types.ts';

const MAX_RAW_INPUT = 4_000;

function parseArguments(text: string): { value: unknown; repaired: boolean } | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return { value: {}, repaired: false }; // a call without arguments
  try {
    return { value: JSON.parse(trimmed) as unknown, repaired: false };
  } catch {
    // mended below
  }
  try {
    return { value: JSON.parse(jsonrepair(trimmed)) as unknown, repaired: true };
  } catch {
    return undefined;
  }
}

export function validateToolCall(raw: RawToolCall, tools: readonly ChatTool[]): ChatToolCall {
  const invalid = (error: string): ChatToolCall => ({
    id: raw.id,
    name: raw.name,
    valid: false,
    error,
    rawInput: raw.arguments.slice(0, MAX_RAW_INPUT),
  });
  const tool = tools.find((candidate) => candidate.name === raw.name);
  if (!tool) {
    const names = tools.map((candidate) => candidate.name).join(', ') || 'none';
    return invalid(`there is no tool named "${raw.name}" (the tools are: ${names})`);
  }
  const parsed = parseArguments(raw.arguments);
  if (!parsed) return invalid('the arguments are not JSON, even after repair');
  const checked = tool.input.safeParse(parsed.value);
  if (!checked.success) {
    return invalid(`the arguments do not match the schema: ${summarizeIssues(checked.error)}`);
  }
  return {
    id: raw.id,
    name: raw.name,
    valid: true,
    input: checked.data,
    repaired: parsed.repaired,
  };
}

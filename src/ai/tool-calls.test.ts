// What the agents get for each tool call a model writes: checked input, or why it cannot run.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import type { ChatTool } from './contract.ts';
import { validateToolCall } from './tool-calls.ts';

const tools: ChatTool[] = [
  {
    name: 'schedule_post',
    description: 'Schedules a post',
    input: z.object({ channel: z.enum(['instagram', 'email']), at: z.iso.datetime() }),
    readOnly: false,
  },
  { name: 'list_segments', description: 'Lists segments', input: z.object({}), readOnly: true },
];
const call = (name: string, args: string) =>
  validateToolCall({ id: 'c1', name, arguments: args }, tools);

describe('validateToolCall', () => {
  it('passes valid arguments through the schema', () => {
    expect(call('schedule_post', '{"channel":"email","at":"2026-12-24T08:00:00Z"}')).toEqual({
      id: 'c1',
      name: 'schedule_post',
      valid: true,
      input: { channel: 'email', at: '2026-12-24T08:00:00Z' },
      repaired: false,
    });
  });

  it('reads no arguments at all as an empty object', () => {
    expect(call('list_segments', '')).toMatchObject({ valid: true, input: {}, repaired: false });
  });

  it('mends broken JSON (Python literals, single quotes, a cut-off end) and says so', () => {
    expect(
      call('schedule_post', "{'channel': 'instagram', 'at': '2026-12-24T08:00:00Z'"),
    ).toMatchObject({
      valid: true,
      input: { channel: 'instagram' },
      repaired: true,
    });
  });

  it('names the field the schema refuses, and keeps the raw arguments', () => {
    const result = call('schedule_post', '{"channel":"fax","at":"2026-12-24T08:00:00Z"}');
    expect(result).toMatchObject({
      valid: false,
      rawInput: '{"channel":"fax","at":"2026-12-24T08:00:00Z"}',
    });
    expect(!result.valid && result.error).toMatch(/channel/);
  });

  it('refuses a tool that was not offered, listing the ones that were', () => {
    const result = call('drop_database', '{}');
    expect(!result.valid && result.error).toMatch(
      /no tool named "drop_database" \(the tools are: schedule_post, list_segments\)/,
    );
  });
});

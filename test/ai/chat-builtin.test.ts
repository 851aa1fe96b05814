// ai.chatStep with the builtin provider (no model configured): it looks things up with the
// read-only tools a message names, never anything that changes data, answers from the tools'
// summaries, says plainly that no model is configured otherwise, and streams like a model.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { ChatStepMessage } from '../../src/ai/contract.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { chatStep, TOOLS } from './chat-helpers.ts';
import { callsOf } from './helpers.ts';

const ask = (content: string): ChatStepMessage[] => [{ role: 'user', content }];

describe('ai.chatStep with the builtin provider', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let who: { businessId: string; userId: string };

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });
  beforeEach(async () => {
    const business = await newBusiness(ctx.app, owner);
    who = { businessId: business.id, userId: owner.id };
  });

  it('calls the read-only tools whose keywords the message names, and never a write tool', async () => {
    const { result, deltas } = await chatStep(
      ctx,
      ask('Send an EMAIL to my VIP Segment about the campaign'),
      who,
    );
    // list_segments and campaign_stats take {}; segment_size needs a segment, so it is skipped;
    // send_email matches "send", "email" and "segment" but changes things, so it never runs.
    expect(result.toolCalls.map((call) => [call.name, call.valid])).toEqual([
      ['list_segments', true],
      ['campaign_stats', true],
    ]);
    expect(result.toolCalls[0]).toMatchObject({ input: {}, repaired: false });
    expect(result.text).toBe('');
    expect(deltas).toEqual([]);
    expect(result).toMatchObject({
      generatedBy: { provider: 'builtin', model: 'builtin' },
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
    });
    const [row] = await callsOf(ctx, who.businessId);
    expect(row).toMatchObject({ id: result.callId, provider: 'builtin', outcome: 'success' });
    expect(Number(row?.costUsd)).toBe(0);
  });

  it('matches whole words only', async () => {
    const { result } = await chatStep(ctx, ask('Tell me about segmentation theory'), who);
    expect(result.toolCalls).toEqual([]);
  });

  it('says what it can look up, and that no model is configured, when nothing matches', async () => {
    const { result, deltas } = await chatStep(ctx, ask('Write me a poem about bread'), who);
    expect(result.toolCalls).toEqual([]);
    expect(result.text).toMatch(/No AI model is configured/);
    expect(result.text).toContain('LLM_PROVIDER');
    expect(result.text).toContain('The customer segments of the business and their sizes');
    expect(result.text).toContain('Opens, clicks and revenue of recent campaigns');
    expect(result.text).not.toContain('Sends an email broadcast');
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe(result.text);
  });

  it('answers from the summaries of the tool results, streamed in chunks', async () => {
    const { result, deltas } = await chatStep(
      ctx,
      [
        { role: 'user', content: 'How are my segments and campaigns doing?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [
            { id: 'c1', name: 'list_segments', input: {} },
            { id: 'c2', name: 'campaign_stats', input: {} },
          ],
        },
        {
          role: 'tool',
          toolCallId: 'c1',
          name: 'list_segments',
          result: { segments: 3 },
          summary: 'You have 3 segments; VIP is the largest with 120 customers.',
        },
        {
          role: 'tool',
          toolCallId: 'c2',
          name: 'campaign_stats',
          result: { openRate: 0.41 },
          summary: 'Your last campaign was opened by 41% of recipients.',
        },
      ],
      who,
    );
    expect(result.toolCalls).toEqual([]);
    expect(result.text).toBe(
      [
        'Here is what I found:',
        '- You have 3 segments; VIP is the largest with 120 customers.',
        '- Your last campaign was opened by 41% of recipients.',
      ].join('\n'),
    );
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe(result.text);
    expect(result.firstTokenMs).toBeGreaterThanOrEqual(0);
  });

  it('offers nothing to run when every tool changes data', async () => {
    const writeOnly = TOOLS.filter((tool) => !tool.readOnly);
    const { result } = await chatStep(ctx, ask('Send an email to the segment'), who, writeOnly);
    expect(result.toolCalls).toEqual([]);
    expect(result.text).toMatch(/No AI model is configured/);
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { jsonSchemaOf } from '../json-schema.ts';
import { parseModelOutput } from '../parse.ts';
import { buildPrompt } from '../prompts/index.ts';
import {
  type AiTask,
  BrandVoiceSuggestion,
  brandVoiceTask,
  campaignInsightsTask,
  defineTask,
  sequenceDraftTask,
  type TaskInput,
} from '../tasks.ts';
import type { BusinessProfile, ProviderCall } from '../types.ts';
import { createBuiltinProvider } from './builtin.ts';

const bakery: BusinessProfile = {
  name: 'Blue Bottle Bakery',
  industry: 'Food & drink',
  audience: 'Busy parents in Lyon',
  products: [{ name: 'Sourdough' }, { name: 'Rye' }],
  goals: ['More weekday visits'],
  brandVoice: { tone: 'warm and plain', wordsToUse: ['fresh'], wordsToAvoid: ['cheap'] },
  channels: ['instagram'],
};
const blank: BusinessProfile = {
  name: 'X',
  industry: '',
  audience: '',
  products: [],
  goals: [],
  brandVoice: { tone: '', wordsToUse: [], wordsToAvoid: [] },
  channels: [],
};

function callFor<Input extends TaskInput>(
  task: AiTask<Input, unknown>,
  business: BusinessProfile,
  input: Input,
): ProviderCall {
  const jsonSchema = jsonSchemaOf(task.output);
  return {
    task: task.name,
    tier: task.tier,
    model: 'builtin',
    prompt: buildPrompt({ task, business, input, jsonSchema }),
    jsonSchema,
    schemaName: task.name,
    business,
    input,
    template: task.builtin as ProviderCall['template'],
    signal: new AbortController().signal,
  };
}

describe('builtin provider', () => {
  const builtin = createBuiltinProvider();

  it('is labelled builtin as provider and model', () => {
    expect(builtin.name).toBe('builtin');
    expect(builtin.model('fast')).toBe('builtin');
    expect(builtin.model('strong')).toBe('builtin');
  });

  it.each([
    ['a full profile', bakery],
    ['an almost empty profile', blank],
  ])(
    'drafts a schema-valid brand voice from %s, honest about being a template',
    async (_, business) => {
      const result = await builtin.generate(callFor(brandVoiceTask, business, { notes: '' }));
      const parsed = parseModelOutput(result.text, BrandVoiceSuggestion);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.repaired).toBe(false);
      expect(parsed.value.rationale).toMatch(/not by an AI model/);
      expect(parsed.value.wordsToAvoid).toContain(business.brandVoice.wordsToAvoid[0] ?? 'synergy');
      expect(result).toMatchObject({ model: 'builtin' });
      expect(result.promptTokens).toBeGreaterThan(0);
    },
  );

  it('answers the same input with the same output', async () => {
    const call = callFor(brandVoiceTask, bakery, { notes: '' });
    const first = await builtin.generate(call);
    const second = await builtin.generate(call);
    expect(second.text).toBe(first.text);
  });

  it.each<[string, ProviderCall, z.ZodType]>([
    [
      'a sequence draft',
      callFor(sequenceDraftTask, bakery, { goal: 'Welcome', steps: 4, cadenceDays: 2 }),
      sequenceDraftTask.output,
    ],
    [
      'a campaign insight',
      callFor(campaignInsightsTask, bakery, {
        campaign: { name: 'Spring', goal: 'More visits', status: 'active' },
        totals: { impressions: 1200, clicks: 30, conversions: 4, ctr: 0.025, roas: null },
        byPlatform: [],
        topContent: [],
      }),
      campaignInsightsTask.output,
    ],
  ])("drafts %s that passes its task's schema as is", async (_, call, schema) => {
    const result = await builtin.generate(call);
    expect(parseModelOutput(result.text, schema)).toMatchObject({ ok: true, repaired: false });
  });

  it('fills any schema for a task without a template, within its limits', async () => {
    const Plan = z.object({
      title: z.string().min(5).max(40),
      weeks: z.number().int().min(2).max(12),
      channels: z.array(z.enum(['email', 'instagram'])).min(1),
      launch: z.iso.datetime(),
      contact: z.email(),
      steps: z
        .array(z.object({ name: z.string(), done: z.boolean(), note: z.string().optional() }))
        .min(4)
        .max(6),
      audience: z.string().nullable(),
    });
    const plan = defineTask<{ notes: string }, z.infer<typeof Plan>>({
      name: 'campaign-plan',
      tier: 'fast',
      prompt: { role: 'a planner', instructions: ['Plan a campaign.'] },
      output: Plan,
    });
    const result = await builtin.generate(callFor(plan, bakery, { notes: '' }));
    const parsed = parseModelOutput(result.text, Plan);
    expect(parsed).toMatchObject({ ok: true });
  });
});

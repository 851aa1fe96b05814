// What a marketer reads from the builtin provider, judged as copy: the audience as a short
// phrase (not the whole paragraph again and again), the goal's own number, the words the notes
// and the profile forbid never written, and no planning labels ("Week 1:") inside post text.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { jsonSchemaOf } from '../json-schema.ts';
import { buildPrompt } from '../prompts/index.ts';
import {
  type AiTask,
  brandVoiceTask,
  campaignStrategyTask,
  contentPieceTask,
  sequenceDraftTask,
  type TaskInput,
} from '../tasks.ts';
import type { BusinessProfile, ProviderCall } from '../types.ts';
import { createBuiltinProvider } from './builtin.ts';
import { audiencePhrase, forbiddenByNotes, goalTarget, withoutWords } from './builtin-profile.ts';

const AUDIENCE =
  'Young professionals and families in the Mission District of San Francisco who care about where their food comes from, shop at the farmers market on weekends, and want a neighbourhood spot for a quick weekday breakfast or a special-occasion cake.';

const bakery: BusinessProfile = {
  name: 'Crumb & Co.',
  industry: 'Bakery and café',
  audience: AUDIENCE,
  products: [
    { name: 'Artisanal sourdough', description: 'Gourmet flour, a 36-hour ferment' },
    { name: 'Morning buns' },
    { name: 'Celebration cakes' },
  ],
  goals: ['Grow weekday visits by 20% before summer'],
  brandVoice: { tone: 'warm and neighbourly', wordsToUse: ['fresh'], wordsToAvoid: ['gourmet'] },
  channels: ['instagram', 'email'],
};

const NOTES = 'Keep it friendly. Never say artisanal.';
const campaign = {
  name: 'Spring cakes',
  goal: 'Get 150 cake pre-orders for Mother’s Day by May 8',
  audience: null,
  channels: ['instagram', 'email', 'x', 'facebook'],
  budgetCents: 30_000,
  startDate: '2026-04-13',
  endDate: '2026-05-08',
};
const Anything = z.record(z.string(), z.unknown());

async function generate<Input extends TaskInput>(
  task: AiTask<Input, unknown>,
  input: Input,
  business = bakery,
) {
  const jsonSchema = jsonSchemaOf(task.output);
  const call: ProviderCall = {
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
  const { text } = await createBuiltinProvider().generate(call);
  return { text, value: JSON.parse(text) as Record<string, unknown> };
}

const strategy = () =>
  generate(campaignStrategyTask.withOutput(Anything), { campaign, notes: NOTES });

const piece = (platform: string, topic: string) =>
  generate(contentPieceTask.withOutput(Anything), {
    platform,
    contentType: 'post',
    topic,
    callToAction: 'Pre-order at Crumb & Co.',
    plannedDate: '2026-04-14',
    limits: {},
    campaign: {
      name: campaign.name,
      goal: campaign.goal,
      audience: null,
      keyMessages: ['Celebration cakes, from Crumb & Co.'],
    },
    notes: NOTES,
  });

const count = (text: string, part: string) => text.split(part).length - 1;

describe('builtin copy, as a marketer reads it', () => {
  it('speaks to a short audience phrase and pastes the long paragraph nowhere but the audience description', async () => {
    const voice = await generate(brandVoiceTask, { notes: '' });
    expect(voice.value.tone).not.toContain('farmers market');
    expect(String(voice.value.tone).length).toBeLessThan(120);
    expect(voice.text).not.toContain('farmers market');

    const { value, text } = await strategy();
    expect(value.audience).toMatchObject({ description: AUDIENCE });
    expect(count(text, 'farmers market')).toBe(1);
    expect(count(text.toLowerCase(), 'young professionals and families')).toBeLessThanOrEqual(3);

    for (const platform of ['instagram', 'email', 'blog', 'linkedin']) {
      const { text: copy } = await piece(platform, 'Behind the scenes: our celebration cakes');
      expect(copy, platform).not.toContain('farmers market');
    }
  });

  it('keeps the number the goal names as the objective’s target', async () => {
    const { value } = await strategy();
    expect(value.objectives).toContainEqual(
      expect.objectContaining({ objective: campaign.goal, target: 150 }),
    );
  });

  it('never writes a word the notes forbid or the profile lists to avoid', async () => {
    const outputs = [
      (await strategy()).value,
      ...(await Promise.all(
        ['instagram', 'email', 'x', 'blog', 'search_ads', 'facebook'].map(
          async (platform) => (await piece(platform, 'Why people love our sourdough')).value,
        ),
      )),
      (await generate(sequenceDraftTask, { goal: 'Welcome', steps: 4, cadenceDays: 2 })).value,
    ];
    for (const output of outputs) {
      expect(JSON.stringify(output)).not.toMatch(/artisanal|gourmet/i);
    }
    const voice = (await generate(brandVoiceTask, { notes: NOTES })).value;
    expect(voice.wordsToAvoid).toEqual(expect.arrayContaining(['gourmet', 'artisanal']));
    expect(JSON.stringify({ ...voice, wordsToAvoid: [] })).not.toMatch(/artisanal|gourmet/i);
  });

  it('keeps planning labels out of topics and post text', async () => {
    const { value } = await strategy();
    const calendar = value.calendar as { topic: string }[];
    for (const entry of calendar) expect(entry.topic).not.toMatch(/\bweek \d/i);
    for (const platform of ['instagram', 'email', 'x', 'linkedin']) {
      const { text } = await piece(platform, 'Week 2: A customer story about celebration cakes');
      expect(text, platform).not.toMatch(/week 2/i);
      expect(text, platform).toContain('A customer story about celebration cakes');
    }
  });

  it('does not tell subscribers the marketer’s goal as every email’s preheader', async () => {
    const goal = 'Turn new subscribers into first-time visitors';
    const { value } = await generate(sequenceDraftTask, { goal, steps: 4, cadenceDays: 2 });
    const steps = value.steps as { preheader: string }[];
    expect(steps.filter((step) => step.preheader === goal)).toEqual([]);
  });
});

describe('reading a profile', () => {
  it.each([
    [AUDIENCE, 'young professionals and families'],
    ['Busy parents in Lyon', 'busy parents in Lyon'],
    [
      'HR managers at mid-size companies (50-500 staff) looking for payroll',
      'HR managers at mid-size companies',
    ],
    ['', 'your customers'],
  ])('shortens the audience %j to %j', (audience, phrase) => {
    expect(audiencePhrase(audience)).toBe(phrase);
  });

  it.each([
    ['Get 150 cake pre-orders for Mother’s Day by May 8', 150, 'pre-orders'],
    ['Grow weekday visits by 20% before summer', 20, '%'],
    ['Increase revenue to $5,000 per month', 5000, '$'],
    ['Reach 1.5k followers by June 2026', 1500, 'followers'],
  ])('finds the target in %j', (goal, target, unit) => {
    expect(goalTarget(goal)).toMatchObject({ target, unit });
  });

  it('finds no target in a goal without a number, and takes no date for one', () => {
    expect(goalTarget('More weekday visits')).toBeUndefined();
    expect(goalTarget('Launch by March 3rd 2026')).toBeUndefined();
  });

  it('reads the words the notes forbid', () => {
    expect(forbiddenByNotes('Never say artisanal')).toEqual(['artisanal']);
    expect(
      forbiddenByNotes(
        'Short; avoid "delicious". Don’t use the words cheap or discount, but smile',
      ),
    ).toEqual(['delicious', 'cheap', 'discount']);
    expect(forbiddenByNotes('Keep it short and friendly')).toEqual([]);
  });

  it('takes a word out of a line and tidies the gap', () => {
    expect(withoutWords('Our Artisanal sourdough, artisanal. Nice!', ['artisanal'])).toBe(
      'Our sourdough. Nice!',
    );
  });
});

// Builtin templates for campaigns and content: a plain strategy with a dated calendar inside the
// campaign's dates and channels, per-platform copy that stays inside the limits the task input
// names, and an insight summary computed from the figures. Honest drafts, not a model.
import type { Template } from './builtin-templates.ts';
import { BUILTIN_NOTE } from './builtin-templates.ts';

const DAY_MS = 86_400_000;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1)).trimEnd()}…` : text;
}

const str = (value: unknown, fallback: string): string =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;

const isoDate = (date: Date) => date.toISOString().slice(0, 10);

const CONTENT_TYPES: Record<string, string> = {
  linkedin: 'post',
  x: 'post',
  instagram: 'post',
  facebook: 'post',
  email: 'newsletter',
  blog: 'article',
  search_ads: 'ad',
};

const ANGLES = [
  'Behind the scenes: how we make {product}',
  'Why {audience} choose {product}',
  'Three things to know about {product}',
  'A customer story about {product}',
  'What is new this week: {product}',
  'Tips from our team on getting the most from {product}',
  'The people behind {name}',
  'Last call: {goal}',
];

interface CampaignInput {
  name?: unknown;
  goal?: unknown;
  audience?: unknown;
  channels?: unknown;
  startDate?: unknown;
  endDate?: unknown;
}

export const campaignStrategyTemplate: Template = ({ business, input }) => {
  const campaign = (input.campaign ?? {}) as CampaignInput;
  const name = business.name || 'Our business';
  const goal = str(campaign.goal, business.goals[0] ?? `grow ${name}`);
  const audience = str(campaign.audience, business.audience || 'our customers');
  const channels =
    Array.isArray(campaign.channels) && campaign.channels.length > 0
      ? (campaign.channels as string[])
      : business.channels.length > 0
        ? business.channels
        : ['linkedin'];
  const start = new Date(`${str(campaign.startDate, isoDate(new Date()))}T00:00:00Z`);
  const endText = str(campaign.endDate, isoDate(new Date(start.getTime() + 41 * DAY_MS)));
  const end = new Date(`${endText}T00:00:00Z`);
  const products = business.products.map((product) => product.name);
  const calendar: Record<string, string>[] = [];
  // Two pieces per channel per week (days 1 and 3 of each week, shifted by channel).
  for (let week = 0; calendar.length < 150; week++) {
    const weekStart = start.getTime() + week * 7 * DAY_MS;
    if (weekStart > end.getTime()) break;
    channels.forEach((channel, index) => {
      for (const offset of [1, 3]) {
        const day = new Date(weekStart + ((offset + index) % 7) * DAY_MS);
        if (day.getTime() > end.getTime() || calendar.length >= 150) continue;
        const product = products[(week + index) % Math.max(1, products.length)] ?? name;
        const angle = ANGLES[(week * 2 + offset + index) % ANGLES.length] ?? ANGLES[0] ?? '';
        calendar.push({
          date: isoDate(day),
          platform: channel,
          contentType: CONTENT_TYPES[channel] ?? 'post',
          topic: clip(
            `Week ${week + 1}: ${angle
              .replace('{product}', product)
              .replace('{audience}', audience)
              .replace('{name}', name)
              .replace('{goal}', goal)}`,
            300,
          ),
          callToAction: clip(
            channel === 'email' ? `Reply or visit ${name}` : `Visit ${name} this week`,
            200,
          ),
        });
      }
    });
  }
  if (calendar.length === 0) {
    calendar.push({
      date: isoDate(start),
      platform: channels[0] ?? 'linkedin',
      contentType: CONTENT_TYPES[channels[0] ?? 'linkedin'] ?? 'post',
      topic: clip(`Announcing: ${goal}`, 300),
      callToAction: clip(`Visit ${name}`, 200),
    });
  }
  const share = Math.floor(100 / channels.length);
  return {
    summary: clip(
      `${BUILTIN_NOTE}. A steady plan for "${str(campaign.name, 'this campaign')}": ${goal}, for ${audience}, with ${calendar.length} pieces over ${channels.join(', ')}. Configure an AI provider (LLM_PROVIDER) for a tailored strategy.`,
      1500,
    ),
    objectives: [
      { objective: clip(goal, 300), metric: 'conversions', target: 50, unit: 'conversions' },
      { objective: 'Reach the audience', metric: 'impressions', target: 10_000, unit: 'views' },
      { objective: 'Start conversations', metric: 'click-through rate', target: 2, unit: '%' },
    ],
    audience: {
      description: clip(audience, 1000),
      segments: [clip(`Existing customers of ${name}`, 200), clip(`New ${audience}`, 200)],
    },
    keyMessages: [
      clip(`${name} makes ${products[0] ?? 'what you need'} for ${audience}`, 300),
      clip(`${goal}: now is the time`, 300),
      'Plain answers, no hype',
    ],
    channelMix: channels.map((channel, index) => ({
      channel,
      sharePercent: index === 0 ? 100 - share * (channels.length - 1) : share,
      rationale: clip(`${channel} reaches ${audience} where they already spend time`, 500),
    })),
    calendar,
  };
};

interface Limits {
  [field: string]: number | undefined;
}

function tags(words: string[], max: number): string {
  return words
    .map((word) => `#${word.replace(/[^\p{L}\p{N}]/gu, '')}`)
    .filter((tag) => tag.length > 1)
    .slice(0, max)
    .join(' ');
}

export const contentPieceTemplate: Template = ({ business, input }) => {
  const limits = (input.limits ?? {}) as Limits;
  const name = business.name || 'We';
  const topic = str(input.topic, `News from ${name}`);
  const cta = str(input.callToAction, `Visit ${name}`);
  const campaign = (input.campaign ?? {}) as { keyMessages?: unknown; goal?: unknown };
  const messages = Array.isArray(campaign.keyMessages) ? (campaign.keyMessages as string[]) : [];
  const message = messages[0] ?? str(campaign.goal, business.goals[0] ?? '');
  const audience = business.audience || 'you';
  const hashtags = tags([business.industry || name, name, ...business.brandVoice.wordsToUse], 5);
  const lim = (field: string, fallback: number) => limits[field] ?? fallback;
  switch (input.platform) {
    case 'x':
      return { text: clip(`${topic}. ${cta}. ${hashtags}`, lim('text', 280) - 10) };
    case 'instagram':
      return {
        caption: clip(
          `${topic}\n\n${message ? `${message}.\n\n` : ''}Made for ${audience}. ${cta} — link in bio.\n\n${hashtags}`,
          lim('caption', 2200) - 20,
        ),
        imageIdea: clip(`A warm, natural-light photo that shows: ${topic}`, 500),
      };
    case 'email':
      return {
        subject: clip(topic, lim('subject', 150) - 5),
        preheader: clip(message || `${name}: ${cta}`, lim('preheader', 150) - 5),
        body: clip(
          `Hello,\n\n${topic}.\n\n${message ? `${message}.\n\n` : ''}We wrote this for ${audience}.\n\n${cta}.\n\n— The ${name} team`,
          lim('body', 50_000) - 20,
        ),
      };
    case 'blog':
      return {
        title: clip(topic, lim('title', 150) - 5),
        outline: [
          clip(`Why this matters to ${audience}`, 190),
          clip(`What ${name} does differently`, 190),
          clip(`How to get started: ${cta}`, 190),
        ],
        draft: clip(
          `# ${topic}\n\n## Why this matters to ${audience}\n${message || topic}.\n\n## What ${name} does differently\nWe keep it simple and specific.\n\n## How to get started\n${cta}.\n\n_${BUILTIN_NOTE}._`,
          lim('draft', 100_000) - 20,
        ),
      };
    case 'search_ads': {
      const headline = lim('headline', 30);
      return {
        headlines: [clip(name, headline), clip(topic, headline), clip(cta, headline)],
        descriptions: [
          clip(`${topic}. ${cta}.`, lim('description', 90)),
          clip(message || `${name} for ${audience}.`, lim('description', 90)),
        ],
      };
    }
    default:
      return {
        text: clip(
          `${topic}\n\n${message ? `${message}.\n\n` : ''}${cta}.\n\n${hashtags}`,
          lim('text', 3000) - 20,
        ),
      };
  }
};

export const campaignInsightsTemplate: Template = ({ input }) => {
  const totals = (input.totals ?? {}) as Record<string, number | null | undefined>;
  const fmt = (value: number | null | undefined, digits = 2) =>
    value === null || value === undefined ? 'n/a' : value.toFixed(digits);
  const impressions = totals.impressions ?? 0;
  const highlights = [
    `${impressions} impressions, ${totals.clicks ?? 0} clicks (CTR ${fmt((totals.ctr ?? 0) * 100)}%)`,
    `${totals.conversions ?? 0} conversions (rate ${fmt((totals.conversionRate ?? 0) * 100)}%)`,
    `ROAS ${fmt(totals.roas)}`,
  ];
  const recommendations =
    impressions === 0
      ? ['Record figures for published pieces so there is something to analyse']
      : [
          (totals.ctr ?? 0) < 0.01
            ? 'Click-through is low: test sharper hooks and calls to action'
            : 'Click-through is healthy: keep the current hooks',
          (totals.roas ?? 0) < 1 && (totals.spendCents ?? 0) > 0
            ? 'Spend returns less than it costs: shift budget to the best platform'
            : 'Keep investing where conversions come from',
        ];
  return {
    summary: clip(
      `${BUILTIN_NOTE}. Summary computed from the figures: ${highlights.join('; ')}.`,
      1000,
    ),
    highlights,
    recommendations,
  };
};

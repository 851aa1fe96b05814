// Builtin templates for campaigns and content: a plain strategy with a dated calendar inside the
// campaign's dates and channels, per-platform copy that stays inside the limits the task input
// names, and an insight summary computed from the figures. Honest drafts, not a model.
import {
  audiencePhrase,
  callToActionFor,
  channelName,
  goalTarget,
  listOf,
  lowerFirst,
  productsFor,
  sentence,
  upperFirst,
} from './builtin-profile.ts';
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

// Customer-facing angles for the calendar's topics: each is a headline the piece can carry as is.
const ANGLES = [
  'Behind the scenes at {name}: {product}',
  'Why people come back for {product}',
  'Three things to know about {product}',
  'A customer story about {product}',
  'New this week: {product}',
  'Tips from our team on getting the most from {product}',
  'Meet the people behind {name}',
  'Last chance: {product} before {end}',
];

/** Why each channel is in the mix, in a marketer's words. */
const CHANNEL_ROLES: Record<string, string> = {
  instagram: 'Photos and short videos show off {product}',
  facebook: 'Reaches neighbours and regulars where they share with friends',
  x: 'Quick updates and replies keep {name} in the conversation',
  linkedin: 'Speaks to professionals in a considered, credible tone',
  email: 'Reaches people who already know {name}, with a direct call to action',
  blog: 'Longer pieces answer questions and are found through search',
  search_ads: 'Catches people at the moment they search for {product}',
};

interface CampaignInput {
  name?: unknown;
  goal?: unknown;
  audience?: unknown;
  channels?: unknown;
  startDate?: unknown;
  endDate?: unknown;
}

const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');

const dayMonth = (date: Date) =>
  date.toLocaleDateString('en-US', { month: 'long', day: 'numeric', timeZone: 'UTC' });

export const campaignStrategyTemplate: Template = ({ business, input }) => {
  const campaign = (input.campaign ?? {}) as CampaignInput;
  const name = business.name || 'Our business';
  const campaignName = str(campaign.name, 'this campaign');
  const goal = str(campaign.goal, business.goals[0] ?? `grow ${name}`);
  const audienceText = str(campaign.audience, business.audience);
  const audience = audiencePhrase(audienceText, 'our customers');
  const channels =
    Array.isArray(campaign.channels) && campaign.channels.length > 0
      ? (campaign.channels as string[])
      : business.channels.length > 0
        ? business.channels
        : ['linkedin'];
  const start = new Date(`${str(campaign.startDate, isoDate(new Date()))}T00:00:00Z`);
  const endText = str(campaign.endDate, isoDate(new Date(start.getTime() + 41 * DAY_MS)));
  const end = new Date(`${endText}T00:00:00Z`);
  const products = productsFor(business, `${campaignName} ${goal}`);
  const product = (index: number) =>
    lowerFirst(products[index % Math.max(1, products.length)] ?? 'what we make');
  const cta = callToActionFor(goal, name);
  const calendar: Record<string, string>[] = [];
  const weeks = Math.max(1, Math.ceil((end.getTime() - start.getTime() + DAY_MS) / (7 * DAY_MS)));
  // Two pieces per channel per week (days 1 and 3 of each week, shifted by channel); the last
  // week's pieces take the "last chance" angle, the others go round the rest without repeating.
  let turn = 0;
  for (let week = 0; week < weeks && calendar.length < 150; week++) {
    const weekStart = start.getTime() + week * 7 * DAY_MS;
    channels.forEach((channel, index) => {
      for (const offset of [1, 3]) {
        const day = new Date(weekStart + ((offset + index) % 7) * DAY_MS);
        if (day.getTime() > end.getTime() || calendar.length >= 150) continue;
        const last = week === weeks - 1 && weeks > 1 && offset === 3;
        const angle = last
          ? (ANGLES.at(-1) ?? '')
          : (ANGLES[turn % (ANGLES.length - 1)] ?? ANGLES[0] ?? '');
        const topic = fill(angle, {
          product: product(turn + index),
          name,
          end: dayMonth(end),
        });
        turn++;
        calendar.push({
          date: isoDate(day),
          platform: channel,
          contentType: CONTENT_TYPES[channel] ?? 'post',
          topic: clip(upperFirst(topic), 300),
          callToAction: clip(channel === 'email' ? `${cta}, or reply with a question` : cta, 200),
        });
      }
    });
  }
  if (calendar.length === 0) {
    calendar.push({
      date: isoDate(start),
      platform: channels[0] ?? 'linkedin',
      contentType: CONTENT_TYPES[channels[0] ?? 'linkedin'] ?? 'post',
      topic: clip(`New at ${name}: ${product(0)}`, 300),
      callToAction: clip(cta, 200),
    });
  }
  const share = Math.floor(100 / channels.length);
  const target = goalTarget(goal);
  const featured = products.slice(0, 2).map(lowerFirst);
  const description = business.products.find(
    (p) => p.description && products.slice(0, 2).includes(p.name),
  );
  const words = business.brandVoice.wordsToUse.slice(0, 2);
  return {
    summary: clip(
      `${BUILTIN_NOTE}. A steady plan for "${campaignName}" toward one goal — ${lowerFirst(goal)} — speaking to ${audience}: ${calendar.length} pieces on ${listOf(channels.map(channelName))}, each ending with “${cta}”. Configure an AI provider (LLM_PROVIDER) for a tailored strategy.`,
      1500,
    ),
    objectives: [
      target
        ? {
            objective: clip(goal, 300),
            metric: clip(target.metric, 100),
            target: target.target,
            unit: clip(target.unit, 40),
          }
        : {
            objective: clip(goal, 300),
            // The goal names no number: a starting point, said to be one.
            metric: 'conversions (a suggested target: set your own)',
            target: 50,
            unit: 'conversions',
          },
      { objective: 'Be seen by new people', metric: 'impressions', target: 10_000, unit: 'views' },
      { objective: 'Turn views into clicks', metric: 'click-through rate', target: 2, unit: '%' },
    ],
    audience: {
      description: clip(audienceText || `${upperFirst(audience)}.`, 1000),
      segments: [
        clip(`Customers and followers of ${name}`, 200),
        clip(`${upperFirst(audience)} who have not tried ${name} yet`, 200),
      ],
    },
    keyMessages: [
      clip(
        featured.length > 0
          ? `${upperFirst(listOf(featured))}, from ${name}`
          : `${name}, for ${audience}`,
        300,
      ),
      ...(description?.description
        ? [clip(`${description.name}: ${lowerFirst(description.description)}`, 300)]
        : []),
      ...(words.length > 0
        ? [clip(`${upperFirst(listOf(words))}: that is what ${name} is about`, 300)]
        : []),
      clip(`${cta} by ${dayMonth(end)}`, 300),
    ],
    channelMix: channels.map((channel, index) => ({
      channel,
      sharePercent: index === 0 ? 100 - share * (channels.length - 1) : share,
      rationale: clip(
        fill(CHANNEL_ROLES[channel] ?? `${upperFirst(channelName(channel))} reaches {audience}`, {
          product: product(0),
          name,
          audience,
        }),
        500,
      ),
    })),
    calendar,
  };
};

interface Limits {
  [field: string]: number | undefined;
}

function tags(words: string[], max: number): string {
  const seen = new Set<string>();
  return words
    .map((word) => `#${word.replace(/[^\p{L}\p{N}]/gu, '')}`)
    .filter((tag) => tag.length > 2 && !seen.has(tag.toLowerCase()) && seen.add(tag.toLowerCase()))
    .slice(0, max)
    .join(' ');
}

/** A topic as a headline: without the "Week 2:" or "Day 3 -" a plan may have put in front. */
const headline = (topic: string) =>
  upperFirst(topic.replace(/^\s*(?:week|day|post|part)\s*\d+\s*[:\-–—.)]\s*/i, '').trim());

/** Whether two lines open with the same three words (a key message that repeats the call to action). */
const sameStart = (a: string, b: string) => {
  const start = (text: string) => text.toLowerCase().split(/\s+/).slice(0, 3).join(' ');
  return start(a) === start(b);
};

/** The first of `candidates` that fits `max` characters, or the first one shortened. */
const fitting = (candidates: string[], max: number) =>
  candidates.find((text) => text.length <= max) ?? clip(candidates[0] ?? '', max);

export const contentPieceTemplate: Template = ({ business, input, seed }) => {
  const limits = (input.limits ?? {}) as Limits;
  const name = business.name || 'We';
  const topic = headline(str(input.topic, `News from ${name}`));
  const cta = str(input.callToAction, `Visit ${name}`);
  const campaign = (input.campaign ?? {}) as { keyMessages?: unknown };
  const products = productsFor(business, topic);
  // Key messages that say something the topic and the call to action do not already say.
  const messages = (
    Array.isArray(campaign.keyMessages) ? (campaign.keyMessages as string[]) : []
  ).filter((m) => typeof m === 'string' && m !== topic && !sameStart(m, cta));
  const message =
    messages[seed % Math.max(1, messages.length)] ??
    (products[0] ? `${products[0]}, from ${name}` : '');
  const audience = audiencePhrase(business.audience, 'you');
  const hashtags = tags(
    [name, ...business.brandVoice.wordsToUse.filter((w) => w.split(/\s+/).length <= 2)],
    4,
  );
  const lim = (field: string, fallback: number) => limits[field] ?? fallback;
  const body = (parts: string[]) => parts.filter((part) => part !== '').join('\n\n');
  switch (input.platform) {
    case 'x':
      return {
        text: clip(`${sentence(topic)} ${sentence(cta)} ${hashtags}`.trim(), lim('text', 280) - 10),
      };
    case 'instagram':
      return {
        caption: clip(
          body([topic, message && sentence(message), `${sentence(cta)} Link in bio.`, hashtags]),
          lim('caption', 2200) - 20,
        ),
        imageIdea: clip(`A warm, natural-light photo to go with “${topic}”`, 500),
      };
    case 'email':
      return {
        subject: clip(topic, lim('subject', 150) - 5),
        preheader: clip(message || sentence(cta), lim('preheader', 150) - 5),
        body: clip(
          body([
            'Hello,',
            sentence(topic),
            message && sentence(message),
            sentence(cta),
            `— The ${name} team`,
          ]),
          lim('body', 50_000) - 20,
        ),
      };
    case 'blog':
      return {
        title: clip(topic, lim('title', 150) - 5),
        outline: [
          clip(`Why it matters to ${audience}`, 190),
          clip(`What ${name} does differently`, 190),
          clip(`How to get started: ${lowerFirst(cta)}`, 190),
        ],
        draft: clip(
          `# ${topic}\n\n## Why it matters to ${audience}\n${sentence(message || topic)}\n\n## What ${name} does differently\nWe keep it simple and specific.\n\n## How to get started\n${sentence(cta)}\n\n_${BUILTIN_NOTE}._`,
          lim('draft', 100_000) - 20,
        ),
      };
    case 'search_ads': {
      const max = lim('headline', 30);
      const description = lim('description', 90);
      return {
        headlines: [
          fitting([name], max),
          fitting([...products, topic], max),
          fitting([cta, 'Find out more'], max),
        ],
        descriptions: [
          fitting([`${sentence(topic)} ${sentence(cta)}`, sentence(topic)], description),
          fitting([message && sentence(message), `${name}, for ${audience}.`], description),
        ],
      };
    }
    default:
      return {
        text: clip(
          body([topic, message && sentence(message), sentence(cta), hashtags]),
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

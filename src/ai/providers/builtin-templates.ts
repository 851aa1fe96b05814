// Hand-written templates of the builtin provider (each task in ai/tasks.ts names its own): plain,
// sensible drafts built from the business profile, honest about not being a model. Each returns
// a candidate that ai/run.ts validates like any model answer. The brand-voice template is here.
import type { BusinessProfile } from '../types.ts';
import { audiencePhrase, listOf, lowerFirst, upperFirst } from './builtin-profile.ts';

export interface TemplateContext<Input = Record<string, unknown>> {
  business: BusinessProfile;
  input: Input;
  /** A stable number from the task and input, for choosing between phrasings. */
  seed: number;
  /** Words it must not write: the profile's words to avoid and those the notes forbid. */
  avoid: readonly string[];
}

export type Template = (context: TemplateContext) => unknown;

export const BUILTIN_NOTE = 'Drafted by Herald’s built-in templates, not by an AI model';

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

function unique(words: string[], max: number): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const word of words.map((w) => clip(w.trim(), 60))) {
    const key = word.toLowerCase();
    if (word && !seen.has(key)) {
      seen.add(key);
      result.push(word);
    }
  }
  return result.slice(0, max);
}

const INDUSTRY_WORDS: [RegExp, string[]][] = [
  [/food|drink|bak|cafe|coffee|restaurant/i, ['fresh', 'made today', 'local', 'seasonal']],
  [/software|saas|tech|app/i, ['simple', 'reliable', 'save time', 'built for teams']],
  [/fitness|health|wellness|gym|yoga/i, ['strong', 'steady', 'feel better', 'your pace']],
  [/fashion|apparel|cloth|beauty/i, ['crafted', 'timeless', 'your style', 'made to last']],
  [/consult|agency|service|legal|finance/i, ['clear', 'practical', 'proven', 'straight answers']],
];

const TONES = [
  'Warm and plain-spoken: short sentences, concrete details, no hype',
  'Friendly and confident: specific about what you make, never pushy',
  'Helpful and down-to-earth: explain the why, then invite people in',
];

export const brandVoiceTemplate: Template = ({ business, seed, avoid }) => {
  const name = business.name || 'We';
  const industry = business.industry ? lowerFirst(business.industry) : 'your field';
  const audience = audiencePhrase(business.audience);
  const current = business.brandVoice;
  const industryWords = INDUSTRY_WORDS.find(([pattern]) => pattern.test(industry))?.[1] ?? [
    'clear',
    'honest',
    'for you',
    'today',
  ];
  const forbidden = new Set(avoid.map((word) => word.toLowerCase()));
  const tone = current.tone
    ? `${upperFirst(current.tone)}; concrete and specific, written for ${audience}`
    : `${TONES[seed % TONES.length] ?? TONES[0]}; written for ${audience}`;
  const products = business.products.map((product) => product.name);
  const featured = products[seed % Math.max(1, products.length)];
  const noted = avoid.filter(
    (word) => !current.wordsToAvoid.some((kept) => kept.toLowerCase() === word.toLowerCase()),
  );
  const avoidedBecause = [
    ...(current.wordsToAvoid.length > 0 ? ['your own list'] : []),
    ...(noted.length > 0 ? ['the words your notes rule out'] : []),
    'hype that erodes trust',
  ];
  return {
    tone: clip(tone, 300),
    wordsToUse: unique(
      [...current.wordsToUse, ...industryWords, 'you', 'we'].filter(
        (word) => !forbidden.has(word.toLowerCase()),
      ),
      8,
    ),
    wordsToAvoid: unique(
      [...avoid, 'synergy', 'world-class', 'revolutionary', 'guaranteed'],
      Math.max(8, Math.min(12, avoid.length)),
    ),
    sampleLines: [
      clip(
        featured
          ? `${featured}, from ${name} — made for ${audience}.`
          : `${name}: made for ${audience}.`,
        280,
      ),
      clip(
        featured
          ? `New this week at ${name}: ask us about ${lowerFirst(featured)}.`
          : `New this week at ${name}: come and say hello.`,
        280,
      ),
      clip(`Questions about ${industry}? Ask us; we answer plainly.`, 280),
    ],
    rationale: clip(
      `${BUILTIN_NOTE}: the tone follows your current voice and audience, the words come from your profile and common ${industry} vocabulary, and the words to avoid are ${listOf(avoidedBecause)}. Configure an AI provider (LLM_PROVIDER) for a tailored suggestion.`,
      600,
    ),
  };
};

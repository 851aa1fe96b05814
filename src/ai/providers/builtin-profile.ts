// How the builtin templates read a business profile like a person would: a short phrase for the
// audience (not the whole paragraph), the goal's own number and what it counts, the products a
// campaign is about, and the words nobody may write (the profile's words to avoid and what the
// marketer's notes forbid), which are then taken out of every line the templates write.
import type { BusinessProfile } from '../types.ts';

const CHANNEL_NAMES: Record<string, string> = {
  linkedin: 'LinkedIn',
  x: 'X',
  instagram: 'Instagram',
  facebook: 'Facebook',
  email: 'email',
  blog: 'the blog',
  search_ads: 'search ads',
};

export const channelName = (channel: string) => CHANNEL_NAMES[channel] ?? channel;

/** "instagram, email" → "Instagram and email". */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

/** Lower-cases a leading capital unless the word looks like a name or an acronym (SaaS, HR). */
export function lowerFirst(text: string): string {
  const first = text.split(/\s/, 1)[0] ?? '';
  return /\p{Lu}/u.test(first.slice(1)) ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

export const upperFirst = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Ends `text` as a sentence: one final stop, never "cake.." */
export function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function clipWords(text: string, max: number): string {
  return text.split(/\s+/).slice(0, max).join(' ');
}

const CLAUSE =
  /\s(?:who|that|which|whose|looking|wanting|seeking|interested|with|because)\s|\s[—–-]\s|\(/i;
const PLACE = /,|\s(?:in|of|from|across|around|near|at|on)\s/i;

/**
 * A short phrase for who the business serves, from however long the audience text is: the first
 * sentence, up to its first relative clause ("who care about…"), then up to its first place or
 * list if still long. "Busy parents in Lyon" stays as it is.
 */
export function audiencePhrase(audience: string, fallback = 'your customers'): string {
  let phrase =
    audience
      .trim()
      .split(/[.;:!?\n]/, 1)[0]
      ?.trim() ?? '';
  phrase = phrase.split(CLAUSE, 1)[0]?.trim() ?? '';
  if (phrase.length > 60) phrase = phrase.split(PLACE, 1)[0]?.trim() ?? '';
  if (phrase.length > 60) phrase = clipWords(phrase, 6);
  phrase = phrase.replace(/[\s,]+(?:and|or|&)?$/i, '').trim();
  return phrase.length >= 3 ? lowerFirst(phrase) : fallback;
}

const MONTH = /(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*$/i;
const STOP = new Set(
  'a an the by for in on at before after until to from within this next per each every of over and or while during'.split(
    ' ',
  ),
);

export interface GoalTarget {
  target: number;
  unit: string;
  /** What the number counts, in the goal's own words ("cake pre-orders"). */
  metric: string;
}

/**
 * The number a goal names and what it counts, kept exactly: "Get 150 cake pre-orders by May 8" →
 * 150 cake pre-orders; "Grow weekday visits by 20%" → 20 %. Dates, years and "top 3" style
 * ordinals are not targets. Undefined when the goal names no number.
 */
export function goalTarget(goal: string): GoalTarget | undefined {
  const pattern = /([$€£])?\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(%|k\b|m\b)?/gi;
  for (const match of goal.matchAll(pattern)) {
    const [whole, currency, digits = '', suffix = ''] = match;
    const before = goal.slice(0, match.index);
    const after = goal.slice(match.index + whole.length);
    if (MONTH.test(before) || /^(?:st|nd|rd|th)\b/i.test(after)) continue;
    let target = Number(digits.replaceAll(',', ''));
    if (!currency && !suffix && /^(?:19|20)\d\d$/.test(digits)) continue;
    if (!(target > 0)) continue;
    if (/k/i.test(suffix)) target *= 1_000;
    if (/m/i.test(suffix)) target *= 1_000_000;
    if (suffix === '%') {
      const subject = before
        .replace(/\s(?:by|to)\s*$/i, '')
        .replace(/^\s*(?:grow|increase|raise|boost|improve|lift|get|reach|cut|reduce)\s+/i, '')
        .trim();
      return { target, unit: '%', metric: subject ? `growth in ${lowerFirst(subject)}` : 'growth' };
    }
    const words: string[] = [];
    for (const word of after.trim().split(/\s+/)) {
      const bare = word.replace(/[.,;:!?)]+$/, '');
      if (!bare || STOP.has(bare.toLowerCase()) || words.length === 3) break;
      words.push(bare);
      if (bare !== word) break;
    }
    const counted = words.join(' ') || 'conversions';
    return {
      target,
      unit: currency ?? words.at(-1) ?? 'conversions',
      metric: currency && counted === 'conversions' ? 'revenue' : counted,
    };
  }
  return undefined;
}

/** A call to action that fits what the goal asks people to do. */
export function callToActionFor(goal: string, name: string): string {
  if (/pre-?order/i.test(goal)) return `Pre-order at ${name}`;
  if (/\border/i.test(goal)) return `Order from ${name}`;
  if (/\bbook|appointment|reservation/i.test(goal)) return `Book with ${name}`;
  if (/sign.?up|subscri|newsletter|join/i.test(goal)) return `Sign up with ${name}`;
  if (/demo|trial/i.test(goal)) return `Try ${name}`;
  return `Visit ${name}`;
}

const stem = (word: string) => word.toLowerCase().replace(/(?:es|s)$/, '');

/**
 * The profile's product names a text (a campaign's name and goal, a topic) is about, or all of
 * them when it names none: a cake campaign talks about the cakes, not the bread.
 */
export function productsFor(business: BusinessProfile, text: string): string[] {
  const words = new Set(
    text
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 2)
      .map(stem),
  );
  const names = business.products.map((product) => product.name);
  const named = names.filter((name) =>
    name.split(/[^\p{L}\p{N}]+/u).some((w) => w.length > 2 && words.has(stem(w))),
  );
  return named.length > 0 ? named : names;
}

// Notes forbid words in many ways: "Never say artisanal", "don't use 'cheap' or 'discount'",
// "avoid the word gourmet", "no "hype"". The forbidden words run to the end of the clause.
const FORBID =
  /\b(?:never|don['’]?t|do not|please don['’]?t)\s+(?:ever\s+)?(?:say|use|write|mention|call\s+(?:us|it|them))\b|\bavoid(?:\s+using)?\b|\bban\b|\bbanned words?:|\bwords to avoid:/gi;

function termsOf(clause: string): string[] {
  const quoted = [...clause.matchAll(/["“”'‘’«]([^"“”'‘’«»]{1,40})["“”'‘’»]/g)].map(
    (m) => m[1] ?? '',
  );
  const raw =
    quoted.length > 0
      ? quoted
      : clause
          .replace(/^\s*(?:the\s+)?(?:words?|terms?|phrases?)(?:\s+like)?\s*/i, '')
          .split(/,|\/|\s(?:or|and|nor)\s/i);
  return raw
    .map((term) => term.replace(/^[\s"“”'‘’]+|[\s"“”'‘’]+$/g, '').trim())
    .filter((term) => term.length >= 2 && term.split(/\s+/).length <= 3);
}

/** The words the marketer's notes forbid, as written ("Never say artisanal" → artisanal). */
export function forbiddenByNotes(notes: string): string[] {
  const terms: string[] = [];
  for (const match of notes.matchAll(FORBID)) {
    const rest = notes.slice(match.index + match[0].length);
    const clause = rest.split(/[.;!?\n]|,\s*(?:but|and then|please)\b/i, 1)[0] ?? '';
    terms.push(...termsOf(clause));
  }
  const quotedNo = notes.matchAll(/\bno\s+["“']([^"“”']{2,40})["”']/gi);
  for (const match of quotedNo) terms.push(match[1] ?? '');
  return unique(terms);
}

function unique(terms: string[]): string[] {
  const seen = new Set<string>();
  return terms.filter((term) => {
    const key = term.toLowerCase();
    if (!term || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every word the builtin must not write: the profile's words to avoid and the notes' bans. */
export function forbiddenWords(business: BusinessProfile, notes: unknown): string[] {
  return unique([
    ...business.brandVoice.wordsToAvoid.map((word) => word.trim()),
    ...(typeof notes === 'string' ? forbiddenByNotes(notes) : []),
  ]);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` with each forbidden word (whole words, any case) taken out and the gap tidied. */
export function withoutWords(text: string, words: readonly string[]): string {
  let result = text;
  for (const word of words) {
    const pattern = new RegExp(
      `(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])[ \\t]?`,
      'giu',
    );
    result = result.replace(pattern, '');
  }
  return result === text
    ? text
    : result
        .replace(/[ \t]{2,}/g, ' ')
        .replace(/[ \t]+([,.;:!?])/g, '$1')
        .replace(/[,;:]+([,.;:!?])/g, '$1')
        .replace(/(^|\n)[ \t]+/g, '$1')
        .replace(/[ \t]+(\n|$)/g, '$1');
}

/** Fields whose values are identifiers or the list of words to avoid itself: left as they are. */
const KEPT = new Set(['platform', 'channel', 'contentType', 'date', 'wordsToAvoid', 'unit']);

/** Applies `withoutWords` to every string in a template's answer, dropping emptied list items. */
export function scrubbed(value: unknown, words: readonly string[], key = ''): unknown {
  if (words.length === 0 || KEPT.has(key)) return value;
  if (typeof value === 'string') return withoutWords(value, words);
  if (Array.isArray(value)) {
    return value
      .map((item) => scrubbed(item, words, key))
      .filter((item) => typeof item !== 'string' || item.trim() !== '');
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, scrubbed(item, words, name)]),
    );
  }
  return value;
}

// The grounding check of an insight: every number the model wrote must be one of the figures it
// was given, in one of the usual presentations, or the answer is refused (and the model asked
// again). Pure functions: `factsOf` reads the figures out of the task's input, `numbersIn` finds
// the numbers in a text, `ungroundedIn` says which of them the facts do not support.
//
// What counts as a figure (read from the task input, by key):
// - a number whose key ends in `Cents`, or that sits under `percentiles`, is an amount in minor
//   units: it may only be written as money (a currency sign or code: `$1,234.50`, `1,234.50 USD`,
//   `€1.2k`) in major units. A bare `1234.50` or `123450` does not match it.
// - a number whose key ends in `Rate`, `Share` or `Ratio`, or that sits anywhere under `ratios`,
//   is a fraction: written as a percentage (`18%`, `18.3 percent`) or as itself (`0.18`).
// - any other number is a count (customers, days, a change): written plain (`1,234`, `-12`).
// - a key `p90` makes 90 a percentile rank (and its complement 10): "the 90th percentile",
//   "the top 10%" (a percentage right after "top" or "bottom").
// - numbers inside the input's strings (reasons in plain words) count with the unit they are
//   written with; ISO dates and times in the input are the dates the text may mention.
// How a number may be presented:
// - rounded to the precision it is written with: `$1,235` or `$1.2k` for 123,456 cents, `18%`
//   for 0.1834; a round number (`1,200`, `12k`, `1 million`) is read as rounded to its last
//   non-zero digit, but never to fewer than two significant digits (`1k` means 950–1,050).
// - `k`, `m`, `bn`, `thousand`, `million`, `billion` scale the number.
// - without a sign it is compared with the figure's size (`fell by 12` for a change of −12);
//   with an explicit sign (`+12`, `-12`, `−12`) the sign must match too.
// What is not a quantity and passes:
// - dates that are dates of the input: `2026-11-30`, `30 November 2026`, `Nov 30`, `November
//   2026`, and a year alone when a given date has that year; a date that is not one fails.
// - a list marker at the start of a line (`1.`, `2)`), an ordinal up to the number of actions
//   ("the 2nd action"), the number of actions itself after "top" or before "actions" ("the top
//   3", "3 actions").
// Numbers spelled out above ten (`twelve`, `a hundred`) are refused: the model must write digits.
// Not understood (so refused when they are not figures): dates written with slashes, thousands
// separated by spaces or dots. Small numbers in words ("two segments") and fractions in words
// ("one in five") are not checked.
import type { z } from 'zod';

import { UNGROUNDED } from '../../ai/contract.ts';
import { RunInsight, type RunInsightInput } from '../../ai/tasks.ts';

/** The unit a number is written with. */
export type NumberUnit = 'plain' | 'money' | 'percent';

/** One number as written in a text. */
export interface NumberMention {
  text: string;
  /** In the unit written (major units for money, percentage points for a percentage). */
  value: number;
  unit: NumberUnit;
  /** An explicit sign was written (`+12`, `-12`). */
  signed: boolean;
  /** The value's uncertainty from rounding: it stands for anything within ± precision/2. */
  precision: number;
  /** A list marker or an ordinal (`1.`, `2nd`): a position, not a quantity. */
  position: boolean;
  index: number;
}

interface NumberFact {
  value: number;
  kind: 'count' | 'money' | 'ratio' | 'literal';
  /** For a literal (a number inside a given string): the unit it was written with. */
  unit?: NumberUnit;
}

interface DateParts {
  year?: number | undefined;
  month?: number | undefined;
  day?: number | undefined;
}

/** What a text may state: the numbers, labels and dates of a task's input. */
export interface GroundingFacts {
  numbers: NumberFact[];
  /** Percentile ranks and their complements (p90 → 90 and 10). */
  labels: Set<number>;
  dates: DateParts[];
}

export interface GroundingProblem {
  /** What was written, e.g. `37%` or `March 3`. */
  text: string;
  reason: string;
}

const MONEY_KEY = /Cents$/;
const RATIO_KEY = /(Rate|Share|Ratio)$/;
const LABEL_KEY = /^p(\d{1,2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The figures a text may cite, read from a task's input (see the rules above). */
export function factsOf(input: unknown): GroundingFacts {
  const facts: GroundingFacts = { numbers: [], labels: new Set(), dates: [] };
  const visit = (value: unknown, key: string, parent: string, inRatios: boolean) => {
    const label = LABEL_KEY.exec(key);
    if (label) {
      facts.labels.add(Number(label[1]));
      facts.labels.add(100 - Number(label[1]));
    }
    if (typeof value === 'number' && Number.isFinite(value)) {
      const kind =
        MONEY_KEY.test(key) || parent === 'percentiles'
          ? 'money'
          : RATIO_KEY.test(key) || inRatios
            ? 'ratio'
            : 'count';
      facts.numbers.push({ value, kind });
    } else if (typeof value === 'string') {
      const date = ISO_DATE.exec(value);
      if (date) {
        facts.dates.push({ year: Number(date[1]), month: Number(date[2]), day: Number(date[3]) });
      } else if (!UUID.test(value)) {
        for (const mention of numbersIn(value)) {
          facts.numbers.push({ value: mention.value, kind: 'literal', unit: mention.unit });
        }
      }
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key, parent, inRatios);
    } else if (value && typeof value === 'object') {
      for (const [childKey, child] of Object.entries(value)) {
        visit(child, childKey, key, inRatios || key === 'ratios');
      }
    }
  };
  visit(input, '', '', false);
  return facts;
}

// Dates written with a month's name beside a day or a year (so a bare "may" stays a verb), or in
// ISO form.
const MONTHS = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
] as const;
const MONTH =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?(?![a-z])';
const DAY = '(\\d{1,2})(?:st|nd|rd|th)?(?![\\d.,]\\d)';
const YEAR = '(\\d{4})(?!\\d)';
const DATE_PATTERNS: { pattern: RegExp; parts: (match: RegExpExecArray) => DateParts }[] = [
  {
    pattern: /\b(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)/g,
    parts: (m) => ({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }),
  },
  {
    pattern: new RegExp(`\\b${DAY}\\s+(?:of\\s+)?${MONTH}(?:,?\\s+${YEAR})?`, 'gi'),
    parts: (m) => ({ day: Number(m[1]), month: monthOf(m[2]), year: yearOf(m[3]) }),
  },
  {
    pattern: new RegExp(`\\b${MONTH}\\s+${DAY}(?:,?\\s+${YEAR})?`, 'gi'),
    parts: (m) => ({ month: monthOf(m[1]), day: Number(m[2]), year: yearOf(m[3]) }),
  },
  {
    pattern: new RegExp(`\\b${MONTH},?\\s+${YEAR}`, 'gi'),
    parts: (m) => ({ month: monthOf(m[1]), year: yearOf(m[2]) }),
  },
];

function monthOf(name: string | undefined): number {
  return MONTHS.indexOf((name ?? '').slice(0, 3).toLowerCase() as (typeof MONTHS)[number]) + 1;
}

const yearOf = (text: string | undefined) => (text === undefined ? undefined : Number(text));

function sameDate(written: DateParts, given: DateParts): boolean {
  return (
    (written.year === undefined || written.year === given.year) &&
    (written.month === undefined || written.month === given.month) &&
    (written.day === undefined || written.day === given.day)
  );
}

/** Finds the dates in `text`; returns the text with them blanked out and those not given. */
function takeDates(
  text: string,
  dates: DateParts[],
): { rest: string; problems: { text: string; index: number }[] } {
  let rest = text;
  const problems: { text: string; index: number }[] = [];
  for (const { pattern, parts } of DATE_PATTERNS) {
    rest = rest.replace(pattern, (...args: unknown[]) => {
      const match = args.slice(0, -2) as unknown as RegExpExecArray;
      const index = args.at(-2) as number;
      const written = match[0];
      const date = parts(match);
      const plausible =
        date.month !== undefined &&
        date.month >= 1 &&
        date.month <= 12 &&
        (date.day === undefined || (date.day >= 1 && date.day <= 31));
      if (!plausible) return written;
      if (!dates.some((given) => sameDate(date, given))) problems.push({ text: written, index });
      return ' '.repeat(written.length);
    });
  }
  return { rest, problems };
}

const CURRENCY_SIGNS = '(?:[A-Z]{1,2})?\\p{Sc}';
const CURRENCY_CODES =
  'USD|EUR|GBP|CAD|AUD|NZD|CHF|JPY|CNY|INR|SEK|NOK|DKK|PLN|CZK|HUF|BRL|MXN|ZAR|SGD|HKD|KRW';
const SCALES: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mn: 1e6,
  million: 1e6,
  bn: 1e9,
  billion: 1e9,
};
const END = '(?![A-Za-z])';
// Case-sensitive on purpose: currency codes are capitals, so "try 3" is not Turkish lira. Any
// code after a number is read as money ("12,346 THB"); before one, only the common codes ("CLV
// 12" is not an amount).
const NUMBER = new RegExp(
  [
    `(?<sign>[-+−](?=\\s?(?:${CURRENCY_SIGNS})?\\d))?`,
    `(?<before>${CURRENCY_SIGNS}\\s?|\\b(?:${CURRENCY_CODES})\\s?)?`,
    `(?<sign2>[-+−])?`,
    `(?<number>(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?|\\.\\d+)`,
    `(?<scale>\\s?(?:[kKmM]|mn|bn|Bn|BN|thousand|million|billion)${END})?`,
    `(?<ordinal>(?:st|nd|rd|th)${END})?`,
    `(?<percent>\\s?(?:%|percent(?:age points?)?${END}|per cent${END}|pp${END}))?`,
    `(?<after>\\s?(?:[A-Z]{3}|[Dd]ollars?|[Ee]uros?|[Pp]ounds?)${END})?`,
  ].join(''),
  'gu',
);
const SPELLED =
  /(?<!\d\s?)\b(?:eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen)\b/gi;

/** Every number written in `text`, with its unit and the precision it was written to. */
export function numbersIn(text: string): NumberMention[] {
  const mentions: NumberMention[] = [];
  for (const match of text.matchAll(NUMBER)) {
    const groups = match.groups ?? {};
    const plain = (groups.number ?? '').replaceAll(',', '');
    const [integer = '', fraction = ''] = plain.split('.');
    const scale = SCALES[(groups.scale ?? '').trim().toLowerCase()] ?? 1;
    const written = Number(plain) * scale;
    // A dash glued to a word or number is a hyphen ("top-10", "10-20"), not a minus.
    const glued = /[A-Za-z0-9]/.test(text[match.index - 1] ?? '');
    const sign = glued ? undefined : (groups.sign ?? groups.sign2);
    const negative = sign === '-' || sign === '−';
    const unit: NumberUnit =
      groups.before || groups.after ? 'money' : groups.percent ? 'percent' : 'plain';
    const lineStart = /(^|\n)[ \t]*$/.test(text.slice(0, match.index));
    const next = text.slice(match.index + match[0].length);
    const listMarker = unit === 'plain' && !groups.scale && lineStart && /^[.)]\s/.test(next);
    mentions.push({
      text: match[0].trim(),
      value: negative ? -written : written,
      unit,
      signed: sign !== undefined,
      precision: precisionOf(integer, fraction, scale, written),
      position: Boolean(groups.ordinal) || listMarker,
      index: match.index,
    });
  }
  return mentions;
}

/**
 * The rounding a number was written with: its last digit's place, widened over trailing zeros
 * (`1,200`, `12k`) but never past two significant digits.
 */
function precisionOf(integer: string, fraction: string, scale: number, value: number): number {
  const written = 10 ** -fraction.length * scale;
  const trailingZeros = /0*$/.exec(integer)?.[0].length ?? 0;
  if (fraction.length > 0 || value === 0 || (scale === 1 && trailingZeros === 0)) return written;
  const widened = written * 10 ** Math.min(trailingZeros, integer.length - 1);
  const twoDigits = 10 ** (Math.floor(Math.log10(Math.abs(value))) - 1);
  return Math.max(Math.min(widened, twoDigits), scale === 1 ? 1 : 0);
}

function close(written: number, figure: number, precision: number): boolean {
  return Math.abs(written - figure) <= precision / 2 + 1e-9 * Math.max(1, Math.abs(figure));
}

/** Whether a written number presents this figure (see the rules at the top). */
function presents(mention: NumberMention, fact: NumberFact): boolean {
  let figure: number;
  switch (fact.kind) {
    case 'money':
      if (mention.unit !== 'money') return false;
      figure = fact.value / 100;
      break;
    case 'ratio':
      if (mention.unit === 'money') return false;
      figure = mention.unit === 'percent' ? fact.value * 100 : fact.value;
      break;
    case 'count':
      if (mention.unit !== 'plain') return false;
      figure = fact.value;
      break;
    case 'literal':
      if (mention.unit !== fact.unit) return false;
      figure = fact.value;
      break;
  }
  if (mention.signed) return close(mention.value, figure, mention.precision);
  return close(Math.abs(mention.value), Math.abs(figure), mention.precision);
}

export interface GroundingOptions {
  /** How many actions the answer lists: "the top 3 actions", "the 2nd action". */
  actions?: number;
}

const ACTION_WORDS = /^\s+(?:actions?|steps?|priorities|things|moves|ideas)\b/;

/** The numbers (and dates) in `text` that are not the given figures; empty when grounded. */
export function ungroundedIn(
  text: string,
  facts: GroundingFacts,
  options: GroundingOptions = {},
): GroundingProblem[] {
  const { rest, problems: dates } = takeDates(text, facts.dates);
  const problems: (GroundingProblem & { index: number })[] = dates.map((date) => ({
    ...date,
    reason: 'is not a date of the run',
  }));
  const years = new Set(facts.dates.map((date) => date.year));
  const actions = options.actions ?? 0;
  const checked = rest.replace(/\b[pP](\d{1,2})\b/g, (written, rank: string) =>
    facts.labels.has(Number(rank)) ? ' '.repeat(written.length) : written,
  );
  for (const mention of numbersIn(checked)) {
    const size = Math.abs(mention.value);
    const before = checked.slice(0, mention.index);
    const after = checked.slice(mention.index + mention.text.length);
    // "the 90th percentile", "the top 10%": a percentile rank of the figures.
    const rank =
      !mention.signed &&
      facts.labels.has(size) &&
      (mention.position || (mention.unit === 'percent' && /\b(?:top|bottom)[\s-]*$/i.test(before)));
    if (rank) continue;
    if (mention.position) {
      if (size >= 1 && size <= Math.max(actions, 1)) continue;
      problems.push({ ...mention, reason: 'is not a position in the answer' });
      continue;
    }
    const plainInteger = mention.unit === 'plain' && !mention.signed && Number.isInteger(size);
    if (plainInteger && years.has(size)) continue;
    const countsActions = /\btop[\s-]*$/i.test(before) || ACTION_WORDS.test(after);
    if (plainInteger && actions > 0 && size === actions && countsActions) continue;
    if (facts.numbers.some((fact) => presents(mention, fact))) continue;
    problems.push({
      text: mention.text,
      index: mention.index,
      reason:
        mention.unit === 'money'
          ? 'is not an amount of the run'
          : mention.unit === 'percent'
            ? 'is not a share or rate of the run'
            : 'is not a figure of the run',
    });
  }
  for (const match of checked.matchAll(SPELLED)) {
    problems.push({
      text: match[0],
      index: match.index,
      reason: 'is a number in words: write figures as digits',
    });
  }
  return problems
    .sort((a, b) => a.index - b.index)
    .map(({ text: written, reason }) => ({ text: written, reason }));
}

/**
 * The insight answer's schema for this input: RunInsight, and every number in its headline,
 * narrative and actions one of the input's figures. An answer with another number fails with
 * UNGROUNDED issues, which ai.run records as `ungrounded_output` and retries, telling the model
 * which numbers were not figures.
 */
export function groundedInsight(input: RunInsightInput): z.ZodType<RunInsight> {
  const facts = factsOf(input);
  return RunInsight.superRefine((answer, context) => {
    // The refinement also runs when a field already failed: read only what is there.
    const actions = Array.isArray(answer.actions) ? answer.actions : [];
    const texts: [(string | number)[], unknown][] = [
      [['headline'], answer.headline],
      [['narrative'], answer.narrative],
      ...actions.flatMap((action, index): [(string | number)[], unknown][] => [
        [['actions', index, 'title'], action.title],
        [['actions', index, 'why'], action.why],
      ]),
    ];
    for (const [path, text] of texts) {
      if (typeof text !== 'string') continue;
      const problems = ungroundedIn(text, facts, { actions: actions.length });
      if (problems.length === 0) continue;
      context.addIssue({
        code: 'custom',
        path,
        params: UNGROUNDED,
        message: `${problems.map((problem) => `"${problem.text}" ${problem.reason}`).join('; ')}. Write only numbers from task_input, as given or rounded.`,
      });
    }
  });
}

// The builtin provider's answer to "ask about your customers": not a model but a deterministic
// parser of a small grammar of common questions (docs/intelligence.md lists it). A question is
// split into clauses on "and", "with" and commas; each clause must be one known phrase plus
// filler words ("customers", "who", "show me"…), or the whole question is refused as needing a
// configured model — a word it does not understand is never silently dropped.
import type { Template } from './builtin-templates.ts';

type Condition = Record<string, unknown>;

const DAY_MS = 86_400_000;

const ORDERED = { event: 'Order Completed' } as const;

const RFM_PHRASES: [RegExp, string][] = [
  [/\bat[ -]risk segment\b|\brfm at[ -]risk\b/, 'at_risk'],
  [/\bchampions?\b/, 'champions'],
  [/\bpotential loyalists?\b/, 'potential_loyalists'],
  [/\bloyal\b/, 'loyal'],
  [/\bnew\b/, 'new'],
  [/\bpromising\b/, 'promising'],
  [/\bneed(?:s|ing)? attention\b/, 'need_attention'],
  [/\babout to sleep\b/, 'about_to_sleep'],
  [/\bcan(?:not|'t|’t| not) lose\b/, 'cannot_lose'],
  [/\bhibernating\b/, 'hibernating'],
  [/\blost\b/, 'lost'],
];

const FILLER = new Set(
  `a all an any are be buyers by clients customer customers did do does find from get give has have
  having how i in is list many me my of ones our people please segment show that the their them
  these they those us users was we were which who whose with`.split(/\s+/),
);

const UNIT_DAYS: Record<string, number> = { day: 1, week: 7, month: 30, year: 365 };

function days(amount: string, unit: string): number {
  return Number(amount) * (UNIT_DAYS[unit.replace(/s$/, '')] ?? 1);
}

const COMPARISON: [RegExp, string][] = [
  [/^(?:more than|over|above|greater than)$/, 'gt'],
  [/^(?:at least|or more)$/, 'gte'],
  [/^(?:fewer than|less than|under|below)$/, 'lt'],
  [/^(?:at most|or fewer|or less)$/, 'lte'],
  [/^(?:exactly)$/, 'eq'],
];
const COMPARE =
  '(more than|over|above|greater than|at least|fewer than|less than|under|below|at most|exactly)';

function opOf(words: string): string {
  return COMPARISON.find(([pattern]) => pattern.test(words))?.[1] ?? 'eq';
}

interface Phrase {
  pattern: RegExp;
  build: (match: RegExpMatchArray, today: string) => Condition | undefined;
}

const PHRASES: Phrase[] = [
  // RFM segment names first: "at risk segment" is the segment, plain "at risk" the churn tier.
  ...RFM_PHRASES.map(([pattern, segment]): Phrase => ({
    pattern,
    build: () => ({ rfmSegment: segment }),
  })),
  {
    pattern: /\b(low|medium|high) (?:churn )?risk\b/,
    build: (match) => ({ churnTier: match[1] }),
  },
  {
    pattern:
      /\b(?:(?:at risk|likely|about|going|set)(?: of| to)? (?:churn(?:ing)?|leav(?:e|ing)|lapse|lapsing)|at risk|churning|leaving)\b/,
    build: () => ({ churnTier: 'high' }),
  },
  {
    pattern:
      /\btop (\d{1,2}(?:\.\d+)?) ?(?:%|percent)(?: (?:by|in|of|for))? (?:customer )?(?:lifetime value|clv|value)\b/,
    build: (match) => {
      const share = Number(match[1]);
      if (share <= 0 || share >= 100) return undefined;
      return { score: 'clvPercentile', op: 'gte', value: Math.round(100 - share) };
    },
  },
  {
    pattern: /\b(?:lifetime value|clv) in(?: the)? top (\d{1,2}(?:\.\d+)?) ?(?:%|percent)/,
    build: (match) => {
      const share = Number(match[1]);
      if (share <= 0 || share >= 100) return undefined;
      return { score: 'clvPercentile', op: 'gte', value: Math.round(100 - share) };
    },
  },
  {
    pattern: new RegExp(`\\b(?:lifetime value|clv)(?: of)? ${COMPARE} \\$?(\\d+(?:\\.\\d+)?)\\b`),
    build: (match) => ({ score: 'clv', op: opOf(match[1] ?? ''), value: Number(match[2]) }),
  },
  {
    pattern:
      /\b(?:no|not|never|haven't|have not|didn't|did not)(?: any)? (?:orders?|ordered|bought|purchased|purchases?)(?: anything)? since (\d{4}-\d{2}-\d{2})\b/,
    build: (match, today) => {
      const since = Date.parse(`${match[1] ?? ''}T00:00:00Z`);
      const now = Date.parse(`${today}T00:00:00Z`);
      if (Number.isNaN(since) || since > now) return undefined;
      // The window of N days ends today and starts N - 1 days before: on `since` itself.
      const window = Math.round((now - since) / DAY_MS) + 1;
      return { ...ORDERED, count: { op: 'eq', value: 0 }, withinDays: window };
    },
  },
  {
    pattern:
      /\b(?:no|not|never|haven't|have not|didn't|did not)(?: any)? (?:orders?|ordered|bought|purchased|purchases?)(?: anything)? in(?: the)?(?: last| past)? (\d{1,5}) (days?|weeks?|months?|years?)\b/,
    build: (match) => ({
      ...ORDERED,
      count: { op: 'eq', value: 0 },
      withinDays: days(match[1] ?? '0', match[2] ?? 'days'),
    }),
  },
  {
    pattern:
      /\b(?:bought|ordered|purchased|ordering|buying|with an order|placed an order)(?: anything| something)? in(?: the)? (?:last|past) (\d{1,5}) (days?|weeks?|months?|years?)\b/,
    build: (match) => ({
      ...ORDERED,
      count: { op: 'gte', value: 1 },
      withinDays: days(match[1] ?? '0', match[2] ?? 'days'),
    }),
  },
  {
    pattern: new RegExp(`\\b${COMPARE} (\\d{1,6}) (?:orders?|purchases?)\\b`),
    build: (match) => ({ orders: { op: opOf(match[1] ?? ''), value: Number(match[2]) } }),
  },
  {
    pattern: /\b(\d{1,6}) or (more|fewer|less) (?:orders?|purchases?)\b/,
    build: (match) => ({
      orders: { op: match[2] === 'more' ? 'gte' : 'lte', value: Number(match[1]) },
    }),
  },
  {
    pattern: new RegExp(`\\bspent ${COMPARE} \\$?(\\d+(?:\\.\\d+)?)\\b`),
    build: (match) => ({ revenue: { op: opOf(match[1] ?? ''), value: Number(match[2]) } }),
  },
];

/** The condition one clause asks for, or undefined when it is not (only) a known phrase. */
function parseClause(clause: string, today: string): Condition | undefined {
  for (const phrase of PHRASES) {
    const match = clause.match(phrase.pattern);
    if (!match || match.index === undefined) continue;
    const condition = phrase.build(match, today);
    if (!condition) return undefined;
    const rest = `${clause.slice(0, match.index)} ${clause.slice(match.index + match[0].length)}`;
    const leftover = rest.split(/\s+/).filter((word) => word && !FILLER.has(word));
    return leftover.length === 0 ? condition : undefined;
  }
  return undefined;
}

export const BUILTIN_QUESTION_NOTE =
  'Herald’s built-in rule parser (not an AI model) understands a fixed set of phrasings; configure a model (LLM_PROVIDER) for free-form questions.';

/** The rule a question of the grammar asks for, or undefined when it is outside it. */
export function parseQuestion(question: string, today: string): Condition | undefined {
  const text = question
    .toLowerCase()
    .replace(/[’]/g, "'")
    .replace(/[?!.;:"]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!text) return undefined;
  const clauses = text
    .split(/\s*(?:,|\band\b|\bwith\b|\bwho (?:are|have|has)\b)\s*/)
    .filter(Boolean);
  const conditions: Condition[] = [];
  for (const clause of clauses) {
    const words = clause.split(' ').filter((word) => !FILLER.has(word));
    if (words.length === 0) continue; // "customers", "who are"
    const condition = parseClause(clause, today);
    if (!condition) return undefined;
    conditions.push(condition);
  }
  return conditions.length > 0 ? { all: conditions } : undefined;
}

export const customerQuestionTemplate: Template = ({ input }) => {
  const question = typeof input.question === 'string' ? input.question : '';
  const today =
    typeof input.today === 'string' ? input.today : new Date().toISOString().slice(0, 10);
  const rule = parseQuestion(question, today);
  return rule
    ? { rule, unsupported: null }
    : {
        rule: null,
        unsupported: `Herald’s built-in rule parser does not understand this question. ${BUILTIN_QUESTION_NOTE}`,
      };
};

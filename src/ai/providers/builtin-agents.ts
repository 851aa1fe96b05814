// The builtin provider's answers for the agents' structured tasks, without a model: routing by
// keywords (a message names what it is about), a summary made of the user's own sentences, and
// learnings taken only from sentences that state a lasting preference or rule in so many words.
import type { Template } from './builtin-templates.ts';

interface RouteInput {
  message: string;
  specialists: { name: string; description: string }[];
}

/** Words that send a message to a specialist, first match wins ties; checked as whole words. */
const ROUTES: [string, RegExp][] = [
  [
    'performance_analyst',
    /\b(performance|perform(?:ed|ing)?|underperform\w*|analytics|metrics?|figures|results?|clicks?|opens?|open rate|ctr|conversions?|engagement|diagnos\w*)\b/,
  ],
  [
    'customer_analyst',
    /\b(customers?|segments?|churn\w*|lifetime value|clv|rfm|subscribers?|audience size|at risk|loyal)\b/,
  ],
  ['researcher', /\b(research|knowledge|documents?|docs?|sources?|search|competitors?|trends?)\b/],
  [
    'copywriter',
    /\b(write|draft|copy|posts?|tweet|linkedin|instagram|facebook|caption|headline|subject line|email step)\b/,
  ],
  ['strategist', /\b(plan|strategy|campaigns?|calendar|schedule|launch|goals?|budget)\b/],
];

export const chatRouteTemplate: Template = (context) => {
  const input = context.input as unknown as RouteInput;
  const text = input.message.toLowerCase();
  const known = new Set(input.specialists.map((s) => s.name));
  const chosen = ROUTES.filter(([name, words]) => known.has(name) && words.test(text)).map(
    ([name]) => name,
  );
  const specialists = chosen.length > 0 ? chosen.slice(0, 2) : ['strategist'];
  return {
    specialists,
    reasoning:
      chosen.length > 0
        ? `Builtin router (no AI model configured): the message mentions what ${specialists.join(' and ')} handle${specialists.length > 1 ? '' : 's'}.`
        : 'Builtin router (no AI model configured): no topic word matched, so the strategist answers.',
  };
};

const sentencesOf = (text: string) =>
  text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;

interface ConversationInput {
  previousSummary?: string | null;
  messages: { role: string; content: string }[];
  known?: string[];
}

export const chatSummaryTemplate: Template = (context) => {
  const input = context.input as unknown as ConversationInput;
  const asked = input.messages
    .filter((m) => m.role === 'user')
    .map((m) => sentencesOf(m.content)[0])
    .filter((s): s is string => s !== undefined)
    .map((s) => `The user asked: ${clip(s, 160)}`);
  const lines = [input.previousSummary ?? '', ...asked].filter((s) => s.length > 0);
  return { summary: clip(lines.slice(-12).join('\n'), 2000) };
};

/** A sentence that states a lasting preference or rule ("our audience hates discounts"). */
const DURABLE =
  /\b(always|never|hates?|loves?|prefers?|dislikes?|avoid|don'?t like|doesn'?t like|works? best|worked|failed|our (?:audience|customers|brand|clients))\b/i;

export const chatLearningsTemplate: Template = (context) => {
  const input = context.input as unknown as ConversationInput;
  const known = new Set((input.known ?? []).map((k) => k.toLowerCase()));
  const learnings = input.messages
    .filter((m) => m.role === 'user')
    .flatMap((m) => sentencesOf(m.content))
    .filter((s) => DURABLE.test(s) && !s.endsWith('?'))
    .map((s) => clip(s, 299))
    .filter((s) => !known.has(s.toLowerCase()));
  return { learnings: [...new Set(learnings)].slice(0, 5) };
};

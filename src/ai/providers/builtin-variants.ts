// The builtin provider's template for A/B variants: other subject lines built from the original
// (a question, a lead-in, the business's name, a product), and bodies with another opening or a
// postscript. The original's Liquid is kept verbatim, so every variant renders as it does.
import { lowerFirst } from './builtin-profile.ts';
import type { Template } from './builtin-templates.ts';

/** Subject angles: `{s}` is the original subject, `{l}` the same with a lower-case first word. */
const SUBJECT_ANGLES = [
  'Quick one: {l}',
  '{s} — from {name}',
  'Have you seen this? {s}',
  'New at {name}: {l}',
  '{s}, plus news on {product}',
  "Don't miss it: {l}",
  'Just for you: {l}',
];

/** Body angles: a line before the original, or a postscript after it. */
const BODY_ANGLES: { before?: string; after?: string }[] = [
  { after: 'P.S. Questions? Just reply to this email — someone at {name} reads every one.' },
  { before: 'Short on time? Here is the one thing to know from {name} this week.' },
  { before: 'We kept this one short.', after: 'P.S. If you like {product}, this one is for you.' },
  { after: 'P.S. Forward this to a friend who would like it.' },
];

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');
}

/** Lower-cases the first word unless the subject starts with Liquid or an acronym. */
function lowered(subject: string): string {
  if (/^\{[{%]/.test(subject) || /^[A-Z]{2,}\b/.test(subject)) return subject;
  return lowerFirst(subject);
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export const emailVariantsTemplate: Template = ({ business, input, seed }) => {
  const subject = typeof input.subject === 'string' ? input.subject.trim() : '';
  const body = typeof input.body === 'string' ? input.body : '';
  const count = Math.min(3, Math.max(1, Number(input.count ?? 1)));
  const vary = input.vary === 'content' || input.vary === 'both' ? input.vary : 'subject';
  const name = business.name || 'us';
  const product = lowerFirst(
    business.products[seed % Math.max(1, business.products.length)]?.name ?? 'what we make',
  );
  const values = {
    s: subject.replace(/[.!]+$/, ''),
    l: lowered(subject.replace(/[.!]+$/, '')),
    name,
    product,
  };

  const subjects: string[] = [];
  for (let index = 0; subjects.length < count && index < SUBJECT_ANGLES.length; index++) {
    const angle = SUBJECT_ANGLES[(seed + index) % SUBJECT_ANGLES.length] ?? '{s}';
    const candidate = fill(angle, values);
    // Too long for an inbox, or no different from what is there already: the next angle.
    if (candidate.length > 120 || same(candidate, subject)) continue;
    if (subjects.some((taken) => same(taken, candidate))) continue;
    subjects.push(candidate);
  }
  const bodies = Array.from({ length: count }, (_, index) => {
    const angle = BODY_ANGLES[(seed + index) % BODY_ANGLES.length] ?? {};
    return [
      angle.before && fill(angle.before, values),
      body.trim(),
      angle.after && fill(angle.after, values),
    ]
      .filter(Boolean)
      .join('\n\n');
  });

  return {
    variants: Array.from({ length: count }, (_, index) => ({
      subject:
        vary === 'content' ? subject : (subjects[index] ?? `${subject} (${String(index + 2)})`),
      ...(vary === 'subject' ? {} : { body: bodies[index] ?? body }),
    })),
  };
};

// The builtin provider's template for sequence drafts: a plain, sensible drip sequence built
// from the business profile, labelled as not written by a model. The goal names the sequence;
// subscribers never see it (it is the marketer's aim, not a message to them).
import { lowerFirst } from './builtin-profile.ts';
import type { Template } from './builtin-templates.ts';
import { BUILTIN_NOTE } from './builtin-templates.ts';

// Each email's subject, preheader (the line inboxes show after the subject) and opening line.
const ANGLES = [
  {
    subject: 'Welcome to {name}',
    preheader: 'Here is what to expect from us',
    lead: 'Thanks for joining us. Here is what to expect from {name}.',
  },
  {
    subject: 'What makes {name} different',
    preheader: 'A quick look at {product}',
    lead: 'A quick look at {product} and why people come back for it.',
  },
  {
    subject: 'A little something from {name}',
    preheader: 'We thought you might like this',
    lead: 'We thought you might like to hear about {product}.',
  },
  {
    subject: 'Have you tried {product}?',
    preheader: 'Where most of our regulars start',
    lead: 'Most of our regulars started with {product}.',
  },
  {
    subject: 'Still thinking it over?',
    preheader: 'Questions? Just reply',
    lead: 'No rush. If you have questions, just reply to this email.',
  },
];

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export const sequenceDraftTemplate: Template = ({ business, input, seed }) => {
  const count = Math.min(10, Math.max(1, Number(input.steps ?? 3)));
  const cadence = Math.max(0, Number(input.cadenceDays ?? 2));
  const goal = typeof input.goal === 'string' ? input.goal : 'stay in touch';
  const name = business.name || 'us';
  const products = business.products.map((product) => product.name);
  const steps = Array.from({ length: count }, (_, index) => {
    const angle = ANGLES[(index + (index > 0 ? seed : 0)) % ANGLES.length] ?? ANGLES[0];
    const product = lowerFirst(products[index % Math.max(1, products.length)] ?? 'what we do');
    const values = { name, product };
    const lead = fill(angle?.lead ?? '', values);
    return {
      delayDays: index === 0 ? 0 : cadence,
      subject: fill(angle?.subject ?? 'News from {name}', values).slice(0, 120),
      preheader: fill(angle?.preheader ?? '', values).slice(0, 120),
      html: `<p>Hi {{ subscriber.first_name | default: "there" }},</p>\n<p>${escapeHtml(lead)}</p>\n<p>— ${escapeHtml(name)}</p>`,
      text: `Hi {{ subscriber.first_name | default: "there" }},\n\n${lead}\n\n— ${name}`,
    };
  });
  return {
    name: `${name}: ${goal}`.slice(0, 120),
    steps,
    rationale: `${BUILTIN_NOTE}: ${String(count)} emails, ${String(cadence)} days apart, from your profile. Configure an AI provider (LLM_PROVIDER) for copy written to your goal.`,
  };
};

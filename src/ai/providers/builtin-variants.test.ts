// The builtin provider's A/B variants: distinct, different from the original, the original's
// Liquid kept verbatim, built from the subject and the business (not filler), for any seed.
import { describe, expect, it } from 'vitest';

import type { BusinessProfile } from '../types.ts';
import { emailVariantsTemplate } from './builtin-variants.ts';

const bakery = {
  name: 'Blue Bottle Bakery',
  industry: 'Food & drink',
  audience: '',
  products: [{ name: 'Sourdough' }],
  goals: [],
  brandVoice: { tone: '', wordsToUse: [], wordsToAvoid: [] },
  channels: [],
} satisfies BusinessProfile;

const PLACEHOLDER = '{{ subscriber.first_name | default: "there" }}';

type Answer = { variants: { subject: string; body?: string }[] };

function variants(input: Record<string, unknown>, seed: number): Answer['variants'] {
  return (emailVariantsTemplate({ business: bakery, input, seed, avoid: [] }) as Answer).variants;
}

describe('builtin email variants', () => {
  it('gives distinct subjects that keep the Liquid, for every seed', () => {
    const subject = `Fresh bread, ${PLACEHOLDER}`;
    for (let seed = 0; seed < 20; seed++) {
      const drafted = variants({ subject, count: 3, vary: 'subject' }, seed);
      const subjects = drafted.map((variant) => variant.subject);
      expect(new Set(subjects).size).toBe(3);
      for (const variant of drafted) {
        expect(variant.subject).toContain(PLACEHOLDER);
        expect(variant.subject.toLowerCase()).toContain('fresh bread');
        expect(variant.subject).not.toBe(subject);
        expect(variant.body).toBeUndefined();
      }
    }
  });

  it('varies bodies around the original text and keeps the subject when only content varies', () => {
    const body = `Hello ${PLACEHOLDER}!\n\n{% if subscriber.first_name %}Welcome back.{% endif %}`;
    const drafted = variants({ subject: 'Weekend bake', body, count: 3, vary: 'content' }, 7);
    expect(new Set(drafted.map((variant) => variant.body)).size).toBe(3);
    for (const variant of drafted) {
      expect(variant.subject).toBe('Weekend bake');
      expect(variant.body).toContain(body);
      expect(variant.body).not.toBe(body);
    }
  });

  it('keeps a subject that starts with Liquid or an acronym as written', () => {
    const drafted = variants(
      { subject: `${PLACEHOLDER}, your order`, count: 3, vary: 'both', body: 'Hi' },
      3,
    );
    for (const variant of drafted) expect(variant.subject).toContain(`${PLACEHOLDER}, your order`);
    const acronym = variants({ subject: 'BBQ weekend', count: 3, vary: 'subject' }, 1);
    for (const variant of acronym) expect(variant.subject).toContain('BBQ weekend');
  });
});

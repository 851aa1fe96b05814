// The builtin lexical embedder: deterministic, length 1, and closer for texts sharing words.
import { describe, expect, it } from 'vitest';

import { BUILTIN_DIMENSIONS, lexicalTerms, lexicalVector } from './embeddings.ts';

const cosine = (a: number[], b: number[]) =>
  a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);

describe('the builtin lexical embedder', () => {
  it('gives the same 256-long unit vector for the same text, every time', () => {
    const first = lexicalVector('Spring sale on running shoes');
    expect(first).toHaveLength(BUILTIN_DIMENSIONS);
    expect(lexicalVector('Spring sale on running shoes')).toEqual(first);
    expect(Math.hypot(...first)).toBeCloseTo(1, 5);
  });

  it('ignores case, accents, punctuation, stopwords and plural endings', () => {
    expect(lexicalTerms('The Cafés, and the CAMPAIGNS!')).toEqual(['cafe', 'campaign']);
    expect(
      cosine(lexicalVector('Our refund policy'), lexicalVector('refund policies')),
    ).toBeGreaterThan(0.5);
  });

  it('ranks a text sharing words above one that shares none', () => {
    const query = lexicalVector('how long does shipping to Canada take');
    const shipping = lexicalVector('Shipping to Canada takes five to seven business days.');
    const returns = lexicalVector('Returns are accepted within thirty days of purchase.');
    expect(cosine(query, shipping)).toBeGreaterThan(cosine(query, returns));
  });

  it('gives an all-zero vector for a text without words', () => {
    expect(lexicalVector('  ... !! ').every((value) => value === 0)).toBe(true);
  });
});

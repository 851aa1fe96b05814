import { describe, expect, it } from 'vitest';

import { EXCERPT_CHARS, excerptOf } from './events.ts';

describe("a piece's excerpt in its review event", () => {
  it('keeps a short text whole, on one line', () => {
    expect(excerptOf('x', { text: 'Spring loaves\n\nare here.' })).toBe('Spring loaves are here.');
  });

  it('cuts a long text on a word boundary and says so', () => {
    const text = 'Sourdough '.repeat(60);
    const excerpt = excerptOf('x', { text });
    expect(excerpt.length).toBeLessThanOrEqual(EXCERPT_CHARS);
    expect(excerpt.endsWith('Sourdough…')).toBe(true);
  });

  it('is empty for a piece without text', () => {
    expect(excerptOf('linkedin', null)).toBe('');
  });
});

// How the dashboard and the server count characters and hashtags (the schemas are held to the
// same count in modules/content/platforms.test.ts).
import { describe, expect, it } from 'vitest';

import { characterCount, hashtagsIn, LIMITS, PLATFORMS } from './limits.ts';

describe('character count', () => {
  it('counts code points: an emoji 1, a flag 2, a family joined by zero-width joiners 5', () => {
    expect(characterCount('Fresh bread 🥐')).toBe(13);
    expect(characterCount('🇫🇷')).toBe(2);
    expect(characterCount('👨‍👩‍👧')).toBe(5);
  });

  it('ignores surrounding whitespace but counts the whitespace inside', () => {
    expect(characterCount('  two words\n')).toBe(9);
    expect(characterCount(' \t\n')).toBe(0);
  });
});

describe('hashtags', () => {
  it('finds hashtags of letters, digits and underscores in any script', () => {
    expect(hashtagsIn('Bake #sourdough at #home_2 with #café and #日本, not # or #!')).toEqual([
      '#sourdough',
      '#home_2',
      '#café',
      '#日本',
    ]);
    expect(hashtagsIn('no tags here')).toEqual([]);
  });
});

describe('limits', () => {
  it('has limits for every platform', () => {
    expect(Object.keys(LIMITS).sort()).toEqual([...PLATFORMS].sort());
  });
});

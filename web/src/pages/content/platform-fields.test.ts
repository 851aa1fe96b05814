// The editor's counters count as the server does (code points of the trimmed text), so an emoji,
// a flag or a family emoji never makes the counter and the server disagree.
import { describe, expect, it } from 'vitest';

import { bodyProblems, countAgainst, emptyBody, fieldsOf } from './platform-fields';

describe('character counters', () => {
  it('counts an emoji as one character and a flag as two, as the server’s schema does', () => {
    expect(countAgainst('Fresh bread 🥐', 280).count).toBe(13);
    expect(countAgainst('🇫🇷', 280).count).toBe(2);
    expect(countAgainst('👨‍👩‍👧', 280).count).toBe(5);
  });

  it('ignores the spaces and new lines around the text, which the server trims', () => {
    expect(countAgainst('  hello \n', 10).count).toBe(5);
  });

  it('is at the limit with 280 emoji on X, and over with one more', () => {
    const atLimit = countAgainst('🥐'.repeat(280), 280);
    expect(atLimit).toMatchObject({ count: 280, remaining: 0, over: false, near: true });
    expect(countAgainst('🥐'.repeat(281), 280)).toMatchObject({ remaining: -1, over: true });
  });
});

describe('body problems', () => {
  it('reports a 31-character search ad headline under the key the server uses', () => {
    const body = {
      headlines: ['Fresh bread daily', 'Sourdough in Lyon', 'x'.repeat(31)],
      descriptions: ['Baked every morning.', 'Pick up on your way.'],
    };
    expect(bodyProblems('search_ads', body)).toEqual({
      'headlines.2': '1 character over the limit of 30',
    });
  });

  it('counts Instagram hashtags against the limit of 30', () => {
    const caption = Array.from({ length: 31 }, (_, i) => `#t${i}`).join(' ');
    expect(bodyProblems('instagram', { caption, imageIdea: '' }).caption).toBe(
      '31 hashtags; at most 30',
    );
  });

  it('an empty body has the platform’s shape and names what is missing', () => {
    expect(emptyBody('search_ads')).toEqual({ headlines: ['', '', ''], descriptions: ['', ''] });
    expect(Object.keys(bodyProblems('email', emptyBody('email')))).toEqual([
      'subject',
      'preheader',
      'body',
    ]);
    expect(bodyProblems('instagram', { caption: 'Spring!', imageIdea: '' })).toEqual({});
  });

  it('every platform has fields, each with a limit', () => {
    for (const platform of [
      'x',
      'linkedin',
      'instagram',
      'facebook',
      'email',
      'blog',
      'search_ads',
    ]) {
      expect(fieldsOf(platform).every((field) => field.limit > 0)).toBe(true);
    }
  });
});

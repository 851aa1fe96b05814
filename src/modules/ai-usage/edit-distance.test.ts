import { describe, expect, it } from 'vitest';

import { editDistance, MAX_COMPARED, median } from './edit-distance.ts';

describe('edit distance between the AI draft and the approved text', () => {
  it('is zero for the same text and the length of the other for an empty one', () => {
    expect(editDistance('Fresh bread daily.', 'Fresh bread daily.')).toBe(0);
    expect(editDistance('', 'bread')).toBe(5);
    expect(editDistance('bread', '')).toBe(5);
  });

  it('counts the classic examples as a person would by hand', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('flaw', 'lawn')).toBe(2);
    expect(editDistance('Come by this weekend.', 'Come by this week.')).toBe(3);
  });

  it('counts an emoji or an accented letter as one character', () => {
    expect(editDistance('Fresh bread 🍞', 'Fresh bread 🥐')).toBe(1);
    expect(editDistance('café', 'cafe')).toBe(1);
  });

  it('compares a long text on its changed middle, exactly when that middle is short', () => {
    const long = 'word '.repeat(5000);
    expect(editDistance(`${long}A${long}`, `${long}B${long}`)).toBe(1);
  });

  it('counts a middle past the cap as rewritten, an upper bound', () => {
    const draft = 'a'.repeat(MAX_COMPARED + 500);
    const approved = 'b'.repeat(MAX_COMPARED + 100);
    expect(editDistance(draft, approved)).toBe(MAX_COMPARED + 500);
  });
});

describe('median', () => {
  it('is the middle value, the mean of the two middle ones, or null for none', () => {
    expect(median([7, 0, 3])).toBe(3);
    expect(median([0, 7, 3, 10])).toBe(5);
    expect(median([])).toBeNull();
  });
});

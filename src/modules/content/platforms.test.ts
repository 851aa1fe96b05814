// The dashboard's counters read LIMITS and characterCount from src/shared/limits.ts; these tests
// hold the server's schemas to the same count, so a counter at its limit is a text the server
// accepts.
import { describe, expect, it } from 'vitest';

import { characterCount, LIMITS } from '../../shared/limits.ts';
import { InstagramPost, SearchAd, XPost } from './platforms.ts';

describe('platform limits as the dashboard counts them', () => {
  it('an X post of exactly the counted limit passes and one more character fails', () => {
    const text = 'a'.repeat(LIMITS.x.text);
    expect(characterCount(text)).toBe(280);
    expect(XPost.safeParse({ text }).success).toBe(true);
    expect(XPost.safeParse({ text: `${text}b` }).success).toBe(false);
  });

  it('counts code points as the schema does: an emoji 1, a flag 2, a family 5', () => {
    expect(characterCount('🥐')).toBe(1);
    expect(characterCount('🇫🇷')).toBe(2);
    expect(characterCount('👨‍👩‍👧')).toBe(5);
    for (const emoji of ['🥐', '🇫🇷', '👨‍👩‍👧']) {
      const text = `${'a'.repeat(LIMITS.x.text - characterCount(emoji))}${emoji}`;
      expect(characterCount(text)).toBe(280);
      expect(XPost.safeParse({ text }).success).toBe(true);
      expect(XPost.safeParse({ text: `a${text}` }).success).toBe(false);
    }
  });

  it('says in its error message the count the dashboard shows', () => {
    const result = XPost.safeParse({ text: '🥐'.repeat(LIMITS.x.text + 1) });
    expect(result.error?.issues[0]?.message).toContain('this one has 281');
  });

  it('ignores surrounding whitespace, as the schema trims before it counts', () => {
    const text = `  ${'a'.repeat(LIMITS.x.text)}\n`;
    expect(characterCount(text)).toBe(280);
    expect(XPost.safeParse({ text }).success).toBe(true);
  });

  it('a search ad headline at 30 counted characters passes, 31 fails', () => {
    const ok = 'é'.repeat(LIMITS.search_ads.headline);
    const body = (headline: string) => ({
      headlines: [headline, 'Two', 'Three'],
      descriptions: ['One description.', 'Another one.'],
    });
    expect(characterCount(ok)).toBe(30);
    expect(SearchAd.safeParse(body(ok)).success).toBe(true);
    expect(SearchAd.safeParse(body(`${ok}é`)).success).toBe(false);
  });

  it('an Instagram caption with one hashtag too many fails', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `#tag${i}`).join(' ');
    expect(InstagramPost.safeParse({ caption: tags(LIMITS.instagram.hashtags) }).success).toBe(
      true,
    );
    expect(InstagramPost.safeParse({ caption: tags(LIMITS.instagram.hashtags + 1) }).success).toBe(
      false,
    );
  });
});

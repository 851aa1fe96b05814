// The platforms and their character limits as plain data, with no dependency at all, so the
// server's schemas (modules/content/platforms.ts) and the dashboard's counters (imported as
// `@shared/limits`) read the very same numbers and count the very same way.
export const PLATFORMS = [
  'linkedin',
  'x',
  'instagram',
  'facebook',
  'email',
  'blog',
  'search_ads',
] as const;
export type PlatformName = (typeof PLATFORMS)[number];

/** Character limits per platform and field, as the dashboard shows them. */
export const LIMITS = {
  x: { text: 280 },
  linkedin: { text: 3000 },
  instagram: { caption: 2200, hashtags: 30 },
  facebook: { text: 63_206 },
  email: { subject: 150, preheader: 150, body: 50_000 },
  blog: { title: 150, outlineItem: 200, draft: 100_000 },
  search_ads: { headline: 30, description: 90 },
} as const;

/**
 * Characters as the limits count them: the trimmed text's Unicode code points, which is what
 * zod's `.trim().max()` checks (not UTF-16 units, not graphemes). An emoji such as 🥐 counts 1,
 * a flag 2 (two regional indicators), a family emoji joined by zero-width joiners 5 or more.
 */
export function characterCount(text: string): number {
  return Array.from(text.trim()).length;
}

export function hashtagsIn(text: string): string[] {
  return text.match(/#[\p{L}\p{N}_]+/gu) ?? [];
}

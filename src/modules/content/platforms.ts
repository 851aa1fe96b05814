// Each platform's shape and limits, declared once as zod schemas: they validate what the AI
// writes (an answer over a limit is retried with the violation fed back, never truncated),
// what a marketer saves by hand, and they give the dashboard its character counters.
import { z } from 'zod';

import { characterCount, hashtagsIn, LIMITS, PLATFORMS } from '../../shared/limits.ts';
import { Platform } from '../campaigns/index.ts';

export { characterCount, hashtagsIn, LIMITS, Platform, PLATFORMS };

/** A string with a limit whose error says by how much it is over, so a retry can fix it. */
function limited(max: number, what: string, min = 1) {
  return z
    .string()
    .trim()
    .min(min, `${what} is empty`)
    .max(max, {
      error: (issue) =>
        `${what} must be at most ${max} characters; this one has ${typeof issue.input === 'string' ? characterCount(issue.input) : 'more'} — shorten it`,
    });
}

export const XPost = z
  .object({ text: limited(LIMITS.x.text, 'An X post') })
  .meta({ id: 'XPost', example: { text: 'Fresh sourdough every morning. #bakery' } });

export const LinkedInPost = z
  .object({ text: limited(LIMITS.linkedin.text, 'A LinkedIn post') })
  .meta({ id: 'LinkedInPost', example: { text: 'Our spring menu is here.' } });

export const InstagramPost = z
  .object({
    caption: limited(LIMITS.instagram.caption, 'An Instagram caption').refine(
      (caption) => hashtagsIn(caption).length <= LIMITS.instagram.hashtags,
      {
        error: (issue) =>
          `An Instagram caption may have at most ${LIMITS.instagram.hashtags} hashtags; this one has ${hashtagsIn(String(issue.input)).length} — remove some`,
      },
    ),
    imageIdea: z.string().trim().max(500).default(''),
  })
  .meta({ id: 'InstagramPost', example: { caption: 'Spring is here. #bakery', imageIdea: '' } });

export const FacebookPost = z
  .object({ text: limited(LIMITS.facebook.text, 'A Facebook post') })
  .meta({ id: 'FacebookPost', example: { text: 'Come by this weekend.' } });

export const EmailContent = z
  .object({
    subject: limited(LIMITS.email.subject, 'An email subject'),
    preheader: limited(LIMITS.email.preheader, 'An email preheader'),
    body: limited(LIMITS.email.body, 'An email body'),
  })
  .meta({
    id: 'EmailContent',
    example: { subject: 'Spring menu', preheader: 'Five new loaves', body: 'Hello!' },
  });

export const BlogPost = z
  .object({
    title: limited(LIMITS.blog.title, 'A blog title'),
    outline: z.array(limited(LIMITS.blog.outlineItem, 'An outline item')).min(2).max(15),
    draft: limited(LIMITS.blog.draft, 'A blog draft'),
  })
  .meta({
    id: 'BlogPost',
    example: { title: 'Why we bake at 4am', outline: ['Flour', 'Time'], draft: 'Draft…' },
  });

export const SearchAd = z
  .object({
    headlines: z.array(limited(LIMITS.search_ads.headline, 'A search ad headline')).min(3).max(15),
    descriptions: z
      .array(limited(LIMITS.search_ads.description, 'A search ad description'))
      .min(2)
      .max(4),
  })
  .meta({
    id: 'SearchAd',
    example: {
      headlines: ['Fresh Bread Daily', 'Lyon Sourdough', 'Order Today'],
      descriptions: ['Baked every morning in Lyon.', 'Pick up on your way to work.'],
    },
  });

export const PLATFORM_SCHEMAS = {
  x: XPost,
  linkedin: LinkedInPost,
  instagram: InstagramPost,
  facebook: FacebookPost,
  email: EmailContent,
  blog: BlogPost,
  search_ads: SearchAd,
} satisfies Record<Platform, z.ZodType>;

/** The schema a piece's body must pass on its platform. */
export function bodySchemaOf(platform: Platform): z.ZodType<Record<string, unknown>> {
  return PLATFORM_SCHEMAS[platform];
}

/** Plain text of a body, for previews, Slack and webhooks. */
export function plainTextOf(platform: Platform, body: Record<string, unknown>): string {
  const text = (key: string) => (typeof body[key] === 'string' ? body[key] : '');
  switch (platform) {
    case 'instagram':
      return text('caption');
    case 'email':
      return `${text('subject')}\n\n${text('body')}`;
    case 'blog':
      return `${text('title')}\n\n${text('draft')}`;
    case 'search_ads':
      return [
        ...((body.headlines as string[] | undefined) ?? []),
        ...((body.descriptions as string[] | undefined) ?? []),
      ].join('\n');
    default:
      return text('text');
  }
}

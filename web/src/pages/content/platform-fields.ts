// What a piece's text is made of on each platform, and how close each part is to its limit.
// The numbers and the way characters are counted are the server's own (src/shared/limits.ts),
// so a counter at its limit is a text the server accepts.
import { characterCount, hashtagsIn, LIMITS } from '@shared/limits';

export interface TextField {
  kind: 'text';
  key: string;
  label: string;
  limit: number;
  multiline: boolean;
  /** May be left empty (everything else must be written). */
  optional?: boolean;
}

export interface ListField {
  kind: 'list';
  key: string;
  label: string;
  itemLabel: string;
  limit: number;
  minItems: number;
  maxItems: number;
}

export type BodyField = TextField | ListField;

const text = (key: string, label: string, limit: number, multiline = true): TextField => ({
  kind: 'text',
  key,
  label,
  limit,
  multiline,
});

export const PLATFORM_FIELDS: Record<string, BodyField[]> = {
  x: [text('text', 'Post', LIMITS.x.text)],
  linkedin: [text('text', 'Post', LIMITS.linkedin.text)],
  facebook: [text('text', 'Post', LIMITS.facebook.text)],
  instagram: [
    text('caption', 'Caption', LIMITS.instagram.caption),
    { ...text('imageIdea', 'Image idea', 500), optional: true },
  ],
  email: [
    text('subject', 'Subject', LIMITS.email.subject, false),
    text('preheader', 'Preheader', LIMITS.email.preheader, false),
    text('body', 'Body', LIMITS.email.body),
  ],
  blog: [
    text('title', 'Title', LIMITS.blog.title, false),
    {
      kind: 'list',
      key: 'outline',
      label: 'Outline',
      itemLabel: 'Section',
      limit: LIMITS.blog.outlineItem,
      minItems: 2,
      maxItems: 15,
    },
    text('draft', 'Draft', LIMITS.blog.draft),
  ],
  search_ads: [
    {
      kind: 'list',
      key: 'headlines',
      label: 'Headlines',
      itemLabel: 'Headline',
      limit: LIMITS.search_ads.headline,
      minItems: 3,
      maxItems: 15,
    },
    {
      kind: 'list',
      key: 'descriptions',
      label: 'Descriptions',
      itemLabel: 'Description',
      limit: LIMITS.search_ads.description,
      minItems: 2,
      maxItems: 4,
    },
  ],
};

export function fieldsOf(platform: string): BodyField[] {
  return PLATFORM_FIELDS[platform] ?? [text('text', 'Text', LIMITS.facebook.text)];
}

export interface Count {
  count: number;
  limit: number;
  remaining: number;
  over: boolean;
  /** Close to the limit (the last tenth), worth a warning colour. */
  near: boolean;
}

export function countAgainst(value: string, limit: number): Count {
  const count = characterCount(value);
  return {
    count,
    limit,
    remaining: limit - count,
    over: count > limit,
    near: count <= limit && count >= limit * 0.9,
  };
}

export type Body = Record<string, unknown>;

export const textOf = (body: Body, key: string): string =>
  typeof body[key] === 'string' ? body[key] : '';

export const listOf = (body: Body, key: string): string[] =>
  Array.isArray(body[key]) ? body[key].map((item) => (typeof item === 'string' ? item : '')) : [];

/** An empty body with the platform's shape: list fields start with their minimum of items. */
export function emptyBody(platform: string): Body {
  const body: Body = {};
  for (const field of fieldsOf(platform)) {
    body[field.key] = field.kind === 'list' ? Array.from({ length: field.minItems }, () => '') : '';
  }
  return body;
}

function overBy(count: number, limit: number): string {
  const over = count - limit;
  return `${over} character${over === 1 ? '' : 's'} over the limit of ${limit}`;
}

/** Every reason the server would refuse this body, keyed like its field errors (`headlines.1`). */
export function bodyProblems(platform: string, body: Body): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const field of fieldsOf(platform)) {
    if (field.kind === 'text') {
      const value = textOf(body, field.key);
      const { count, over } = countAgainst(value, field.limit);
      if (over) problems[field.key] = overBy(count, field.limit);
      else if (count === 0 && !field.optional) problems[field.key] = `${field.label} is empty`;
      continue;
    }
    const items = listOf(body, field.key);
    if (items.length < field.minItems) {
      problems[field.key] = `At least ${field.minItems} ${field.itemLabel.toLowerCase()}s`;
    } else if (items.length > field.maxItems) {
      problems[field.key] = `At most ${field.maxItems} ${field.itemLabel.toLowerCase()}s`;
    }
    items.forEach((item, index) => {
      const { count, over } = countAgainst(item, field.limit);
      if (over) problems[`${field.key}.${index}`] = overBy(count, field.limit);
      else if (count === 0)
        problems[`${field.key}.${index}`] = `${field.itemLabel} ${index + 1} is empty`;
    });
  }
  if (platform === 'instagram') {
    const tags = hashtagsIn(textOf(body, 'caption')).length;
    if (tags > LIMITS.instagram.hashtags && !('caption' in problems)) {
      problems.caption = `${tags} hashtags; at most ${LIMITS.instagram.hashtags}`;
    }
  }
  return problems;
}

export function hashtagCount(body: Body): number {
  return hashtagsIn(textOf(body, 'caption')).length;
}

export { LIMITS };

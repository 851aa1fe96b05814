// An email step written in Markdown becomes the HTML the rest of the pipeline checks and sends:
// marked (GitHub-flavoured) converts it, sanitize-html keeps only email-safe tags and links.
// Liquid tags stand aside as opaque tokens during both, so they come out exactly as written.
import { randomBytes } from 'node:crypto';

import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, async: false });

const LIQUID = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const SAFE_URL = /^(https?:|mailto:)/i;
const SAFE_IMAGE = /^https?:/i;

/** A URL is kept when its scheme is allowed or a Liquid tag gives it (`{{ unsubscribe_url }}`). */
function allowed(url: string | undefined, scheme: RegExp, token: RegExp): boolean {
  if (url === undefined) return false;
  const trimmed = url.trim();
  return scheme.test(trimmed) || token.test(trimmed);
}

function sanitizeOptions(token: RegExp): sanitizeHtml.IOptions {
  return {
    allowedTags: [
      ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'pre', 'code'],
      ...['a', 'strong', 'b', 'em', 'i', 'u', 's', 'del', 'ul', 'ol', 'li', 'img'],
      ...['table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td'],
    ],
    allowedAttributes: {
      a: ['href', 'title'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      ol: ['start'],
      th: ['align'],
      td: ['align'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    // sanitize-html keeps scheme-less (relative) URLs, which mean nothing in an inbox.
    transformTags: {
      a: (tagName, attribs) => {
        const { href, ...rest } = attribs;
        return { tagName, attribs: allowed(href, SAFE_URL, token) ? attribs : rest };
      },
    },
    exclusiveFilter: (frame) =>
      frame.tag === 'img' && !allowed(frame.attribs.src, SAFE_IMAGE, token),
  };
}

/** Emphasis markers (`*`, `_`) a body may have: marked's emphasis parsing is quadratic in them. */
export const MAX_EMPHASIS_MARKERS = 300;
/** Link brackets (`[`) a body may have: unmatched ones make marked rescan the text. */
export const MAX_LINK_BRACKETS = 500;
/** Block quotes nested deeper than this are refused: marked recurses once per level. */
export const MAX_QUOTE_DEPTH = 10;
const DEEP_QUOTE = new RegExp(`^ {0,3}(?:> ?){${String(MAX_QUOTE_DEPTH + 1)}}`, 'm');

/**
 * Why this Markdown is refused before marked runs, if it is: the conversion is synchronous, and
 * 10,000 characters of `*_a` kept the event loop for 3 s (200,000 of `*a` for 22 s), while
 * 10,000 nested `>` overflowed the stack. Liquid tags do not count (`first_name`).
 */
export function markdownProblem(markdown: string): string | undefined {
  const text = markdown.replace(LIQUID, '');
  let markers = 0;
  let brackets = 0;
  for (const char of text) {
    if (char === '*' || char === '_') markers += 1;
    else if (char === '[') brackets += 1;
  }
  if (brackets > MAX_LINK_BRACKETS) {
    return `More than ${String(MAX_LINK_BRACKETS)} [ characters: write this email in HTML`;
  }
  if (markers > MAX_EMPHASIS_MARKERS) {
    return `More than ${String(MAX_EMPHASIS_MARKERS)} * and _ characters: write this email in HTML`;
  }
  if (DEEP_QUOTE.test(text)) {
    return `Block quotes nested more than ${String(MAX_QUOTE_DEPTH)} deep: write this email in HTML`;
  }
  return undefined;
}

/**
 * The sanitised HTML of a Markdown email body, its Liquid tags untouched. Raw HTML in the Markdown
 * goes through the same filter: no script or style, no on* attributes, links only to http(s) and
 * mailto (or a Liquid value), images only from http(s).
 */
export function markdownToHtml(markdown: string): string {
  let nonce = randomBytes(6).toString('hex');
  while (markdown.includes(nonce)) nonce = randomBytes(6).toString('hex');
  // Letters and digits only: neither Markdown nor the sanitiser changes them.
  const tokenOf = (index: number) => `lq${nonce}n${String(index)}z`;
  const tags: string[] = [];
  const tokenised = markdown.replace(LIQUID, (tag) => tokenOf(tags.push(tag) - 1));
  const tokenAtStart = new RegExp(`^lq${nonce}n\\d+z`);
  const html = sanitizeHtml(
    marked.parse(tokenised, { async: false }),
    sanitizeOptions(tokenAtStart),
  );
  const anyToken = new RegExp(`lq${nonce}n(\\d+)z`, 'g');
  const tagOf = (index: string) => tags[Number(index)] ?? '';
  return (
    html
      // Inside an attribute value (always double-quoted here) a Liquid string takes single quotes.
      .replace(/<[^<>]*>/g, (element) =>
        element.replace(anyToken, (_token, index: string) => tagOf(index).replaceAll('"', "'")),
      )
      .replace(anyToken, (_token, index: string) => tagOf(index))
      .trim()
  );
}

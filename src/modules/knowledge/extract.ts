// Plain text from a document as it was uploaded: markdown read with marked's lexer (its text
// without the markup), HTML through sanitize-html with every tag dropped (scripts and styles
// with their content), block ends kept as blank lines so the chunker sees the paragraphs.
import { Lexer, type Token } from 'marked';
import sanitizeHtml from 'sanitize-html';

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&nbsp;': ' ',
};

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (entity) => ENTITIES[entity] ?? entity);
}

const BLOCK_TAG =
  /<\/?(p|div|h[1-6]|li|tr|br|hr|section|article|blockquote|pre|ul|ol|table|header|footer|main|aside|nav|dd|dt|figcaption)\b[^<>]*>/gi;

export function htmlToPlainText(html: string): string {
  const marked = html.replace(BLOCK_TAG, (tag) => `${tag}\n\n`);
  const text = sanitizeHtml(marked, {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'head'],
  });
  return normaliseBlankLines(decodeEntities(text));
}

function normaliseBlankLines(text: string): string {
  return text
    .replace(/[ \t\r\f\v]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The text of inline tokens (emphasis, links, code spans) without their markup. */
function inlineText(tokens: Token[] | undefined): string {
  if (!tokens) return '';
  return tokens
    .map((token) => {
      if ('tokens' in token && Array.isArray(token.tokens) && token.tokens.length > 0) {
        return inlineText(token.tokens);
      }
      if (token.type === 'br') return '\n';
      if (token.type === 'html') return htmlToPlainText(token.raw);
      return 'text' in token && typeof token.text === 'string' ? decodeEntities(token.text) : '';
    })
    .join('');
}

function blockText(token: Token): string {
  switch (token.type) {
    case 'space':
    case 'hr':
      return '';
    case 'code':
      return token.text as string;
    case 'html':
      return htmlToPlainText(token.raw);
    case 'list':
      return (token.items as { tokens: Token[] }[])
        .map((item) => item.tokens.map(blockText).filter(Boolean).join('\n'))
        .join('\n');
    case 'table': {
      const header = (token.header as { tokens: Token[] }[]).map((cell) => inlineText(cell.tokens));
      const rows = (token.rows as { tokens: Token[] }[][]).map((row) =>
        row.map((cell) => inlineText(cell.tokens)).join(' | '),
      );
      return [header.join(' | '), ...rows].join('\n');
    }
    case 'blockquote':
      return (token.tokens ?? []).map(blockText).filter(Boolean).join('\n\n');
    default:
      return 'tokens' in token && Array.isArray(token.tokens)
        ? inlineText(token.tokens)
        : 'text' in token && typeof token.text === 'string'
          ? token.text
          : '';
  }
}

export function markdownToPlainText(markdown: string): string {
  const blocks = Lexer.lex(markdown).map(blockText).filter(Boolean);
  return normaliseBlankLines(blocks.join('\n\n'));
}

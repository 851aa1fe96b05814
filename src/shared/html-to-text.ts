// The plain-text part of an email made from its HTML: the server sends it for a step without a
// text template of its own, and the step editor starts a hand-written one from it. No
// dependency at all, so both run the very same code.
/**
 * A readable plain-text part from HTML, for steps written without one. Every pattern stops at the
 * next `<` (never `[\s\S]*?` to a closing tag), so a megabyte of unclosed tags costs linear time.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<div style="display:none;max-height:0;overflow:hidden">[^<]*<\/div>/gi, '')
    .replace(/<a\s[^<>]*?href="([^"<>]*)"[^<>]*>([^<]*(?:<(?!\/a>|a\s)[^<]*)*)<\/a>/gi, '$2 ($1)')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr)>/gi, '\n')
    .replace(/<[^<>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

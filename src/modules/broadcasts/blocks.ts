// Reusable blocks: a template of kind 'block' is included in another by name with
// `{% render 'footer' %}`. Blocks are resolved from the business's own blocks before the Liquid
// sandbox parses anything (the sandbox itself still has no file system and refuses render), and
// nesting is bounded: a block may include blocks up to MAX_BLOCK_DEPTH levels, never itself.
import { AppError } from '../../platform/http/errors.ts';
import { htmlToText } from '../sequences/index.ts';

export const MAX_BLOCK_DEPTH = 3;

const RENDER_TAG = /\{%-?\s*render\s+(['"])([^'"]{1,100})\1\s*-?%\}/g;

export interface Block {
  html: string;
  text: string;
}

/** Block names a template includes (directly). */
export function blockNames(source: string): string[] {
  return [...source.matchAll(RENDER_TAG)].map((match) => match[2] ?? '');
}

function blockError(field: string, message: string): AppError {
  return new AppError('VALIDATION_ERROR', `Template error in ${field}: ${message}`, {
    details: { issues: [{ path: `body.${field}`, message }] },
  });
}

/**
 * The source with every `{% render 'name' %}` replaced by the block's body (`part` picks its
 * HTML or its text); an unknown block or nesting deeper than MAX_BLOCK_DEPTH is a 400.
 */
export function expandBlocks(
  source: string,
  part: 'html' | 'text',
  blocks: ReadonlyMap<string, Block>,
  field: string,
  depth = 0,
): string {
  if (!source.includes('render')) return source;
  return source.replace(RENDER_TAG, (_tag, _quote: string, name: string) => {
    const block = blocks.get(name);
    if (!block) throw blockError(field, `block "${name}" does not exist`);
    if (depth >= MAX_BLOCK_DEPTH)
      throw blockError(
        field,
        `blocks may include other blocks at most ${String(MAX_BLOCK_DEPTH)} levels deep ("${name}")`,
      );
    const body = part === 'html' ? block.html : block.text || htmlToText(block.html);
    return expandBlocks(body, part, blocks, field, depth + 1);
  });
}

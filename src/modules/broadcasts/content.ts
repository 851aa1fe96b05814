// An email's parts as written (a template, a block or a broadcast variant) checked exactly as
// sequence steps are — the same Liquid sandbox, the same errors naming field, line and column —
// after the blocks it includes are put in place; and compiled for sending.
import { AppError } from '../../platform/http/errors.ts';
import {
  assertValidTemplates,
  type CompiledStep,
  compileStep,
  htmlOfMarkdown,
  type StepTemplates,
} from '../sequences/index.ts';
import { type Block, expandBlocks } from './blocks.ts';

export interface EmailParts {
  subject: string;
  preheader: string;
  html: string;
  markdown: string | null;
  text: string;
}

/** The parts to store: the HTML made from the Markdown when the body is written in Markdown. */
export function partsOf(body: {
  subject: string;
  preheader: string;
  html?: string | undefined;
  markdown?: string | null | undefined;
  text: string;
}): EmailParts {
  const markdown = body.markdown ?? null;
  return {
    subject: body.subject,
    preheader: body.preheader,
    html: markdown === null ? (body.html ?? '') : htmlOfMarkdown(markdown),
    markdown,
    text: body.text,
  };
}

/** The templates that are rendered: every `{% render 'block' %}` replaced by the block. */
export function expanded(parts: EmailParts, blocks: ReadonlyMap<string, Block>): StepTemplates {
  return {
    subject: parts.subject,
    preheader: parts.preheader,
    html: expandBlocks(parts.html, 'html', blocks, parts.markdown === null ? 'html' : 'markdown'),
    text: expandBlocks(parts.text, 'text', blocks, 'text'),
  };
}

/** Throws VALIDATION_ERROR (400) for an unknown block or a Liquid problem, as steps do. */
export function assertValidParts(parts: EmailParts, blocks: ReadonlyMap<string, Block>): void {
  if (parts.html.trim() === '') {
    throw new AppError('VALIDATION_ERROR', 'The email body is empty', {
      details: { issues: [{ path: 'body.html', message: 'the email body is empty' }] },
    });
  }
  const templates = expanded(parts, blocks);
  const markdown =
    parts.markdown === null ? undefined : expandBlocks(parts.markdown, 'html', blocks, 'markdown');
  assertValidTemplates(templates, markdown);
}

export function compileParts(parts: EmailParts, blocks: ReadonlyMap<string, Block>): CompiledStep {
  return compileStep(expanded(parts, blocks));
}

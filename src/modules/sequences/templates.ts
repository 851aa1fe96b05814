// Liquid templates of a sequence step: checked when the step is saved (a parse and a trial render
// for a sample subscriber under the sandbox's limits; errors name the field, line and column),
// rendered per subscriber when the step is sent. Engines and limits come from liquid-sandbox.ts
// (no file system, include/render/layout refused). HTML bodies escape every substituted value,
// so a subscriber's name cannot inject markup; subject, preheader and text are plain text and are
// not escaped. Missing values render empty; `| default: "there"` gives a fallback.
import type { Template } from 'liquidjs';

import { AppError } from '../../platform/http/errors.ts';
import { htmlToText } from '../../shared/html-to-text.ts';
import {
  isTimeLimit,
  newRenderBudget,
  parseTemplate,
  RENDER_TRIES,
  type RenderBudget,
  renderTemplate,
  TemplateRenderError,
} from './liquid-sandbox.ts';
import { markdownProblem, markdownToHtml } from './markdown.ts';

export { htmlToText } from '../../shared/html-to-text.ts';
export { TEMPLATE_LIMITS, TemplateRenderError } from './liquid-sandbox.ts';

export interface StepTemplates {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

export interface TemplateProblem {
  /** `markdown` for a body written in Markdown. */
  field: keyof StepTemplates | 'markdown';
  line: number;
  column: number;
  message: string;
}

export interface CompiledStep {
  subject: Template[];
  preheader: Template[];
  html: Template[];
  text: Template[];
  /** Whether the author placed the unsubscribe link themselves. */
  htmlHasUnsubscribe: boolean;
  textHasUnsubscribe: boolean;
}

export interface RenderContext {
  subscriber: {
    email: string;
    firstName: string | null;
    lastName: string | null;
    attributes: Record<string, unknown>;
  };
  business: { name: string };
  unsubscribeUrl: string;
  /** The customer event that enrolled the subscriber: `{{ event.cart_id }}`, `{{ event.name }}`. */
  event?: { name: string; properties: Record<string, unknown> } | null;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const FIELDS: (keyof StepTemplates)[] = ['subject', 'preheader', 'html', 'text'];

const kindOf = (field: keyof StepTemplates) => (field === 'html' ? 'html' : 'text');

/** The subscriber a step is trial-rendered for at save time and previewed for by default. */
export const SAMPLE_SUBSCRIBER: RenderContext['subscriber'] = {
  email: 'sample@example.com',
  firstName: 'Sam',
  lastName: 'Sample',
  attributes: {},
};

const SAMPLE_CONTEXT: RenderContext = {
  subscriber: SAMPLE_SUBSCRIBER,
  business: { name: 'Sample business' },
  unsubscribeUrl: 'https://herald.invalid/unsubscribe/sample',
};

function problemOf(error: TemplateRenderError): TemplateProblem {
  return {
    field: error.field as keyof StepTemplates,
    line: error.line,
    column: error.column,
    message: error.reason,
  };
}

/**
 * Every problem of the four templates, with its field, line and column: syntax errors and refused
 * tags, then (when all parse) what a trial render for a sample subscriber hits — a limit of the
 * sandbox or a runtime error — so what cannot render within the limits is never saved.
 */
export function checkTemplates(templates: StepTemplates): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const parsed: Partial<Record<keyof StepTemplates, Template[]>> = {};
  for (const field of FIELDS) {
    try {
      parsed[field] = parseTemplate(kindOf(field), field, templates[field]);
    } catch (error) {
      if (!(error instanceof TemplateRenderError)) throw error;
      problems.push(problemOf(error));
    }
  }
  const { subject, preheader, html, text } = parsed;
  if (problems.length > 0 || !subject || !preheader || !html || !text) return problems;
  const step = { ...unsubscribePlacement(templates), subject, preheader, html, text };
  // Out of time is blamed on the template only when it repeats (see isTimeLimit).
  for (let attempt = 1; ; attempt++) {
    try {
      renderStep(step, SAMPLE_CONTEXT);
      return problems;
    } catch (error) {
      if (!(error instanceof TemplateRenderError)) throw error;
      if (attempt < RENDER_TRIES && isTimeLimit(error)) continue;
      problems.push(problemOf(error));
      return problems;
    }
  }
}

/**
 * The VALIDATION_ERROR for template problems, one issue per problem with its path
 * (`body.html`, or `step.html` for a stored step) and position.
 */
export function templateValidationError(
  problems: TemplateProblem[],
  pathPrefix = 'body',
): AppError {
  const first = problems[0];
  return new AppError(
    'VALIDATION_ERROR',
    `Template error in ${first?.field ?? 'template'} at line ${String(first?.line ?? 1)}: ${first?.message ?? ''}`,
    {
      details: {
        issues: problems.map((problem) => ({
          path: `${pathPrefix}.${problem.field}`,
          message: `line ${String(problem.line)}, column ${String(problem.column)}: ${problem.message}`,
          line: problem.line,
          column: problem.column,
        })),
      },
    },
  );
}

/**
 * Throws VALIDATION_ERROR listing each problem, so a broken template is never saved. When the
 * HTML was made from `markdown`, its problems are reported against the Markdown, at the
 * Markdown's own line where the Markdown shows the problem too.
 */
export function assertValidTemplates(templates: StepTemplates, markdown?: string): void {
  const problems = checkTemplates(templates);
  if (problems.length === 0) return;
  if (markdown === undefined || !problems.some((problem) => problem.field === 'html')) {
    throw templateValidationError(problems);
  }
  const inMarkdown = checkTemplates({ ...templates, html: markdown }).filter(
    (problem) => problem.field === 'html',
  );
  const body =
    inMarkdown.length > 0 ? inMarkdown : problems.filter(({ field }) => field === 'html');
  throw templateValidationError([
    ...problems.filter(({ field }) => field !== 'html'),
    ...body.map((problem) => ({ ...problem, field: 'markdown' as const })),
  ]);
}

/**
 * The HTML body of a step written in Markdown (see markdown.ts); a Markdown that leaves nothing
 * once unsafe HTML is removed is a VALIDATION_ERROR, like an empty HTML body.
 */
export function htmlOfMarkdown(markdown: string): string {
  const problem = markdownProblem(markdown);
  const html = problem === undefined ? markdownToHtml(markdown) : '';
  if (html !== '') return html;
  const message =
    problem ?? 'The Markdown leaves no email body once scripts and unsafe HTML are removed';
  throw new AppError('VALIDATION_ERROR', message, {
    details: { issues: [{ path: 'body.markdown', message }] },
  });
}

/**
 * Renders a step for a preview or a test send: a template that hits a limit or fails for this
 * subscriber is the author's to fix, so it answers VALIDATION_ERROR naming the field.
 */
export function renderForAuthor(
  templates: StepTemplates,
  context: RenderContext,
  pathPrefix = 'body',
): RenderedEmail {
  try {
    return renderStep(compileStep(templates), context);
  } catch (error) {
    if (!(error instanceof TemplateRenderError)) throw error;
    throw templateValidationError([problemOf(error)], pathPrefix);
  }
}

const UNSUBSCRIBE_VARIABLE = /\{\{-?\s*unsubscribe_url\b/;

/** Parses a step's four parts; a part that does not parse throws TemplateRenderError naming it. */
function unsubscribePlacement(templates: StepTemplates) {
  return {
    htmlHasUnsubscribe: UNSUBSCRIBE_VARIABLE.test(templates.html),
    textHasUnsubscribe: UNSUBSCRIBE_VARIABLE.test(templates.text),
  };
}

export function compileStep(templates: StepTemplates): CompiledStep {
  return {
    subject: parseTemplate('text', 'subject', templates.subject),
    preheader: parseTemplate('text', 'preheader', templates.preheader),
    html: parseTemplate('html', 'html', templates.html),
    text: parseTemplate('text', 'text', templates.text),
    ...unsubscribePlacement(templates),
  };
}

function scopeOf(context: RenderContext): Record<string, unknown> {
  const { subscriber } = context;
  return {
    subscriber: {
      ...subscriber.attributes,
      attributes: subscriber.attributes,
      email: subscriber.email,
      firstName: subscriber.firstName ?? '',
      lastName: subscriber.lastName ?? '',
      first_name: subscriber.firstName ?? '',
      last_name: subscriber.lastName ?? '',
    },
    business: context.business,
    unsubscribe_url: context.unsubscribeUrl,
    event: context.event
      ? {
          ...context.event.properties,
          name: context.event.name,
          properties: context.event.properties,
        }
      : {},
  };
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/**
 * Renders the step for one subscriber; a visible unsubscribe link is added when absent. The four
 * parts share one budget (TEMPLATE_LIMITS: time, memory, output size); a part that exceeds it or
 * fails throws TemplateRenderError naming the part.
 */
export function renderStep(step: CompiledStep, context: RenderContext): RenderedEmail {
  const scope = scopeOf(context);
  const budget: RenderBudget = newRenderBudget();
  const subject = renderTemplate('text', 'subject', step.subject, scope, budget)
    .replace(/\s+/g, ' ')
    .trim();
  const preheader = renderTemplate('text', 'preheader', step.preheader, scope, budget).trim();
  let html = renderTemplate('html', 'html', step.html, scope, budget);
  let text = renderTemplate('text', 'text', step.text, scope, budget);
  if (!step.htmlHasUnsubscribe) {
    const footer = `<p style="font-size:12px;color:#666">Don't want these emails? <a href="${escapeHtml(context.unsubscribeUrl)}">Unsubscribe</a>.</p>`;
    html = /<\/body>/i.test(html) ? html.replace(/<\/body>/i, `${footer}</body>`) : html + footer;
  }
  if (preheader) {
    const hidden = `<div style="display:none;max-height:0;overflow:hidden">${escapeHtml(preheader)}</div>`;
    html = /<body[^<>]*>/i.test(html)
      ? html.replace(/<body[^<>]*>/i, (tag) => tag + hidden)
      : hidden + html;
  }
  // An empty text template means "made from the HTML": it follows every HTML edit, and it
  // carries the HTML's unsubscribe link already (the author's or the footer's), once.
  if (text.trim() === '') text = htmlToText(html);
  if (!step.textHasUnsubscribe && !text.includes(context.unsubscribeUrl))
    text = `${text.trimEnd()}\n\nUnsubscribe: ${context.unsubscribeUrl}\n`;
  return { subject, html, text };
}

/**
 * Rewrites every http(s) link of the HTML through `wrap` (the click redirect) except those
 * `keep` says to leave alone (the unsubscribe link), and appends the open pixel.
 */
export function addTracking(
  html: string,
  wrap: (url: string) => string,
  keep: (url: string) => boolean,
  pixelUrl: string,
): string {
  const tracked = html.replace(
    /(<a\s[^<>]*?href=")(https?:\/\/[^"<>]+)(")/gi,
    (match, before: string, href: string, after: string) => {
      const url = href.replaceAll('&amp;', '&');
      return keep(url) ? match : `${before}${escapeHtml(wrap(url))}${after}`;
    },
  );
  const pixel = `<img src="${escapeHtml(pixelUrl)}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`;
  return /<\/body>/i.test(tracked)
    ? tracked.replace(/<\/body>/i, `${pixel}</body>`)
    : tracked + pixel;
}

// Liquid templates of a sequence step: validated when the step is saved (errors name the field,
// line and column), rendered per subscriber when the step is sent. HTML bodies escape every
// substituted value, so a subscriber's name cannot inject markup; subject, preheader and text
// are plain text and are not escaped. Missing values render empty; `| default: "there"` gives a
// fallback.
import { Liquid, type Template } from 'liquidjs';

import { AppError } from '../../platform/http/errors.ts';

// Made at first use: a Liquid engine reads the time zone through Intl, which maps ICU data into
// the process, and an idle server renders nothing (start-up memory).
let engines: { html: Liquid; text: Liquid } | undefined;
function engine(kind: 'html' | 'text'): Liquid {
  engines ??= {
    html: new Liquid({ outputEscape: 'escape', strictFilters: true, cache: false }),
    text: new Liquid({ strictFilters: true, cache: false }),
  };
  return engines[kind];
}

export interface StepTemplates {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

export interface TemplateProblem {
  field: keyof StepTemplates;
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
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const FIELDS: (keyof StepTemplates)[] = ['subject', 'preheader', 'html', 'text'];

function positionOf(error: unknown): { line: number; column: number } {
  const message = error instanceof Error ? error.message : String(error);
  const match = /line:(\d+), col:(\d+)/.exec(message);
  return match ? { line: Number(match[1]), column: Number(match[2]) } : { line: 1, column: 1 };
}

function cleanMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.replace(/,? line:\d+, col:\d+/, '') ?? message;
}

/** Parses the four templates; every syntax problem, with its field, line and column. */
export function checkTemplates(templates: StepTemplates): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const field of FIELDS) {
    try {
      engine(field === 'html' ? 'html' : 'text').parse(templates[field]);
    } catch (error) {
      problems.push({ field, ...positionOf(error), message: cleanMessage(error) });
    }
  }
  return problems;
}

/** Throws VALIDATION_ERROR listing each problem, so a broken template is never saved. */
export function assertValidTemplates(templates: StepTemplates): void {
  const problems = checkTemplates(templates);
  if (problems.length === 0) return;
  const first = problems[0];
  throw new AppError(
    'VALIDATION_ERROR',
    `Template error in ${first?.field ?? 'template'} at line ${String(first?.line ?? 1)}: ${first?.message ?? ''}`,
    {
      details: {
        issues: problems.map((problem) => ({
          path: `body.${problem.field}`,
          message: `line ${String(problem.line)}, column ${String(problem.column)}: ${problem.message}`,
          line: problem.line,
          column: problem.column,
        })),
      },
    },
  );
}

const UNSUBSCRIBE_VARIABLE = /\{\{-?\s*unsubscribe_url\b/;

export function compileStep(templates: StepTemplates): CompiledStep {
  return {
    subject: engine('text').parse(templates.subject),
    preheader: engine('text').parse(templates.preheader),
    html: engine('html').parse(templates.html),
    text: engine('text').parse(templates.text),
    htmlHasUnsubscribe: UNSUBSCRIBE_VARIABLE.test(templates.html),
    textHasUnsubscribe: UNSUBSCRIBE_VARIABLE.test(templates.text),
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
  };
}

function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** Renders the step for one subscriber; a visible unsubscribe link is added when absent. */
export function renderStep(step: CompiledStep, context: RenderContext): RenderedEmail {
  const scope = scopeOf(context);
  const subject = String(engine('text').renderSync(step.subject, scope))
    .replace(/\s+/g, ' ')
    .trim();
  const preheader = String(engine('text').renderSync(step.preheader, scope)).trim();
  let html = String(engine('html').renderSync(step.html, scope));
  let text = String(engine('text').renderSync(step.text, scope));
  if (!step.htmlHasUnsubscribe) {
    const footer = `<p style="font-size:12px;color:#666">Don't want these emails? <a href="${escapeHtml(context.unsubscribeUrl)}">Unsubscribe</a>.</p>`;
    html = /<\/body>/i.test(html) ? html.replace(/<\/body>/i, `${footer}</body>`) : html + footer;
  }
  if (preheader) {
    const hidden = `<div style="display:none;max-height:0;overflow:hidden">${escapeHtml(preheader)}</div>`;
    html = /<body[^>]*>/i.test(html)
      ? html.replace(/<body[^>]*>/i, (tag) => tag + hidden)
      : hidden + html;
  }
  if (text.trim() === '') text = htmlToText(html);
  if (!step.textHasUnsubscribe)
    text = `${text.trimEnd()}\n\nUnsubscribe: ${context.unsubscribeUrl}\n`;
  return { subject, html, text };
}

/** A readable plain-text part from HTML, for steps written without one. */
export function htmlToText(html: string): string {
  return html
    .replace(/<div style="display:none[^"]*">[\s\S]*?<\/div>/gi, '')
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, '$2 ($1)')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
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
    /(<a\s[^>]*?href=")(https?:\/\/[^"]+)(")/gi,
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

// The one factory of Liquid engines in Herald. Only sequence steps render user-written Liquid
// (subject, preheader, HTML and text parts, through preview, test send, the dispatcher and AI
// drafts), so it lives beside them; a module that ever renders user templates elsewhere must use
// this factory (and move it to src/platform/). The sandbox: an engine with no file system, the
// tags that load files refused when a template is parsed, and every parse and render bounded in
// size, time and memory so one tenant's template cannot stall the event loop or exhaust memory.
import { type FS, Liquid, type Template } from 'liquidjs';

/**
 * Bounds of one step (documented in docs/email-delivery.md). `renderMs` is shared by the four
 * parts of a step, so a step blocks the event loop for at most that long; `memoryUnits` is
 * liquidjs's allocation count (characters of built strings, array elements) per part;
 * `outputBytes` caps a rendered email.
 */
export const TEMPLATE_LIMITS = {
  /** Characters of one template part (the schema's largest part). */
  parseChars: 200_000,
  renderMs: 50,
  memoryUnits: 2_000_000,
  outputBytes: 1_000_000,
} as const;

/** Tags that read other templates from storage: refused, templates are self-contained. */
export const FILE_TAGS = ['include', 'render', 'layout'] as const;

export function fileTagMessage(tag: string): string {
  return `${tag} is not supported: templates cannot load other files`;
}

/** A file system that knows no files, so even a tag that slipped through reads nothing. */
const NO_FILES: FS = {
  exists: () => Promise.resolve(false),
  existsSync: () => false,
  readFile: () => Promise.reject(new Error('templates cannot load other files')),
  readFileSync: () => {
    throw new Error('templates cannot load other files');
  },
  resolve: (_dir, file) => file,
  contains: () => Promise.resolve(false),
  containsSync: () => false,
  fallback: () => undefined,
};

function sandboxedEngine(options: { escapeHtml: boolean }): Liquid {
  const engine = new Liquid({
    ...(options.escapeHtml ? { outputEscape: 'escape' as const } : {}),
    strictFilters: true,
    cache: false,
    fs: NO_FILES,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    ownPropertyOnly: true,
    parseLimit: TEMPLATE_LIMITS.parseChars,
    renderLimit: TEMPLATE_LIMITS.renderMs,
    memoryLimit: TEMPLATE_LIMITS.memoryUnits,
  });
  for (const tag of FILE_TAGS) {
    engine.registerTag(tag, {
      parse() {
        throw new Error(fileTagMessage(tag));
      },
      render() {
        throw new Error(fileTagMessage(tag));
      },
    });
  }
  return engine;
}

// Made at first use: a Liquid engine reads the time zone through Intl, which maps ICU data into
// the process, and an idle server renders nothing (start-up memory).
let engines: { html: Liquid; text: Liquid } | undefined;

/** The sandboxed engine: `html` escapes every substituted value, `text` does not. */
export function templateEngine(kind: 'html' | 'text'): Liquid {
  engines ??= {
    html: sandboxedEngine({ escapeHtml: true }),
    text: sandboxedEngine({ escapeHtml: false }),
  };
  return engines[kind];
}

/**
 * A render failure of one part of a template: a limit reached, a refused tag, a runtime error.
 * `reason` is safe to show the author (no server path, no stack).
 */
export class TemplateRenderError extends Error {
  readonly field: string;
  readonly reason: string;
  readonly line: number;
  readonly column: number;

  constructor(field: string, error: unknown) {
    const reason = reasonOf(error);
    super(`Template error in ${field}: ${reason}`, { cause: error });
    this.name = 'TemplateRenderError';
    this.field = field;
    this.reason = reason;
    const { line, column } = positionOf(error);
    this.line = line;
    this.column = column;
  }
}

export function positionOf(error: unknown): { line: number; column: number } {
  const message = error instanceof Error ? error.message : String(error);
  const match = /line:(\d+), col:(\d+)/.exec(message);
  return match ? { line: Number(match[1]), column: Number(match[2]) } : { line: 1, column: 1 };
}

/** The first line of a Liquid error without its position, and never the server's directory. */
export function cleanMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0] ?? message;
  return first.replace(/,? line:\d+, col:\d+/, '').replaceAll(process.cwd(), '.');
}

const OUTPUT_REASON = `renders to more than ${String(TEMPLATE_LIMITS.outputBytes / 1_000_000)} MB`;

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('template render limit exceeded'))
    return `takes longer than ${String(TEMPLATE_LIMITS.renderMs)} ms to render (a loop too large?)`;
  if (message.includes('memory alloc limit exceeded'))
    return `builds more than ${String(TEMPLATE_LIMITS.memoryUnits / 1_000_000)} million characters or items while rendering (a loop or range too large?)`;
  if (message.includes('parse length limit exceeded'))
    return `is longer than ${TEMPLATE_LIMITS.parseChars.toLocaleString('en-US')} characters`;
  if (message.includes('Invalid string length') || message === OUTPUT_REASON) return OUTPUT_REASON;
  return cleanMessage(error);
}

/**
 * Whether a render ran out of time. The budget is wall time, so a stall of the whole process (a
 * busy machine, a GC pause) can outlast it once; callers render again, in a later event-loop
 * turn, before they blame the template — a template that is really too slow is slow every time.
 */
export function isTimeLimit(error: TemplateRenderError): boolean {
  return error.reason.startsWith('takes longer than');
}

/** How many times a render may run out of time before the template is blamed. */
export const RENDER_TRIES = 3;

/** What is left of one email's render budget: a deadline and the output bytes still allowed. */
export interface RenderBudget {
  deadline: number;
  outputBytes: number;
}

export function newRenderBudget(): RenderBudget {
  return {
    deadline: performance.now() + TEMPLATE_LIMITS.renderMs,
    outputBytes: TEMPLATE_LIMITS.outputBytes,
  };
}

/** Parses one part; a syntax error or a refused tag throws TemplateRenderError naming it. */
export function parseTemplate(kind: 'html' | 'text', field: string, source: string): Template[] {
  try {
    return templateEngine(kind).parse(source);
  } catch (error) {
    throw new TemplateRenderError(field, error);
  }
}

/**
 * Renders one part synchronously within what is left of `budget` (time, then output size); a
 * limit reached or a runtime error throws TemplateRenderError naming the part.
 */
export function renderTemplate(
  kind: 'html' | 'text',
  field: string,
  templates: Template[],
  scope: object,
  budget: RenderBudget,
): string {
  let output: string;
  try {
    output = String(
      templateEngine(kind).renderSync(templates, scope, {
        renderLimit: Math.max(0, budget.deadline - performance.now()),
        memoryLimit: TEMPLATE_LIMITS.memoryUnits,
      }),
    );
  } catch (error) {
    throw new TemplateRenderError(field, error);
  }
  // The length first: a huge result is never flattened to count its bytes.
  const bytes =
    output.length > budget.outputBytes ? output.length : Buffer.byteLength(output, 'utf8');
  if (bytes > budget.outputBytes) throw new TemplateRenderError(field, new Error(OUTPUT_REASON));
  budget.outputBytes -= bytes;
  return output;
}

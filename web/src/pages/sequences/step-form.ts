// The step editor's form state and its conversion to and from the API: the delay as a number and
// a unit, the send window as weekday boxes and two times, the body written in Markdown or in HTML,
// the plain-text part made from the HTML or written by hand, and the server's template errors mapped back to the field (and line) they
// belong to, for as long as the field is as it was saved. Pure, so it is tested without a browser.
import { htmlToText } from '@shared/html-to-text';

import { ApiError } from '../../api/errors';
import type { components } from '../../api/schema';

/** A step as its editor sees it: its own email (the A/B variants have their own panel). */
export type SequenceStep = Omit<
  components['schemas']['SequenceStep'],
  'variants' | 'abTest' | 'winner'
>;
export type DelayUnit = SequenceStep['delay']['unit'];
export type TemplateField = 'subject' | 'preheader' | 'markdown' | 'html' | 'text';
/** Where the plain-text part comes from: made from the HTML when sent, or written by hand. */
export type TextSource = 'html' | 'written';
/** How the body is written: Markdown (the server makes the HTML) or HTML itself. */
export type BodyFormat = 'markdown' | 'html';

export const TEMPLATE_FIELDS: readonly TemplateField[] = [
  'subject',
  'preheader',
  'markdown',
  'html',
  'text',
];

/** ISO weekdays, as the API counts them (1 = Monday … 7 = Sunday). */
export const WEEKDAYS = [
  { day: 1, short: 'Mon', label: 'Monday' },
  { day: 2, short: 'Tue', label: 'Tuesday' },
  { day: 3, short: 'Wed', label: 'Wednesday' },
  { day: 4, short: 'Thu', label: 'Thursday' },
  { day: 5, short: 'Fri', label: 'Friday' },
  { day: 6, short: 'Sat', label: 'Saturday' },
  { day: 7, short: 'Sun', label: 'Sunday' },
] as const;

const MAX_DELAY_MINUTES = 365 * 24 * 60;
const UNIT_MINUTES: Record<DelayUnit, number> = { minutes: 1, hours: 60, days: 1440 };

export interface StepForm {
  /** As typed, so a half-typed number is not snapped back while editing. */
  delayValue: string;
  delayUnit: DelayUnit;
  windowEnabled: boolean;
  windowDays: number[];
  windowStart: string;
  windowEnd: string;
  subject: string;
  preheader: string;
  bodyFormat: BodyFormat;
  markdown: string;
  /** The body in HTML mode (in Markdown mode, not sent: the server makes it from `markdown`). */
  html: string;
  /** Sent as '' (made from the HTML) unless `textSource` is 'written'. */
  text: string;
  textSource: TextSource;
}

export interface StepPayload {
  delay: { value: number; unit: DelayUnit };
  sendWindow: { days: number[]; start: string; end: string } | null;
  subject: string;
  preheader: string;
  /** One of the two: Markdown (the server makes the HTML) or HTML (which clears the Markdown). */
  html?: string;
  markdown?: string;
  text: string;
}

export type FormErrors = Partial<Record<keyof StepForm, string>>;

export function emptyStepForm(isFirst: boolean): StepForm {
  return {
    delayValue: isFirst ? '0' : '2',
    delayUnit: isFirst ? 'minutes' : 'days',
    windowEnabled: false,
    windowDays: [1, 2, 3, 4, 5],
    windowStart: '09:00',
    windowEnd: '17:00',
    subject: '',
    preheader: '',
    bodyFormat: 'markdown',
    markdown: '',
    html: '',
    text: '',
    textSource: 'html',
  };
}

export function stepToForm(step: SequenceStep): StepForm {
  const window = step.sendWindow;
  return {
    delayValue: String(step.delay.value),
    delayUnit: step.delay.unit,
    windowEnabled: window !== null,
    windowDays: window ? [...window.days].sort((a, b) => a - b) : [1, 2, 3, 4, 5],
    windowStart: window?.start ?? '09:00',
    windowEnd: window?.end ?? '17:00',
    subject: step.subject,
    preheader: step.preheader,
    bodyFormat: step.markdown === null ? 'html' : 'markdown',
    markdown: step.markdown ?? '',
    html: step.html,
    text: step.text,
    textSource: step.text.trim() === '' ? 'html' : 'written',
  };
}

/**
 * Writing the plain-text part by hand starts from the body's words, Liquid kept: the HTML's (in
 * Markdown mode, the HTML the preview made from it), or the Markdown as written before any.
 */
export function writeTextByHand(form: StepForm, madeFromMarkdown: string | null = null): StepForm {
  if (form.bodyFormat === 'html') {
    return { ...form, textSource: 'written', text: htmlToText(form.html) };
  }
  const text = madeFromMarkdown === null ? form.markdown : htmlToText(madeFromMarkdown);
  return { ...form, textSource: 'written', text };
}

/**
 * To HTML, with the HTML the server made from the Markdown (the Markdown is kept while the
 * marketer switches back and forth, and dropped on save).
 */
export function switchToHtml(form: StepForm, madeFromMarkdown: string): StepForm {
  return { ...form, bodyFormat: 'html', html: madeFromMarkdown };
}

/**
 * Back to Markdown. An HTML body still as made from the Markdown returns to that Markdown; an
 * HTML body written or changed by hand starts the Markdown from its words (formatting is lost,
 * so the editor asks first: see `switchLosesFormatting`).
 */
export function switchToMarkdown(form: StepForm, madeFromMarkdown: string | null): StepForm {
  if (form.html.trim() === '' || form.html === madeFromMarkdown) {
    return { ...form, bodyFormat: 'markdown' };
  }
  return { ...form, bodyFormat: 'markdown', markdown: htmlToText(form.html).trim() };
}

/** Whether going back to Markdown would turn the marketer's own HTML into plain words. */
export function switchLosesFormatting(form: StepForm, madeFromMarkdown: string | null): boolean {
  return form.html.trim() !== '' && form.html !== madeFromMarkdown;
}

/** Back to the plain-text part made from the HTML when sent: the hand-written text goes. */
export function makeTextFromHtml(form: StepForm): StepForm {
  return { ...form, textSource: 'html', text: '' };
}

/** The body to save, or the fields that stop it from being saved (checked before any request). */
export function formToPayload(
  form: StepForm,
): { ok: true; payload: StepPayload } | { ok: false; errors: FormErrors } {
  const errors: FormErrors = {};
  const trimmed = form.delayValue.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isInteger(value) || value < 0) {
    errors.delayValue = 'Enter a whole number of minutes, hours or days (0 or more)';
  } else if (value * UNIT_MINUTES[form.delayUnit] > MAX_DELAY_MINUTES) {
    errors.delayValue = 'A step can wait at most a year';
  }
  if (form.windowEnabled) {
    if (form.windowDays.length === 0) errors.windowDays = 'Choose at least one day';
    if (!isTime(form.windowStart)) errors.windowStart = 'Enter a time like 09:00';
    if (!isTime(form.windowEnd)) errors.windowEnd = 'Enter a time like 17:00';
    else if (isTime(form.windowStart) && form.windowStart >= form.windowEnd) {
      errors.windowEnd = 'The window must end after it starts';
    }
  }
  if (form.subject.trim() === '') errors.subject = 'A subject is required';
  if (form.bodyFormat === 'markdown' && form.markdown.trim() === '') {
    errors.markdown = 'Write the email';
  }
  if (form.bodyFormat === 'html' && form.html.trim() === '')
    errors.html = 'The HTML body is required';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    payload: {
      delay: { value, unit: form.delayUnit },
      sendWindow: form.windowEnabled
        ? {
            days: [...new Set(form.windowDays)].sort((a, b) => a - b),
            start: form.windowStart,
            end: form.windowEnd,
          }
        : null,
      subject: form.subject,
      preheader: form.preheader,
      ...(form.bodyFormat === 'markdown' ? { markdown: form.markdown } : { html: form.html }),
      text: form.textSource === 'written' && form.text.trim() !== '' ? form.text : '',
    },
  };
}

function isTime(value: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(value);
}

/** "Sends 2 days after the previous step, Mon–Fri 09:00–17:00 (Europe/Paris)". */
export function describeTiming(
  step: Pick<StepPayload, 'delay' | 'sendWindow'>,
  position: number,
  timezone: string,
): string {
  const { value, unit } = step.delay;
  const after = position === 0 ? 'enrollment' : 'the previous step';
  const when =
    value === 0
      ? `Sends right after ${after}`
      : `Sends ${String(value)} ${value === 1 ? unit.replace(/s$/, '') : unit} after ${after}`;
  if (!step.sendWindow) return when;
  return `${when}, ${describeDays(step.sendWindow.days)} ${step.sendWindow.start}–${step.sendWindow.end} (${timezone})`;
}

/** Weekday numbers as words: runs become ranges ("Mon–Fri"), the whole week "every day". */
export function describeDays(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return 'every day';
  const runs: number[][] = [];
  for (const day of sorted) {
    const run = runs.at(-1);
    if (run && run.at(-1) === day - 1) run.push(day);
    else runs.push([day]);
  }
  const name = (day: number) => WEEKDAYS[day - 1]?.short ?? String(day);
  return runs
    .map((run) => {
      const first = run[0] ?? 0;
      const last = run.at(-1) ?? first;
      if (run.length >= 3) return `${name(first)}–${name(last)}`;
      return run.map(name).join(', ');
    })
    .join(', ');
}

export interface TemplateError {
  message: string;
  line: number | null;
  column: number | null;
}

/**
 * The server's errors for a step, by form field: template errors carry the field, line and
 * column (`{ path: 'body.html', line, column }`); other validation errors name the field too.
 */
export function stepErrorsOf(error: unknown): Partial<Record<keyof StepForm, TemplateError>> {
  if (!(error instanceof ApiError) || error.code !== 'VALIDATION_ERROR') return {};
  const issues = Array.isArray(error.details.issues) ? (error.details.issues as unknown[]) : [];
  const found: Partial<Record<keyof StepForm, TemplateError>> = {};
  for (const issue of issues) {
    if (typeof issue !== 'object' || issue === null) continue;
    const { path, message, line, column } = issue as Record<string, unknown>;
    if (typeof path !== 'string' || typeof message !== 'string') continue;
    const field = formFieldOf(path.replace(/^body\.?/, ''));
    if (!field || found[field]) continue;
    found[field] = {
      message,
      line: typeof line === 'number' ? line : null,
      column: typeof column === 'number' ? column : null,
    };
  }
  return found;
}

function formFieldOf(path: string): keyof StepForm | null {
  if ((TEMPLATE_FIELDS as readonly string[]).includes(path)) return path as TemplateField;
  if (path.startsWith('delay')) return 'delayValue';
  if (path === 'sendWindow.days' || path.startsWith('sendWindow.days.')) return 'windowDays';
  if (path === 'sendWindow.start') return 'windowStart';
  if (path.startsWith('sendWindow')) return 'windowEnd';
  return null;
}

/**
 * The errors of the last refused save that still apply: a field changed since then is the
 * author's fix, so its error goes (the live preview checks the new version) instead of staying
 * on screen beside a preview that already shows the fixed email.
 */
export function errorsStillApplying<E>(
  errors: Partial<Record<keyof StepForm, E>>,
  submitted: StepForm | null,
  form: StepForm,
): Partial<Record<keyof StepForm, E>> {
  if (!submitted) return errors;
  const kept: Partial<Record<keyof StepForm, E>> = {};
  for (const field of Object.keys(errors) as (keyof StepForm)[]) {
    if (JSON.stringify(submitted[field]) === JSON.stringify(form[field]))
      kept[field] = errors[field];
  }
  return kept;
}

/** The source line a template error points at, to show beside the message. */
export function lineOf(source: string, line: number | null): string | null {
  if (line === null || line < 1) return null;
  const text = source.split(/\r?\n/)[line - 1];
  return text === undefined ? null : text;
}

/** The Liquid tag the editor's "First name" button inserts. */
export const FIRST_NAME_TAG = '{{ subscriber.first_name | default: "there" }}';

export type MarkdownAction = 'heading' | 'bold' | 'italic' | 'link' | 'list' | 'firstName';

/**
 * A Markdown toolbar button applied to the selection `start`–`end` of `value`: the new text and
 * the selection to show (the placeholder or the link address, ready to be typed over).
 */
export function applyMarkdown(
  value: string,
  start: number,
  end: number,
  action: MarkdownAction,
): { value: string; start: number; end: number } {
  const before = value.slice(0, start);
  const selected = value.slice(start, end);
  const after = value.slice(end);
  const wrap = (open: string, close: string, placeholder: string) => {
    const inner = selected || placeholder;
    const from = start + open.length;
    return { value: before + open + inner + close + after, start: from, end: from + inner.length };
  };
  switch (action) {
    case 'bold':
      return wrap('**', '**', 'bold text');
    case 'italic':
      return wrap('*', '*', 'italic text');
    case 'link': {
      const text = selected || 'link text';
      const from = start + text.length + 3;
      return { value: `${before}[${text}](https://)${after}`, start: from, end: from + 8 };
    }
    case 'firstName': {
      const at = start + FIRST_NAME_TAG.length;
      return { value: before + FIRST_NAME_TAG + after, start: at, end: at };
    }
    case 'heading':
    case 'list': {
      const prefix = action === 'heading' ? '## ' : '- ';
      const lineStart = value.lastIndexOf('\n', start - 1) + 1;
      const lines = value.slice(lineStart, end).split('\n');
      const prefixed = lines.map((line) => prefix + line).join('\n');
      return {
        value: value.slice(0, lineStart) + prefixed + after,
        start: start + prefix.length,
        end: end + prefix.length * lines.length,
      };
    }
  }
}

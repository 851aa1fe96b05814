// Turns a model's text into a value that passed the task's zod schema, or says why it cannot:
// strict JSON first; then the JSON is extracted from prose or a markdown fence and repaired
// (jsonrepair: trailing commas, truncation, quotes, comments, Python literals); then validated.
// A value that fails validation is never returned, whatever was repaired. An answer whose only
// faults are ungrounded statements (contract.ts UNGROUNDED issues) says so, for the usage figures.
import { jsonrepair } from 'jsonrepair';
import { z } from 'zod';

import { UNGROUNDED } from './contract.ts';

export type ParseOutcome<T> =
  | { ok: true; value: T; repaired: boolean }
  | { ok: false; reason: 'empty' | 'unparseable' | 'invalid' | 'ungrounded'; message: string };

const FENCES = /```[a-zA-Z]*[ \t]*\r?\n?([\s\S]*?)(?:```|$)/g;
const MAX_MESSAGE = 800;

/** The end (exclusive) of the balanced JSON value starting at `start`, or -1 if it never closes. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * The JSON-looking part of a model's answer: the first fenced block that looks like JSON if
 * there are fences (the rest is chatter), else the first object (or array) up to where it closes, or to the end when the
 * answer was cut off.
 */
export function extractJson(text: string): string {
  const fenced = [...text.matchAll(FENCES)].map((match) => (match[1] ?? '').trim());
  if (fenced.length > 0) return fenced.find((body) => /^[[{"]/.test(body)) ?? fenced[0] ?? '';
  const object = text.indexOf('{');
  const start = object >= 0 ? object : text.indexOf('[');
  if (start < 0) return text;
  const end = balancedEnd(text, start);
  return (end < 0 ? text.slice(start) : text.slice(start, end)).trim();
}

function parseLoosely(text: string): { value: unknown; repaired: boolean } | undefined {
  try {
    return { value: JSON.parse(text) as unknown, repaired: false };
  } catch {
    // fall through to extraction and repair
  }
  const body = extractJson(text);
  if (body === '') return undefined;
  try {
    return { value: JSON.parse(body) as unknown, repaired: true };
  } catch {
    // fall through to repair
  }
  try {
    return { value: JSON.parse(jsonrepair(body)) as unknown, repaired: true };
  } catch {
    // last resort below
  }
  // Typographic quotes mixed with straight ones (“key": …) defeat jsonrepair; straightening
  // them all is only safe as a last resort, since text may quote with them on purpose.
  try {
    const straight = body.replace(/[\u201c\u201d\u201e\u201f]/g, '"');
    return { value: JSON.parse(jsonrepair(straight)) as unknown, repaired: true };
  } catch {
    return undefined;
  }
}

/** A JSON document sent as a JSON string (`"{\"title\": …}"`) is unwrapped once. */
function unquote(value: unknown): { value: unknown; repaired: boolean } {
  if (typeof value !== 'string') return { value, repaired: false };
  const inner = value.trim();
  if (!/^[[{]/.test(inner)) return { value, repaired: false };
  const parsed = parseLoosely(inner);
  return parsed ? { value: parsed.value, repaired: true } : { value, repaired: false };
}

/** `{ "result": {…} }` or `[{…}]` around an otherwise valid answer. */
function wrapped(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  if (value && typeof value === 'object') {
    const entries = Object.values(value);
    if (entries.length === 1 && entries[0] && typeof entries[0] === 'object') return entries[0];
  }
  return undefined;
}

export function summarizeIssues(error: z.ZodError): string {
  const text = z.prettifyError(error);
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

export function parseModelOutput<T>(text: string, schema: z.ZodType<T>): ParseOutcome<T> {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '' || /^```[a-zA-Z]*\s*```$/.test(trimmed)) {
    return { ok: false, reason: 'empty', message: 'the answer was empty' };
  }
  const parsed = parseLoosely(trimmed);
  if (!parsed) {
    return { ok: false, reason: 'unparseable', message: 'the answer was not JSON' };
  }
  const unquoted = unquote(parsed.value);
  const repaired = parsed.repaired || unquoted.repaired;
  const result = schema.safeParse(unquoted.value);
  if (result.success) return { ok: true, value: result.data, repaired };
  const inner = wrapped(unquoted.value);
  if (inner !== undefined) {
    const unwrapped = schema.safeParse(inner);
    if (unwrapped.success) return { ok: true, value: unwrapped.data, repaired: true };
  }
  const ungrounded = result.error.issues.every(
    (issue) => issue.code === 'custom' && issue.params?.herald === UNGROUNDED.herald,
  );
  return {
    ok: false,
    reason: ungrounded ? 'ungrounded' : 'invalid',
    message: summarizeIssues(result.error),
  };
}

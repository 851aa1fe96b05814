// The one place that refuses input no route should have to think about: text PostgreSQL cannot
// store — a NUL character (text and jsonb refuse \u0000) or a lone UTF-16 surrogate (jsonb
// refuses it; text would silently store U+FFFD) — and JSON nested deeper than any Herald body
// (code that walks it recursively would overflow the stack). A global preValidation hook walks
// every request's path parameters, query and body, values and object keys, so no route can
// forget it, schema or not. 400 names the field.
import type { FastifyInstance } from 'fastify';

import { AppError } from './errors.ts';

/** NUL, or a surrogate not part of a pair (the `u` flag reads a valid pair as one code point). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this refuses
const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** Deeper than any body Herald accepts (brand voice, attributes, content bodies: a few levels). */
export const MAX_JSON_DEPTH = 32;

export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

interface Finding {
  path: string;
  message: string;
}

/**
 * The first place in `value` holding unstorable text or nesting past MAX_JSON_DEPTH, as
 * `location.a.b.0` (a bad key names the object that holds it). Iterative, so input nested
 * thousands of levels deep cannot overflow this walk either. Every request passes through it,
 * so a quick walk that builds no paths runs first; only refused input is walked again for its path.
 */
export function findRefusedInput(value: unknown, location: string): Finding | undefined {
  return holdsRefusedInput(value) ? locateRefusedInput(value, location) : undefined;
}

/** Whether `value` holds unstorable text or nests too deep (no allocation per value). */
function holdsRefusedInput(value: unknown): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const current = values.pop();
    const depth = depths.pop() as number;
    if (typeof current === 'string') {
      if (UNSTORABLE.test(current)) return true;
    } else if (current !== null && typeof current === 'object') {
      if (depth > MAX_JSON_DEPTH) return true;
      if (Array.isArray(current)) {
        for (const child of current as unknown[]) {
          values.push(child);
          depths.push(depth + 1);
        }
      } else if (!Buffer.isBuffer(current)) {
        const record = current as Record<string, unknown>;
        for (const key of Object.keys(record)) {
          if (UNSTORABLE.test(key)) return true;
          values.push(record[key]);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

function locateRefusedInput(value: unknown, location: string): Finding | undefined {
  const stack: [unknown, string, number][] = [[value, location, 0]];
  while (stack.length > 0) {
    const [current, path, depth] = stack.pop() as [unknown, string, number];
    if (depth > MAX_JSON_DEPTH && current !== null && typeof current === 'object') {
      return { path, message: `is nested more than ${MAX_JSON_DEPTH} levels deep` };
    }
    if (typeof current === 'string') {
      if (!isStorableText(current)) return { path, message: messageFor(current) };
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) {
        stack.push([current[index], `${path}.${index}`, depth + 1]);
      }
    } else if (current !== null && typeof current === 'object' && !Buffer.isBuffer(current)) {
      const entries = Object.entries(current);
      for (const [key] of entries) {
        if (!isStorableText(key)) return { path, message: `a key ${messageFor(key)}` };
      }
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, child] = entries[index] as [string, unknown];
        stack.push([child, `${path}.${key}`, depth + 1]);
      }
    }
  }
  return undefined;
}

function messageFor(text: string): string {
  return text.includes('\u0000')
    ? 'must not contain a NUL character (\\u0000)'
    : 'must be valid Unicode text (a lone surrogate was sent)';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Top-level body fields holding a whole file (CSV text) that the route's own parser checks
     * line by line, so one bad line is reported as that line's error instead of refusing the file.
     */
    fileFields?: readonly string[];
  }
}

/** The body without the route's file fields (they are checked by the route's own parser). */
function bodyToCheck(body: unknown, fileFields: readonly string[] | undefined): unknown {
  if (!fileFields || body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([key]) => !fileFields.includes(key)));
}

export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const finding =
      findRefusedInput(request.params, 'params') ??
      findRefusedInput(request.query, 'query') ??
      findRefusedInput(bodyToCheck(request.body, request.routeOptions.config.fileFields), 'body');
    if (!finding) {
      done();
      return;
    }
    done(
      new AppError('VALIDATION_ERROR', `Invalid request: ${finding.path}: ${finding.message}`, {
        details: { issues: [finding] },
      }),
    );
  });
}

// What can go wrong talking to Herald, as two error classes the pages know how to show:
// ApiError (the server answered with the error envelope of DESIGN.md §4, or at least a status)
// and NetworkError (no answer at all). Anything else is a bug and reaches the error boundary.
import type { components } from './schema';

export type ErrorEnvelope = components['schemas']['ErrorEnvelope'];

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  /** The ID to quote when reporting a problem; every Herald response carries one. */
  readonly correlationId: string | null;
  /** From Retry-After on 429 (and 503): how long to wait before trying again. */
  readonly retryAfterSeconds: number | null;

  constructor(options: {
    status: number;
    code: string;
    message: string;
    details?: Record<string, unknown>;
    correlationId?: string | null;
    retryAfterSeconds?: number | null;
  }) {
    super(options.message);
    this.name = 'ApiError';
    this.status = options.status;
    this.code = options.code;
    this.details = options.details ?? {};
    this.correlationId = options.correlationId ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }

  get isRateLimited(): boolean {
    return this.status === 429;
  }

  get isServerError(): boolean {
    return this.status >= 500;
  }

  /** Field messages of a VALIDATION_ERROR, keyed by the field name without `body.`. */
  fieldErrors(): Record<string, string> {
    const issues = Array.isArray(this.details.issues) ? (this.details.issues as unknown[]) : [];
    const fields: Record<string, string> = {};
    for (const issue of issues) {
      if (typeof issue !== 'object' || issue === null) continue;
      const { path, message } = issue as { path?: unknown; message?: unknown };
      if (typeof path === 'string' && typeof message === 'string') {
        fields[path.replace(/^(body|query|params)\.?/, '')] ??= message;
      }
    }
    return fields;
  }

  /** Builds the error from a response and its parsed body (the envelope, if it is one). */
  static from(response: Response, body: unknown): ApiError {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    const headerId = response.headers.get('x-correlation-id');
    if (isEnvelope(body)) {
      return new ApiError({
        status: response.status,
        code: body.error.code,
        message: body.error.message,
        details: body.error.details,
        correlationId: body.error.correlationId || headerId,
        retryAfterSeconds: retryAfter,
      });
    }
    return new ApiError({
      status: response.status,
      code: response.status >= 500 ? 'INTERNAL' : `HTTP_${response.status}`,
      message: response.statusText || `The server answered ${response.status}`,
      correlationId: headerId,
      retryAfterSeconds: retryAfter,
    });
  }
}

/** The request never got an answer: offline, DNS, the server is down or restarting. */
export class NetworkError extends Error {
  constructor(cause?: unknown) {
    super('Could not reach Herald', { cause });
    this.name = 'NetworkError';
  }
}

export function isEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = body.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

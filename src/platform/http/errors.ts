// Typed errors that the one global error handler turns into the envelope of DESIGN.md §4.
// Services throw these; routes never build error bodies themselves.
import { z } from 'zod';

export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  /** Well-formed, but asks for something Herald cannot do (a question no rule expresses). */
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  AI_BUDGET_EXCEEDED: 429,
  INTERNAL: 500,
  AI_OUTPUT_INVALID: 502,
  UPSTREAM_UNAVAILABLE: 503,
  NOT_READY: 503,
  AI_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;
  /** Extra response headers, e.g. Retry-After on 429. */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      details?: Record<string, unknown>;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = options.details ?? {};
    this.headers = options.headers ?? {};
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
/** `value`, or a NOT_FOUND error for `what` when there is none. */
export function found<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw notFound(what);
  return value;
}
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new AppError('CONFLICT', message, { details });
export const unauthenticated = (message = 'Authentication required') =>
  new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'Not allowed') => new AppError('FORBIDDEN', message);
export const rateLimited = (retryAfterSeconds: number, message = 'Too many requests') =>
  new AppError('RATE_LIMITED', message, {
    details: { retryAfterSeconds },
    headers: { 'retry-after': String(retryAfterSeconds) },
  });

/** The error envelope, declared once so every route's OpenAPI entry can reference it. */
export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'NOT_FOUND' }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
      correlationId: z.string(),
    }),
    timestamp: z.iso.datetime(),
  })
  .meta({ id: 'ErrorEnvelope' });

export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];

/**
 * A route's error responses, each the envelope, listed by status in its schema:
 * `response: { 200: Campaign, ...errorResponses(400, 401, 404) }`.
 */
export function errorResponses<const S extends ErrorStatus>(
  ...statuses: S[]
): Record<S, typeof ErrorEnvelope> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorEnvelope])) as Record<
    S,
    typeof ErrorEnvelope
  >;
}

export function errorEnvelope(
  code: string,
  message: string,
  details: Record<string, unknown>,
  correlationId: string,
): ErrorEnvelope {
  return {
    error: { code, message, details, correlationId },
    timestamp: new Date().toISOString(),
  };
}

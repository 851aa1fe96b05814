// The one pino logger shared by the server and the workers. Secrets never reach a log line:
// a value under a known sensitive key is censored at any depth of a log line, bindings included.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export const SENSITIVE_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'secret',
  'jwtSecret',
  'writeKey',
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'databaseUrl',
  'smtpUrl',
];

export const CENSOR = '[redacted]';

const sensitive = new Set(SENSITIVE_KEYS.map((key) => key.toLowerCase()));
/** A JSON key naming a secret, e.g. `"password":` or `"Authorization":`. */
const SENSITIVE_KEY = new RegExp(
  `"(?:${SENSITIVE_KEYS.map((key) => key.replace(/[-]/g, '\\$&')).join('|')})":`,
  'i',
);

function censor(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(censor);
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      copy[key] = sensitive.has(key.toLowerCase()) ? CENSOR : censor(inner);
    }
    return copy;
  }
  return value;
}

/**
 * Censors a finished JSON log line. Most lines name no sensitive key, and one regular-expression
 * test lets them through untouched; the rest are parsed, censored at every depth and re-encoded.
 * (pino's own path-based redaction ran on every binding and key of every line, and cost more
 * than the rest of a request to /health/live.)
 */
export function redactLine(line: string): string {
  if (!SENSITIVE_KEY.test(line)) return line;
  try {
    return `${JSON.stringify(censor(JSON.parse(line)))}\n`;
  } catch {
    // Not JSON (never from pino): drop it rather than risk writing a secret.
    return `${JSON.stringify({ level: 'warn', msg: 'log line withheld: could not be redacted' })}\n`;
  }
}

export interface LoggerOptions {
  level: string;
  pretty: boolean;
  /** Where lines go; tests pass a stream to capture them. Defaults to stdout. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base: pino.LoggerOptions = {
    level: options.level,
    hooks: { streamWrite: redactLine },
    base: { service: 'herald' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino(base);
}

// When to try a model again: exponential backoff with jitter, at least as long as the provider's
// Retry-After asks, and never past the call's overall deadline.
export interface BackoffSettings {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The wait before retry number `retry` (1 for the first retry): base × 2^(retry−1), capped,
 * with "equal jitter" (half fixed, half random) so that many callers failing together spread
 * out, yet each still waits a useful minimum. `random` is in [0, 1).
 */
export function backoffDelayMs(retry: number, settings: BackoffSettings, random: number): number {
  const exponential = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (retry - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random);
}

/**
 * A Retry-After header (delta seconds or an HTTP date) or retry-after-ms, in milliseconds;
 * undefined when absent or unreadable.
 */
export function retryAfterMs(
  headers: Record<string, string | undefined> | undefined,
  now: number,
): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(
    Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]),
  );
  const milliseconds = Number(lower['retry-after-ms']);
  if (lower['retry-after-ms'] && Number.isFinite(milliseconds) && milliseconds >= 0) {
    return Math.round(milliseconds);
  }
  const value = lower['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

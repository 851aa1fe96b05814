import { describe, expect, it } from 'vitest';

import { backoffDelayMs, retryAfterMs } from './retry.ts';

describe('backoff', () => {
  const settings = { baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles with each retry and stays between half and all of the exponential step', () => {
    expect(backoffDelayMs(1, settings, 0)).toBe(50);
    expect(backoffDelayMs(1, settings, 0.999)).toBeLessThanOrEqual(100);
    expect(backoffDelayMs(2, settings, 0)).toBe(100);
    expect(backoffDelayMs(3, settings, 0)).toBe(200);
  });

  it('never exceeds the maximum delay', () => {
    expect(backoffDelayMs(20, settings, 0.999)).toBeLessThanOrEqual(1000);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delta seconds, HTTP dates and retry-after-ms', () => {
    expect(retryAfterMs({ 'Retry-After': '2' }, now)).toBe(2000);
    expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now)).toBe(5000);
    expect(retryAfterMs({ 'retry-after-ms': '250' }, now)).toBe(250);
  });

  it('ignores missing or unreadable values', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';

import { isRealDateTime, publishInstant } from './workflow.ts';

describe('publish times', () => {
  it('refuses calendar days and hours that do not exist instead of rolling them over', () => {
    expect(isRealDateTime('2030-02-30T09:00')).toBe(false);
    expect(isRealDateTime('2030-04-31T09:00:00Z')).toBe(false);
    expect(isRealDateTime('2030-13-01T09:00')).toBe(false);
    expect(isRealDateTime('2030-01-01T24:30')).toBe(false);
    expect(isRealDateTime('2030-01-01T09:60')).toBe(false);
    expect(isRealDateTime('2030-01-01T09:00:60')).toBe(false);
    expect(isRealDateTime('2028-02-29T09:00')).toBe(true);
    expect(isRealDateTime('2030-12-31T23:59:59.999+02:00')).toBe(true);
  });

  it('reads a time without an offset in the zone, and one with an offset as it is', () => {
    expect(publishInstant('2030-01-15T09:00', 'Europe/Paris').toISOString()).toBe(
      '2030-01-15T08:00:00.000Z',
    );
    expect(publishInstant('2030-07-15T09:00', 'Asia/Tokyo').toISOString()).toBe(
      '2030-07-15T00:00:00.000Z',
    );
    expect(publishInstant('2030-07-15T09:00:00+01:00', 'Asia/Tokyo').toISOString()).toBe(
      '2030-07-15T08:00:00.000Z',
    );
  });
});

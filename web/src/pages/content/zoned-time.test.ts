// Publish times are read and shown on the business's clocks, whatever the browser's zone is.
import { describe, expect, it } from 'vitest';

import { defaultPublishTime, formatInZone, isPast, wallClockIn } from './zoned-time';

describe('publish times in the business time zone', () => {
  const instant = new Date('2026-03-29T00:30:00Z'); // the night Paris moves to summer time

  it('gives the wall clock of an instant in the zone, across a DST change', () => {
    expect(wallClockIn('Europe/Paris', instant)).toBe('2026-03-29T01:30');
    expect(wallClockIn('Europe/Paris', new Date('2026-03-29T01:30:00Z'))).toBe('2026-03-29T03:30');
    expect(wallClockIn('America/New_York', instant)).toBe('2026-03-28T20:30');
  });

  it('proposes the piece’s planned day at 09:00 on the business’s calendar', () => {
    expect(defaultPublishTime('Europe/Paris', '2026-04-10', instant)).toBe('2026-04-10T09:00');
    // Today's 09:00 is still ahead in Paris at 01:30.
    expect(defaultPublishTime('Europe/Paris', '2026-03-29', instant)).toBe('2026-03-29T09:00');
  });

  it('proposes tomorrow at 09:00 when there is no planned day or its morning has passed', () => {
    expect(defaultPublishTime('Pacific/Auckland', null, instant)).toBe('2026-03-30T09:00');
    expect(defaultPublishTime('America/New_York', null, instant)).toBe('2026-03-29T09:00');
    expect(defaultPublishTime('Europe/Paris', '2026-03-01', instant)).toBe('2026-03-30T09:00');
    // 13:30 in Auckland: this morning is gone.
    expect(defaultPublishTime('Pacific/Auckland', '2026-03-29', instant)).toBe('2026-03-30T09:00');
  });

  it('shows an instant with the zone’s name, and says when a chosen time has passed', () => {
    expect(formatInZone('2026-03-02T08:30:00Z', 'Europe/Paris')).toMatch(/09:30.*(CET|GMT\+1)/);
    expect(formatInZone(null, 'Europe/Paris')).toBe('—');
    expect(isPast('2026-03-29T01:29', 'Europe/Paris', instant)).toBe(true);
    expect(isPast('2026-03-29T01:31', 'Europe/Paris', instant)).toBe(false);
  });
});

// Every timestamp shown names its zone.
import { describe, expect, it } from 'vitest';

import { formatDateTime } from './date-time';

describe('timestamps with their zone', () => {
  it('shows the time on the given zone’s clocks, with the zone’s short name', () => {
    expect(formatDateTime('2026-01-15T15:30:00Z', 'America/Chicago')).toMatch(/09:30 AM CST$/);
    expect(formatDateTime('2026-07-15T15:30:00Z', 'America/Chicago')).toMatch(/10:30 AM CDT$/);
    expect(formatDateTime('2026-01-15T15:30:00Z', 'UTC')).toMatch(/03:30 PM UTC$/);
  });

  it('names the browser’s zone when no zone is given', () => {
    const browserZone = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' })
      .formatToParts(new Date('2026-01-15T15:30:00Z'))
      .find((part) => part.type === 'timeZoneName')?.value;
    expect(browserZone).toBeTruthy();
    expect(formatDateTime('2026-01-15T15:30:00Z').endsWith(browserZone ?? '?')).toBe(true);
  });

  it('shows a dash for no time or a broken one', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime(undefined)).toBe('—');
    expect(formatDateTime('not a date')).toBe('—');
  });
});

// Unit tests of send windows: the next opening in the business's timezone, across the
// spring-forward and fall-back days of Europe/Berlin and America/New_York (2026: Berlin changes
// on 29 March and 25 October at 01:00 UTC, New York on 8 March and 1 November), over midnight and
// over a week.
import { describe, expect, it } from 'vitest';

import { SendWindow } from './schemas.ts';
import { localParts, nextSendTime } from './send-window.ts';

const WEEKDAYS = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };
const EVERY_DAY = { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' };
const MONDAYS = { days: [1], start: '09:00', end: '17:00' };
const FRIDAYS = { days: [5], start: '09:00', end: '17:00' };
const SATURDAY_AM = { days: [6], start: '09:00', end: '12:00' };
const SUNDAY_DAWN = { days: [7], start: '05:00', end: '08:00' };
const SUNDAY_NIGHT = { days: [7], start: '01:00', end: '02:00' };
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

const at = (iso: string) => new Date(iso);

/** Mail due at `due` (UTC) for a business in `zone` with `window` goes out at `sends` (UTC). */
interface Case {
  zone: string;
  due: string;
  window: Parameters<typeof nextSendTime>[1];
  sends: string;
}

const CASES: Record<string, Case[]> = {
  'sends at once without a window, and when the due time is inside the window': [
    { zone: BERLIN, due: '2026-03-25T20:00Z', window: null, sends: '2026-03-25T20:00Z' },
    // Wednesday 10:00 in Berlin (CET, UTC+1).
    { zone: BERLIN, due: '2026-03-25T09:00Z', window: WEEKDAYS, sends: '2026-03-25T09:00Z' },
  ],
  'waits for the opening the same morning, and the window closes at its end time': [
    // Wednesday 07:00 in Berlin: the window opens at 09:00 CET, 08:00 UTC.
    { zone: BERLIN, due: '2026-03-25T06:00Z', window: WEEKDAYS, sends: '2026-03-25T08:00Z' },
    // Wednesday 17:00 exactly is closed: Thursday 09:00.
    { zone: BERLIN, due: '2026-03-25T16:00Z', window: WEEKDAYS, sends: '2026-03-26T08:00Z' },
  ],
  'after Friday closes in Berlin, opens Monday at 09:00 on the new offset, across spring-forward and fall-back weekends':
    [
      // Friday 27 March 17:30 CET → Monday 30 March 09:00 CEST (UTC+2).
      { zone: BERLIN, due: '2026-03-27T16:30Z', window: WEEKDAYS, sends: '2026-03-30T07:00Z' },
      // Friday 23 October 17:30 CEST → Monday 26 October 09:00 CET (UTC+1).
      { zone: BERLIN, due: '2026-10-23T15:30Z', window: WEEKDAYS, sends: '2026-10-26T08:00Z' },
    ],
  'opens at 09:00 on the very day New York changes its clocks': [
    // Saturday 7 March 20:00 EST → Sunday 8 March 09:00 EDT (UTC−4).
    { zone: NEW_YORK, due: '2026-03-08T01:00Z', window: EVERY_DAY, sends: '2026-03-08T13:00Z' },
    // Saturday 31 October 20:00 EDT → Sunday 1 November 09:00 EST (UTC−5).
    { zone: NEW_YORK, due: '2026-11-01T00:00Z', window: EVERY_DAY, sends: '2026-11-01T14:00Z' },
  ],
  'opens an early window on a change day at its local time, though the same clock time in UTC falls on the other side of the change':
    [
      // New York, 8 March: 05:00 EDT is 09:00 UTC (05:00 UTC is still EST).
      { zone: NEW_YORK, due: '2026-03-07T17:00Z', window: SUNDAY_DAWN, sends: '2026-03-08T09:00Z' },
      // New York, 1 November: 05:00 EST is 10:00 UTC (05:00 UTC is still EDT).
      { zone: NEW_YORK, due: '2026-10-31T17:00Z', window: SUNDAY_DAWN, sends: '2026-11-01T10:00Z' },
      // Berlin, 25 October: 01:00 CEST is 23:00 UTC the day before (01:00 UTC is already CET).
      { zone: BERLIN, due: '2026-10-24T10:00Z', window: SUNDAY_NIGHT, sends: '2026-10-24T23:00Z' },
    ],
  'on a change day, reads the wall clock with the offset in force at that instant': [
    // 8 March 13:30 UTC is 09:30 EDT: inside the window (09:30 EST would be 14:30 UTC).
    { zone: NEW_YORK, due: '2026-03-08T13:30Z', window: EVERY_DAY, sends: '2026-03-08T13:30Z' },
    // 12:30 UTC is 08:30 EDT: not yet open.
    { zone: NEW_YORK, due: '2026-03-08T12:30Z', window: EVERY_DAY, sends: '2026-03-08T13:00Z' },
    // 1 November 13:30 UTC is 08:30 EST: not yet open (it would be 09:30 in EDT).
    { zone: NEW_YORK, due: '2026-11-01T13:30Z', window: EVERY_DAY, sends: '2026-11-01T14:00Z' },
  ],
  "uses the business's calendar day, not UTC's, when the two differ around midnight": [
    // Friday 20:00 in New York is already Saturday 00:00 UTC; a Saturday-morning window opens
    // the next morning local time, and a Friday-only window waits a week.
    { zone: NEW_YORK, due: '2026-06-13T00:00Z', window: SATURDAY_AM, sends: '2026-06-13T13:00Z' },
    { zone: NEW_YORK, due: '2026-06-13T00:00Z', window: FRIDAYS, sends: '2026-06-19T13:00Z' },
    // Monday 07:00 in Tokyo is Sunday 22:00 UTC: a Monday window opens two hours later.
    { zone: 'Asia/Tokyo', due: '2026-06-14T22:00Z', window: MONDAYS, sends: '2026-06-15T00:00Z' },
  ],
  'after a once-a-week window closes, waits a whole week for the next one': [
    // Monday 2 March 18:00 CET → Monday 9 March 09:00 CET.
    { zone: BERLIN, due: '2026-03-02T17:00Z', window: MONDAYS, sends: '2026-03-09T08:00Z' },
  ],
};

describe('send windows', () => {
  describe.each(Object.entries(CASES))('%s', (_, cases) => {
    it.each(cases)(
      'in $zone, mail due at $due goes out at $sends',
      ({ zone, due, window, sends }) => {
        expect(nextSendTime(at(due), window, zone)).toEqual(at(sends));
      },
    );
  });

  it('refuses a window that wraps midnight when a step is saved, so none reaches the dispatcher', () => {
    expect(SendWindow.safeParse({ days: [1], start: '22:00', end: '06:00' }).success).toBe(false);
    expect(SendWindow.safeParse({ days: [1], start: '09:00', end: '09:00' }).success).toBe(false);
    expect(SendWindow.safeParse({ days: [1], start: '00:00', end: '23:59' }).success).toBe(true);
  });

  it('reads local parts with ISO weekdays and a 24-hour clock', () => {
    // Sunday 29 March 2026, 01:30 UTC is 03:30 CEST in Berlin, just after the change.
    expect(localParts(at('2026-03-29T01:30:00.000Z'), 'Europe/Berlin')).toEqual({
      year: 2026,
      month: 3,
      day: 29,
      hour: 3,
      minute: 30,
      weekday: 7,
    });
    // Midnight is hour 0, not 24.
    expect(localParts(at('2026-03-30T22:00:00.000Z'), 'Europe/Berlin')).toMatchObject({
      day: 31,
      hour: 0,
      weekday: 2,
    });
  });
});

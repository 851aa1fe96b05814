// Unit tests of send windows: the next opening in the business's timezone, across the
// spring-forward and fall-back days of Europe/Berlin and America/New_York (2026: Berlin changes
// on 29 March and 25 October at 01:00 UTC, New York on 8 March and 1 November), over midnight and
// over a week.
import { describe, expect, it } from 'vitest';

import { SendWindow } from './schemas.ts';
import { localParts, nextSendTime } from './send-window.ts';

const WEEKDAYS = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };
const EVERY_DAY = { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' };

const at = (iso: string) => new Date(iso);
const sendAt = (due: string, window: Parameters<typeof nextSendTime>[1], timeZone: string) =>
  nextSendTime(at(due), window, timeZone).toISOString();

describe('send windows', () => {
  it('sends at once without a window, and when the due time is inside the window', () => {
    expect(sendAt('2026-03-25T20:00:00.000Z', null, 'Europe/Berlin')).toBe(
      '2026-03-25T20:00:00.000Z',
    );
    // Wednesday 10:00 in Berlin (CET, UTC+1).
    expect(sendAt('2026-03-25T09:00:00.000Z', WEEKDAYS, 'Europe/Berlin')).toBe(
      '2026-03-25T09:00:00.000Z',
    );
  });

  it('waits for the opening the same morning, and the window closes at its end time', () => {
    // Wednesday 07:00 in Berlin: the window opens at 09:00 CET, 08:00 UTC.
    expect(sendAt('2026-03-25T06:00:00.000Z', WEEKDAYS, 'Europe/Berlin')).toBe(
      '2026-03-25T08:00:00.000Z',
    );
    // Wednesday 17:00 exactly is closed: Thursday 09:00.
    expect(sendAt('2026-03-25T16:00:00.000Z', WEEKDAYS, 'Europe/Berlin')).toBe(
      '2026-03-26T08:00:00.000Z',
    );
  });

  it('after Friday closes in Berlin, opens Monday at 09:00 on the new offset, across spring-forward and fall-back weekends', () => {
    // Friday 27 March 17:30 CET → Monday 30 March 09:00 CEST (UTC+2).
    expect(sendAt('2026-03-27T16:30:00.000Z', WEEKDAYS, 'Europe/Berlin')).toBe(
      '2026-03-30T07:00:00.000Z',
    );
    // Friday 23 October 17:30 CEST → Monday 26 October 09:00 CET (UTC+1).
    expect(sendAt('2026-10-23T15:30:00.000Z', WEEKDAYS, 'Europe/Berlin')).toBe(
      '2026-10-26T08:00:00.000Z',
    );
  });

  it('opens at 09:00 on the very day New York changes its clocks', () => {
    // Saturday 7 March 20:00 EST → Sunday 8 March 09:00 EDT (UTC−4).
    expect(sendAt('2026-03-08T01:00:00.000Z', EVERY_DAY, 'America/New_York')).toBe(
      '2026-03-08T13:00:00.000Z',
    );
    // Saturday 31 October 20:00 EDT → Sunday 1 November 09:00 EST (UTC−5).
    expect(sendAt('2026-11-01T00:00:00.000Z', EVERY_DAY, 'America/New_York')).toBe(
      '2026-11-01T14:00:00.000Z',
    );
  });

  it('opens an early window on a change day at its local time, though the same clock time in UTC falls on the other side of the change', () => {
    const sundayDawn = { days: [7], start: '05:00', end: '08:00' };
    // New York, 8 March: 05:00 EDT is 09:00 UTC (05:00 UTC is still EST).
    expect(sendAt('2026-03-07T17:00:00.000Z', sundayDawn, 'America/New_York')).toBe(
      '2026-03-08T09:00:00.000Z',
    );
    // New York, 1 November: 05:00 EST is 10:00 UTC (05:00 UTC is still EDT).
    expect(sendAt('2026-10-31T17:00:00.000Z', sundayDawn, 'America/New_York')).toBe(
      '2026-11-01T10:00:00.000Z',
    );
    // Berlin, 25 October: 01:00 CEST is 23:00 UTC the day before (01:00 UTC is already CET).
    const sundayNight = { days: [7], start: '01:00', end: '02:00' };
    expect(sendAt('2026-10-24T10:00:00.000Z', sundayNight, 'Europe/Berlin')).toBe(
      '2026-10-24T23:00:00.000Z',
    );
  });

  it('on a change day, reads the wall clock with the offset in force at that instant', () => {
    // 8 March 13:30 UTC is 09:30 EDT: inside the window (09:30 EST would be 14:30 UTC).
    expect(sendAt('2026-03-08T13:30:00.000Z', EVERY_DAY, 'America/New_York')).toBe(
      '2026-03-08T13:30:00.000Z',
    );
    // 12:30 UTC is 08:30 EDT: not yet open.
    expect(sendAt('2026-03-08T12:30:00.000Z', EVERY_DAY, 'America/New_York')).toBe(
      '2026-03-08T13:00:00.000Z',
    );
    // 1 November 13:30 UTC is 08:30 EST: not yet open (it would be 09:30 in EDT).
    expect(sendAt('2026-11-01T13:30:00.000Z', EVERY_DAY, 'America/New_York')).toBe(
      '2026-11-01T14:00:00.000Z',
    );
  });

  it("uses the business's calendar day, not UTC's, when the two differ around midnight", () => {
    // Friday 20:00 in New York is already Saturday 00:00 UTC; a Saturday-morning window opens
    // the next morning local time, and a Friday-only window waits a week.
    const saturdayMorning = { days: [6], start: '09:00', end: '12:00' };
    expect(sendAt('2026-06-13T00:00:00.000Z', saturdayMorning, 'America/New_York')).toBe(
      '2026-06-13T13:00:00.000Z',
    );
    const fridays = { days: [5], start: '09:00', end: '17:00' };
    expect(sendAt('2026-06-13T00:00:00.000Z', fridays, 'America/New_York')).toBe(
      '2026-06-19T13:00:00.000Z',
    );
    // Monday 07:00 in Tokyo is Sunday 22:00 UTC: a Monday window opens two hours later.
    const mondays = { days: [1], start: '09:00', end: '17:00' };
    expect(sendAt('2026-06-14T22:00:00.000Z', mondays, 'Asia/Tokyo')).toBe(
      '2026-06-15T00:00:00.000Z',
    );
  });

  it('after a once-a-week window closes, waits a whole week for the next one', () => {
    const mondays = { days: [1], start: '09:00', end: '17:00' };
    // Monday 2 March 18:00 CET → Monday 9 March 09:00 CET.
    expect(sendAt('2026-03-02T17:00:00.000Z', mondays, 'Europe/Berlin')).toBe(
      '2026-03-09T08:00:00.000Z',
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

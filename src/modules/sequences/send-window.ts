// Send windows ("weekdays 9:00–17:00") are kept in the business's timezone: the earliest instant
// at or after a due time that falls inside the window, computed with the IANA zone so daylight
// saving changes move the window with the wall clock, not with UTC.
import type { SendWindow } from '../../platform/db/schema/sequences.ts';

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function localParts(instant: Date, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday ?? 'Mon'] ?? 1,
  };
}

/** The UTC offset of the zone at an instant, in minutes (Paris in winter: +60). */
function offsetMinutes(instant: Date, timeZone: string): number {
  const local = localParts(instant, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  return Math.round((asUtc - Math.floor(instant.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * The instant at which the wall clock of the zone shows this local time. A time that does not
 * exist (skipped by a spring-forward change) maps to the same offset past the change.
 */
export function zonedTime(
  date: { year: number; month: number; day: number },
  minutes: number,
  timeZone: string,
): Date {
  const naive = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  let guess = naive - offsetMinutes(new Date(naive), timeZone) * 60_000;
  // The offset at the guess may differ (a change between the naive instant and the real one).
  guess = naive - offsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

function minutesOf(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** The earliest instant at or after `due` inside the window (the window is [start, end)). */
export function nextSendTime(due: Date, window: SendWindow | null, timeZone: string): Date {
  if (!window || window.days.length === 0) return due;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const local = localParts(due, timeZone);
  const nowMinutes = local.hour * 60 + local.minute;
  if (window.days.includes(local.weekday) && nowMinutes >= start && nowMinutes < end) return due;
  // Walk forward day by day over the local calendar (a week covers every window).
  for (let offset = 0; offset <= 7; offset += 1) {
    const day = new Date(Date.UTC(local.year, local.month - 1, local.day + offset));
    const weekday = ((day.getUTCDay() + 6) % 7) + 1;
    if (!window.days.includes(weekday)) continue;
    const opening = zonedTime(
      { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() },
      start,
      timeZone,
    );
    if (opening.getTime() > due.getTime()) return opening;
  }
  return due;
}

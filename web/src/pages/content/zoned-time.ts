// Publish times are chosen and shown in the business's time zone, whatever the browser's is:
// the server reads a time without an offset in that zone and stores it as UTC.
import { formatDateTime } from '../../format/date-time';

/** The wall-clock `YYYY-MM-DDTHH:mm` of an instant in a time zone (for datetime-local inputs). */
export function wallClockIn(timeZone: string, instant: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((candidate) => candidate.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

/**
 * The first choice offered: the piece's planned day at 09:00 in the business's time zone, or
 * tomorrow at 09:00 when it has no planned day or that morning has already passed.
 */
export function defaultPublishTime(
  timeZone: string,
  plannedDate: string | null = null,
  now = new Date(),
): string {
  const planned =
    plannedDate && /^\d{4}-\d{2}-\d{2}$/.test(plannedDate) ? `${plannedDate}T09:00` : null;
  if (planned && !isPast(planned, timeZone, now)) return planned;
  const tomorrow = wallClockIn(timeZone, new Date(now.getTime() + 86_400_000));
  return `${tomorrow.slice(0, 10)}T09:00`;
}

/** An instant shown in the business's time zone, with the zone's short name. */
export function formatInZone(iso: string | null | undefined, timeZone: string): string {
  return formatDateTime(iso, timeZone);
}

/** Whether a wall-clock time in the zone is already past (it would publish at once). */
export function isPast(local: string, timeZone: string, now = new Date()): boolean {
  return local <= wallClockIn(timeZone, now);
}

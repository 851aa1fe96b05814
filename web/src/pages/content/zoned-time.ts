// Publish times are chosen and shown in the business's time zone, whatever the browser's is:
// the server reads a time without an offset in that zone and stores it as UTC.

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

/** A sensible first choice: tomorrow at 09:00 in the business's time zone. */
export function defaultPublishTime(timeZone: string, now = new Date()): string {
  const tomorrow = wallClockIn(timeZone, new Date(now.getTime() + 86_400_000));
  return `${tomorrow.slice(0, 10)}T09:00`;
}

/** An instant shown in the business's time zone, with the zone's short name. */
export function formatInZone(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  // dateStyle and timeStyle cannot be combined with timeZoneName: spell the fields out.
  return new Date(iso).toLocaleString(undefined, {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
}

/** Whether a wall-clock time in the zone is already past (it would publish at once). */
export function isPast(local: string, timeZone: string, now = new Date()): boolean {
  return local <= wallClockIn(timeZone, now);
}

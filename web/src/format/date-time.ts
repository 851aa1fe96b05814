// Every timestamp the dashboard shows goes through formatDateTime, which always names the zone
// ("Mar 2, 2026, 09:30 CST"): in the business's zone where one is given (publish times), else
// in the browser's.

/** An instant as date, time and the zone's short name; "—" when there is none. */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return '—';
  // dateStyle and timeStyle cannot be combined with timeZoneName: spell the fields out.
  return instant.toLocaleString(undefined, {
    ...(timeZone ? { timeZone } : {}),
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
}

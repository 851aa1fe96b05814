// Date math of the content calendar, on ISO days (`YYYY-MM-DD`) in the business's time zone:
// campaign weeks for the list, month and week grids, and the day a piece belongs to.
import type { Content } from './queries';

const DAY_MS = 86_400_000;

const toDate = (day: string) => new Date(`${day}T00:00:00Z`);
const toDay = (date: Date) => date.toISOString().slice(0, 10);

export function addDays(day: string, days: number): string {
  return toDay(new Date(toDate(day).getTime() + days * DAY_MS));
}

export function daysBetween(from: string, to: string): number {
  return Math.round((toDate(to).getTime() - toDate(from).getTime()) / DAY_MS);
}

/** The Monday of the week of a day. */
export function mondayOf(day: string): string {
  return addDays(day, -((toDate(day).getUTCDay() + 6) % 7));
}

/** Today's date on the business's wall clocks. */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** The `YYYY-MM-DDTHH:mm` wall clock of an instant in a time zone. */
export function wallClock(timeZone: string, iso: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((candidate) => candidate.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

/**
 * The day a piece shows on: when it went out if published, when it goes out if scheduled
 * (both in the business's zone), otherwise its planned day; null when it has none.
 */
export function calendarDay(
  content: Pick<Content, 'status' | 'plannedDate' | 'publishAt' | 'publishedAt'>,
  timeZone: string,
): string | null {
  if (content.status === 'published' && content.publishedAt) {
    return wallClock(timeZone, content.publishedAt).slice(0, 10);
  }
  if (content.status === 'scheduled' && content.publishAt) {
    return wallClock(timeZone, content.publishAt).slice(0, 10);
  }
  return content.plannedDate;
}

/** A scheduled piece moved to `day` at the same time of day, as the schedule endpoint reads it. */
export function movedPublishAt(publishAt: string, timeZone: string, day: string): string {
  return `${day}T${wallClock(timeZone, publishAt).slice(11)}`;
}

/**
 * The campaign week a day falls in: week 1 is the campaign's first seven days, counted from its
 * start date (the way a strategy's "Week 1" reads); days before the start are week 0 or less.
 */
export function campaignWeek(day: string, startDate: string): number {
  return Math.floor(daysBetween(startDate, day) / 7) + 1;
}

/** The first day of the campaign week (or, without a start date, the Monday) of a day. */
export function weekStartOf(day: string, startDate: string | null): string {
  if (!startDate) return mondayOf(day);
  return addDays(startDate, (campaignWeek(day, startDate) - 1) * 7);
}

const SHORT = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const MONTH = new Intl.DateTimeFormat('en-US', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "Dec 7". */
export function shortDay(day: string): string {
  return SHORT.format(toDate(day));
}

/** "December 2026" for a `YYYY-MM` month. */
export function monthLabel(month: string): string {
  return MONTH.format(toDate(`${month}-01`));
}

/** A week group's heading: "Week 2 · Dec 7 – Dec 13" from the campaign's start, else "Week of Dec 7". */
export function weekLabel(weekStart: string, startDate: string | null): string {
  if (!startDate) return `Week of ${shortDay(weekStart)}`;
  const week = campaignWeek(weekStart, startDate);
  const range = `${shortDay(weekStart)} – ${shortDay(addDays(weekStart, 6))}`;
  return week >= 1 ? `Week ${week} · ${range}` : `Before the campaign · ${range}`;
}

/** The Monday-to-Sunday weeks a month's grid shows, each seven ISO days (edges of other months). */
export function monthGrid(month: string): string[][] {
  const first = `${month}-01`;
  const last = addDays(toDay(new Date(Date.UTC(+month.slice(0, 4), +month.slice(5, 7), 1))), -1);
  const weeks: string[][] = [];
  for (let monday = mondayOf(first); monday <= last; monday = addDays(monday, 7)) {
    weeks.push(weekDays(monday));
  }
  return weeks;
}

/** The seven days (Monday first) of the week of a day. */
export function weekDays(day: string): string[] {
  const monday = mondayOf(day);
  return Array.from({ length: 7 }, (_, index) => addDays(monday, index));
}

/** The month `delta` months from a `YYYY-MM` month. */
export function addMonths(month: string, delta: number): string {
  const date = new Date(Date.UTC(+month.slice(0, 4), +month.slice(5, 7) - 1 + delta, 1));
  return toDay(date).slice(0, 7);
}

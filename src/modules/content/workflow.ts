// The content workflow: draft → in_review → approved → scheduled → published | failed, archived
// from any state. Pure rules, so the service, the publisher and the tests share one table.
import { conflict } from '../../platform/http/errors.ts';
import type { ContentStatus } from './schemas.ts';

const ALLOWED: Record<ContentStatus, readonly ContentStatus[]> = {
  draft: ['in_review', 'archived'],
  in_review: ['approved', 'draft', 'archived'],
  approved: ['scheduled', 'draft', 'archived'],
  scheduled: ['published', 'failed', 'approved', 'draft', 'archived'],
  published: ['archived'],
  failed: ['scheduled', 'draft', 'archived'],
  archived: ['draft'],
};

export function canMove(from: ContentStatus, to: ContentStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Throws CONFLICT (409) naming the states, so the client can say what to do instead. */
export function assertMove(from: ContentStatus, to: ContentStatus): void {
  if (!canMove(from, to)) {
    throw conflict(`A ${from.replace('_', ' ')} piece cannot move to ${to.replace('_', ' ')}`, {
      from,
      to,
      allowed: ALLOWED[from],
    });
  }
}

/** States in which the text may change; an edit after approval sends the piece back to draft. */
export function statusAfterEdit(status: ContentStatus): ContentStatus {
  if (status === 'published' || status === 'archived') {
    throw conflict(`A ${status} piece cannot be edited`, { status });
  }
  return status === 'draft' || status === 'in_review' ? status : 'draft';
}

/**
 * Whether the date and time fields of `YYYY-MM-DDTHH:mm[:ss]…` name a real moment: Date.parse
 * accepts 2030-02-30 and quietly rolls it over into March, which would publish on another day.
 * A string of another shape passes here; the schema's pattern reports it.
 */
export function isRealDateTime(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!match) return true;
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, seconds = 0] = match
    .slice(1, 7)
    .map(Number);
  const second = Number.isNaN(seconds) ? 0 : seconds; // no seconds group: Number(undefined)
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  );
}

/** Converts a wall-clock time in `timeZone` (YYYY-MM-DDTHH:mm[:ss]) to the UTC instant. */
export function zonedTimeToUtc(local: string, timeZone: string): Date {
  const naive = Date.parse(`${local.length === 16 ? `${local}:00` : local}Z`);
  const offsetAt = (instant: number) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(new Date(instant));
    const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
    const wall = Date.UTC(
      get('year'),
      get('month') - 1,
      get('day'),
      get('hour'),
      get('minute'),
      get('second'),
    );
    return wall - Math.floor(instant / 1000) * 1000;
  };
  const first = naive - offsetAt(naive);
  const second = naive - offsetAt(first);
  return new Date(second);
}

/** A publish time as sent: with an offset it is absolute, without one it is in `timeZone`. */
export function publishInstant(publishAt: string, timeZone: string): Date {
  return /(Z|[+-]\d{2}:\d{2})$/.test(publishAt)
    ? new Date(publishAt)
    : zonedTimeToUtc(publishAt, timeZone);
}

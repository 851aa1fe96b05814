// The calendar's dates: campaign weeks that match a strategy's "Week 1", month and week grids,
// and a piece's day and moved time on the business's clocks.
import { describe, expect, it } from 'vitest';

import {
  addMonths,
  calendarDay,
  campaignWeek,
  monthGrid,
  movedPublishAt,
  todayIn,
  weekDays,
  weekLabel,
  weekStartOf,
} from './calendar-dates';
import { moveRefusal } from './calendar-move';
import { groupByWeek } from './content-calendar';
import type { Content } from './queries';

const piece = (fields: Partial<Content>): Content =>
  ({
    id: fields.id ?? 'id',
    platform: 'x',
    status: 'draft',
    plannedDate: null,
    publishAt: null,
    publishedAt: null,
    ...fields,
  }) as Content;

describe('campaign weeks', () => {
  // A campaign starting on Tuesday 1 December 2026.
  const start = '2026-12-01';

  it('counts week 1 from the start date, not from Monday', () => {
    expect(campaignWeek('2026-12-01', start)).toBe(1);
    expect(campaignWeek('2026-12-07', start)).toBe(1); // a Monday, still the first seven days
    expect(campaignWeek('2026-12-08', start)).toBe(2);
    expect(campaignWeek('2026-11-30', start)).toBe(0);
    expect(weekStartOf('2026-12-07', start)).toBe('2026-12-01');
    expect(weekStartOf('2026-12-09', start)).toBe('2026-12-08');
  });

  it('labels a week with its number and the dates it covers', () => {
    expect(weekLabel('2026-12-01', start)).toBe('Week 1 · Dec 1 – Dec 7');
    expect(weekLabel('2026-12-08', start)).toBe('Week 2 · Dec 8 – Dec 14');
    expect(weekLabel('2026-11-24', start)).toBe('Before the campaign · Nov 24 – Nov 30');
    expect(weekLabel('2026-12-07', null)).toBe('Week of Dec 7');
  });

  it('puts a piece the strategy called "Week 1" in the group labelled Week 1', () => {
    const { weeks } = groupByWeek(
      [
        piece({ id: 'a', topic: 'Week 1: opening', plannedDate: '2026-12-07' }),
        piece({ id: 'b', topic: 'Week 2: menu', plannedDate: '2026-12-08' }),
      ],
      start,
      'Europe/Paris',
    );
    expect(
      weeks.map((week) => [week.label, week.days.flatMap((d) => d.items.map((i) => i.id))]),
    ).toEqual([
      ['Week 1 · Dec 1 – Dec 7', ['a']],
      ['Week 2 · Dec 8 – Dec 14', ['b']],
    ]);
  });
});

describe('grids', () => {
  it('lays a month out in Monday-to-Sunday weeks with the edges of its neighbours', () => {
    const weeks = monthGrid('2026-12');
    expect(weeks).toHaveLength(5);
    expect(weeks[0]?.[0]).toBe('2026-11-30');
    expect(weeks.at(-1)?.[6]).toBe('2027-01-03');
    expect(monthGrid('2021-02')).toHaveLength(4); // February 2021: Monday 1st to Sunday 28th
    expect(monthGrid('2021-02')[3]?.[6]).toBe('2021-02-28');
    expect(monthGrid('2026-02')[0]?.[0]).toBe('2026-01-26'); // starts on a Sunday
  });

  it('gives the week of a day from Monday, and steps months across a year', () => {
    expect(weekDays('2026-12-06')).toEqual([
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
      '2026-12-05',
      '2026-12-06',
    ]);
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
  });
});

describe('days on the business clocks', () => {
  it('knows today in the business zone, not the browser’s', () => {
    const instant = new Date('2026-12-01T23:30:00Z');
    expect(todayIn('Europe/Paris', instant)).toBe('2026-12-02');
    expect(todayIn('America/Los_Angeles', instant)).toBe('2026-12-01');
  });

  it('shows a scheduled piece on its publish day and a draft on its planned day', () => {
    const at = '2026-12-08T23:30:00Z'; // 00:30 on the 9th in Paris
    expect(
      calendarDay(
        piece({ status: 'scheduled', publishAt: at, plannedDate: '2026-12-03' }),
        'Europe/Paris',
      ),
    ).toBe('2026-12-09');
    expect(calendarDay(piece({ status: 'published', publishedAt: at }), 'UTC')).toBe('2026-12-08');
    expect(calendarDay(piece({ plannedDate: '2026-12-03' }), 'Europe/Paris')).toBe('2026-12-03');
    expect(calendarDay(piece({}), 'UTC')).toBeNull();
  });

  it('keeps the time of day when a scheduled piece moves, across a DST change', () => {
    // 09:15 in Paris on 28 March 2026 (winter time) moved to the 30th (summer time): still 09:15.
    expect(movedPublishAt('2026-03-28T08:15:00Z', 'Europe/Paris', '2026-03-30')).toBe(
      '2026-03-30T09:15',
    );
  });

  it('refuses a published piece and a move into the past, before sending anything', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(moveRefusal({ status: 'published', publishAt: null }, '2026-12-05', 'UTC', now)).toMatch(
      /published/,
    );
    const scheduled = { status: 'scheduled' as const, publishAt: '2026-12-03T09:00:00Z' };
    expect(moveRefusal(scheduled, '2026-11-30', 'UTC', now)).toMatch(/already passed/);
    expect(moveRefusal(scheduled, '2026-12-04', 'UTC', now)).toBeNull();
    expect(moveRefusal({ status: 'draft', publishAt: null }, '2026-11-01', 'UTC', now)).toBeNull();
  });
});

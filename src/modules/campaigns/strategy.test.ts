// Unit tests of the campaign strategy schema: a strategy is held to its campaign's dates and
// channels (each stray calendar entry named, so the AI's retry can fix it), and a calendar entry
// keeps its identity across regenerations whatever the topic's case and spacing.
import { describe, expect, it } from 'vitest';

import {
  type CalendarEntry,
  calendarKeyOf,
  MAX_CALENDAR_ENTRIES,
  Strategy,
  strategySchemaFor,
} from './strategy.ts';

const campaign = {
  startDate: '2026-03-02',
  endDate: '2026-03-31',
  channels: ['linkedin', 'email'],
};

const entry = (fields: Partial<CalendarEntry> = {}): CalendarEntry => ({
  date: '2026-03-10',
  platform: 'linkedin',
  contentType: 'post',
  topic: 'Spring menu launch',
  callToAction: 'Book a table',
  ...fields,
});

const strategy = (calendar: CalendarEntry[]) => ({
  summary: 'Fill the tables for the spring menu.',
  objectives: [{ objective: 'More bookings', metric: 'bookings', target: 120 }],
  audience: { description: 'Locals who eat out weekly' },
  keyMessages: ['Seasonal, local produce'],
  channelMix: [{ channel: 'linkedin', sharePercent: 60, rationale: 'Office lunch crowd' }],
  calendar,
});

/** Each issue as "path: message". */
function issuesOf(value: unknown): string[] {
  const result = strategySchemaFor(campaign).safeParse(value);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('campaign strategy', () => {
  it("accepts a strategy inside the campaign's dates and channels, the first and last days included, and fills the optional fields", () => {
    const parsed = strategySchemaFor(campaign).parse(
      strategy([
        entry({ date: '2026-03-02' }),
        entry({ date: '2026-03-31', platform: 'email', contentType: 'newsletter' }),
      ]),
    );
    expect(parsed.calendar).toHaveLength(2);
    expect(parsed.objectives[0]?.unit).toBe('');
    expect(parsed.audience.segments).toEqual([]);
  });

  it("names each calendar entry outside the campaign's dates, with the dates it must keep to", () => {
    expect(
      issuesOf(
        strategy([
          entry({ date: '2026-03-01' }),
          entry(),
          entry({ date: '2026-04-01', platform: 'email' }),
        ]),
      ),
    ).toEqual([
      "calendar.0.date: must be between 2026-03-02 and 2026-03-31 (the campaign's dates)",
      "calendar.2.date: must be between 2026-03-02 and 2026-03-31 (the campaign's dates)",
    ]);
  });

  it("names each calendar entry on a channel the campaign does not use, listing the campaign's channels", () => {
    expect(issuesOf(strategy([entry(), entry({ platform: 'instagram' })]))).toEqual([
      "calendar.1.platform: must be one of the campaign's channels: linkedin, email",
    ]);
  });

  it('accepts any platform when the campaign names no channels', () => {
    const open = strategySchemaFor({ ...campaign, channels: [] });
    expect(open.safeParse(strategy([entry({ platform: 'instagram' })])).success).toBe(true);
  });

  it('refuses an empty calendar and one over the entry limit', () => {
    expect(Strategy.safeParse(strategy([])).success).toBe(false);
    const full = Array.from({ length: MAX_CALENDAR_ENTRIES }, () => entry());
    expect(Strategy.safeParse(strategy(full)).success).toBe(true);
    expect(Strategy.safeParse(strategy([...full, entry()])).success).toBe(false);
  });

  it("keys a calendar entry by date, platform and topic, ignoring the topic's case and spacing", () => {
    const key = calendarKeyOf(entry({ topic: 'Spring menu launch' }));
    expect(key).toBe('2026-03-10|linkedin|spring menu launch');
    expect(calendarKeyOf(entry({ topic: 'Spring  MENU\tlaunch', callToAction: 'Call us' }))).toBe(
      key,
    );
    expect(calendarKeyOf(entry({ date: '2026-03-11' }))).not.toBe(key);
    expect(calendarKeyOf(entry({ platform: 'email' }))).not.toBe(key);
    expect(calendarKeyOf(entry({ topic: 'Summer menu launch' }))).not.toBe(key);
  });
});

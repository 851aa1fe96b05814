// The shape of a campaign strategy, as the AI must return it and as it is stored (versioned).
// The schema is built per campaign so the model is held to the campaign's dates and channels:
// a calendar entry outside them is a validation error fed back on the retry.
import { z } from 'zod';

import { Platform } from './platform.ts';

/** Upper bound on calendar entries (and so on placeholders) per strategy. */
export const MAX_CALENDAR_ENTRIES = 150;

const IsoDate = z.iso.date().meta({ example: '2026-03-02' });

export const CalendarEntry = z.object({
  date: IsoDate,
  platform: Platform,
  contentType: z.string().trim().min(1).max(40).meta({ example: 'post' }),
  topic: z.string().trim().min(3).max(300),
  callToAction: z.string().trim().min(2).max(200),
});
export type CalendarEntry = z.infer<typeof CalendarEntry>;

export const Strategy = z
  .object({
    summary: z.string().trim().min(10).max(1500),
    objectives: z
      .array(
        z.object({
          objective: z.string().trim().min(3).max(300),
          metric: z.string().trim().min(2).max(100),
          target: z.number().positive(),
          unit: z.string().trim().max(40).default(''),
        }),
      )
      .min(1)
      .max(8),
    audience: z.object({
      description: z.string().trim().min(3).max(1000),
      segments: z.array(z.string().trim().min(2).max(200)).max(8).default([]),
    }),
    keyMessages: z.array(z.string().trim().min(3).max(300)).min(1).max(8),
    channelMix: z
      .array(
        z.object({
          channel: Platform,
          sharePercent: z.number().min(0).max(100),
          rationale: z.string().trim().min(3).max(500),
        }),
      )
      .min(1)
      .max(7),
    calendar: z.array(CalendarEntry).min(1).max(MAX_CALENDAR_ENTRIES),
  })
  .meta({ id: 'Strategy' });
export type Strategy = z.infer<typeof Strategy>;

/** The strategy schema held to one campaign's date range and channels. */
export function strategySchemaFor(campaign: {
  startDate: string;
  endDate: string;
  channels: string[];
}): z.ZodType<Strategy> {
  return Strategy.superRefine((strategy, context) => {
    strategy.calendar.forEach((entry, index) => {
      if (entry.date < campaign.startDate || entry.date > campaign.endDate) {
        context.addIssue({
          code: 'custom',
          path: ['calendar', index, 'date'],
          message: `must be between ${campaign.startDate} and ${campaign.endDate} (the campaign's dates)`,
        });
      }
      if (campaign.channels.length > 0 && !campaign.channels.includes(entry.platform)) {
        context.addIssue({
          code: 'custom',
          path: ['calendar', index, 'platform'],
          message: `must be one of the campaign's channels: ${campaign.channels.join(', ')}`,
        });
      }
    });
  });
}

/** Identifies a calendar entry across regenerations, so a placeholder is never made twice. */
export function calendarKeyOf(entry: CalendarEntry): string {
  const topic = entry.topic.toLowerCase().replace(/\s+/g, ' ').trim();
  return `${entry.date}|${entry.platform}|${topic}`;
}

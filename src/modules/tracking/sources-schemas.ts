// Request and response shapes of the Sources page's API: the write keys and ingestion figures of
// a business, and the live event debugger (a page of the newest events, or a stream of new ones).
import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';

export const EVENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;

export const PreviousWriteKey = z
  .object({
    key: z.string(),
    rotatedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().describe('After this, events sent with the key are refused'),
  })
  .meta({ id: 'PreviousWriteKey' });

export const IngestMinute = z.object({
  minute: z.iso.datetime(),
  accepted: z.number().int(),
  rejected: z.number().int(),
});

export const Sources = z
  .object({
    writeKey: z.string().describe('The current write key'),
    previousWriteKeys: z
      .array(PreviousWriteKey)
      .describe('Keys rotated out that still work, newest first'),
    rotationGraceHours: z.number().describe('How long a key keeps working after it is rotated out'),
    endpoint: z.string().describe("This Herald's public URL, for the SDKs' host setting"),
    perMinute: z
      .array(IngestMinute)
      .describe('Events accepted and rejected in each of the last 60 minutes, oldest first'),
    today: z
      .object({ accepted: z.number().int(), rejected: z.number().int() })
      .describe("Since midnight in the business's time zone"),
    processingLagSeconds: z
      .number()
      .describe('Age of the oldest event not yet added to customer profiles (0: none waiting)'),
    lastEventAt: z.iso.datetime().nullable().describe('When the newest event was received'),
  })
  .meta({ id: 'Sources' });
export type Sources = z.infer<typeof Sources>;

export const TrackedEvent = z
  .object({
    messageId: z.string(),
    type: z.enum(EVENT_TYPES),
    event: z.string().nullable().describe('The track event name, or the page/screen name'),
    userId: z.string().nullable(),
    anonymousId: z.string().nullable(),
    groupId: z.string().nullable(),
    previousId: z.string().nullable(),
    properties: z.record(z.string(), z.unknown()),
    traits: z.record(z.string(), z.unknown()).nullable(),
    context: z.record(z.string(), z.unknown()),
    timestamp: z.iso.datetime(),
    originalTimestamp: z.iso.datetime().nullable(),
    sentAt: z.iso.datetime().nullable(),
    receivedAt: z.iso.datetime(),
  })
  .meta({ id: 'TrackedEvent' });
export type TrackedEvent = z.infer<typeof TrackedEvent>;

export const EventFilter = z.object({
  type: z.enum(EVENT_TYPES).optional(),
  event: z.string().min(1).max(200).optional().describe('Exact event (or page) name'),
});
export type EventFilter = z.infer<typeof EventFilter>;

export const EventListQuery = PaginationQuery.extend(EventFilter.shape);
export type EventListQuery = z.infer<typeof EventListQuery>;

export const EventStreamQuery = EventFilter.extend({
  since: z.iso
    .datetime()
    .optional()
    .describe('Send events received after this (default: from when the stream opens)'),
  accessToken: z
    .string()
    .max(4096)
    .optional()
    .describe('For EventSource clients, which cannot send an Authorization header'),
});
export type EventStreamQuery = z.infer<typeof EventStreamQuery>;

export const TrackedEventPage = pageSchema(TrackedEvent);

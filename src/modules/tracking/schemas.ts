// The Segment HTTP Tracking API's request shapes (https://segment.com/docs/connections/spec/):
// the six call types with their required fields, the batch, and the CDN settings analytics.js
// loads. Declared once: they validate, type the service and document the routes.
import { z } from 'zod';

/** Segment's ids may arrive as numbers; they are stored as text. */
const Id = z.union([z.string().min(1).max(512), z.number()]).transform((value) => String(value));
const Fields = z.record(z.string(), z.unknown());
/** An ISO-8601 time, as every Segment library sends it. */
const Time = z
  .string()
  .max(64)
  .refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO-8601 time');

const Common = {
  messageId: z.string().min(1).max(200).optional(),
  userId: Id.nullish(),
  anonymousId: Id.nullish(),
  timestamp: Time.nullish(),
  originalTimestamp: Time.nullish(),
  sentAt: Time.nullish(),
  context: Fields.nullish(),
  integrations: Fields.nullish(),
  writeKey: z.string().optional(),
};

const Track = z.object({
  ...Common,
  type: z.literal('track'),
  event: z.string().min(1).max(255),
  properties: Fields.nullish(),
});
const Identify = z.object({ ...Common, type: z.literal('identify'), traits: Fields.nullish() });
const Page = z.object({
  ...Common,
  type: z.literal('page'),
  name: z.string().max(255).nullish(),
  category: z.string().max(255).nullish(),
  properties: Fields.nullish(),
});
const Screen = z.object({
  ...Common,
  type: z.literal('screen'),
  name: z.string().max(255).nullish(),
  properties: Fields.nullish(),
});
const Group = z.object({
  ...Common,
  type: z.literal('group'),
  groupId: Id,
  traits: Fields.nullish(),
});
const Alias = z.object({ ...Common, type: z.literal('alias'), userId: Id, previousId: Id });

/**
 * One Segment call. Every type but alias names its person by userId or anonymousId; alias
 * names the userId and the previousId it merges.
 */
export const SegmentEvent = z
  .discriminatedUnion('type', [Track, Identify, Page, Screen, Group, Alias])
  .superRefine((event, context) => {
    if (event.type !== 'alias' && event.userId == null && event.anonymousId == null) {
      context.addIssue({
        code: 'custom',
        path: ['userId'],
        message: 'userId or anonymousId is required',
      });
    }
  });
export type SegmentEvent = z.infer<typeof SegmentEvent>;
export type SegmentEventType = SegmentEvent['type'];

/** What the documentation shows for a single call's body (the route itself validates). */
export const SegmentCall = z
  .looseObject({
    userId: z.string().optional(),
    anonymousId: z.string().optional(),
    messageId: z.string().optional(),
    timestamp: z.string().optional(),
    context: Fields.optional(),
    integrations: Fields.optional(),
    writeKey: z.string().optional().describe('The write key, when not sent as Basic auth'),
  })
  .meta({ id: 'SegmentCall' });

export const SegmentBatch = z
  .looseObject({
    batch: z.array(
      z.looseObject({ type: z.enum(['track', 'identify', 'page', 'screen', 'group', 'alias']) }),
    ),
    context: Fields.optional().describe('Merged into every event of the batch'),
    integrations: Fields.optional().describe('Merged into every event of the batch'),
    sentAt: z.string().optional(),
    writeKey: z.string().optional(),
  })
  .meta({ id: 'SegmentBatch' });

/** The batch's own fields, checked before its events are. */
export const BatchEnvelope = z.object({
  batch: z.array(z.unknown()).min(1).max(10_000),
  context: Fields.nullish(),
  integrations: Fields.nullish(),
  sentAt: Time.nullish(),
});

export const TrackingAccepted = z
  .object({ success: z.literal(true) })
  .meta({ id: 'TrackingAccepted' });

export const ProjectSettingsParams = z.object({ writeKey: z.string().min(1).max(100) });

/** The part of Segment's CDN settings that @segment/analytics-next reads to send to Herald. */
export const ProjectSettings = z
  .object({
    integrations: z.object({
      'Segment.io': z.object({
        apiKey: z.string(),
        apiHost: z.string().describe('Host and path of the tracking API, without the protocol'),
        protocol: z.enum(['http', 'https']),
        unbundledIntegrations: z.array(z.string()),
        addBundledMetadata: z.boolean(),
      }),
    }),
    plan: z.object({ track: z.object({}).loose(), identify: z.object({}).loose() }),
    metrics: z.object({ sampleRate: z.number() }),
    enabledMiddleware: z.object({}).loose(),
    remotePlugins: z.array(z.unknown()),
  })
  .meta({ id: 'ProjectSettings' });
export type ProjectSettings = z.infer<typeof ProjectSettings>;

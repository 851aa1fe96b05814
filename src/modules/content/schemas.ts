import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';
import { Platform } from './platforms.ts';
import { isRealDateTime } from './workflow.ts';

export const CONTENT_STATUSES = [
  'draft',
  'in_review',
  'approved',
  'scheduled',
  'published',
  'failed',
  'archived',
] as const;
export const ContentStatus = z.enum(CONTENT_STATUSES).meta({ id: 'ContentStatus' });
export type ContentStatus = z.infer<typeof ContentStatus>;

export const CHANNELS = ['outbox', 'webhook', 'slack', 'email'] as const;
export const PublishChannel = z.enum(CHANNELS).meta({ id: 'PublishChannel' });
export type PublishChannel = z.infer<typeof PublishChannel>;

const IsoDate = z.iso.date().meta({ example: '2026-03-02' });

/**
 * A URL Herald POSTs to: https, or plain http where the server allows private targets for
 * development (checked by the service, which knows the configuration). Never file:, ftp:, …
 */
const WebhookUrl = z.url({ protocol: /^https?$/, error: 'must be an https:// URL' }).max(2000);

/** Where a piece goes when it is published; secrets are write-only. */
export const ChannelTarget = z
  .object({
    url: WebhookUrl.optional().describe('webhook: the receiver URL (https://)'),
    secret: z
      .string()
      .min(16)
      .max(200)
      .optional()
      .describe('webhook: the HMAC-SHA256 signing secret (never returned)'),
    webhookUrl: WebhookUrl.optional().describe('slack: the incoming-webhook URL (https://)'),
    recipients: z
      .array(z.email())
      .min(1)
      .max(500)
      .optional()
      .describe(
        'email: the addresses; only subscribers of the business with consent "subscribed" and not suppressed receive it, the others are skipped and listed on the publish attempt',
      ),
  })
  .meta({ id: 'ChannelTarget' });
export type ChannelTarget = z.infer<typeof ChannelTarget>;

export const ContentBody = z
  .record(z.string(), z.unknown())
  .describe('The text, shaped by platform: see XPost, LinkedInPost, InstagramPost, …')
  .meta({ example: { text: 'Fresh sourdough every morning.' } });

export const CreateContentBody = z.object({
  campaignId: z.uuid().nullable().default(null),
  platform: Platform,
  contentType: z.string().trim().min(1).max(40).default('post'),
  topic: z.string().trim().max(300).default(''),
  callToAction: z.string().trim().max(200).default(''),
  plannedDate: IsoDate.nullable().default(null),
  body: ContentBody.nullable().default(null),
});
export type CreateContentBody = z.infer<typeof CreateContentBody>;

export const UpdateContentBody = z
  .object({
    topic: z.string().trim().max(300),
    callToAction: z.string().trim().max(200),
    contentType: z.string().trim().min(1).max(40),
    plannedDate: IsoDate.nullable(),
    body: ContentBody,
    channel: PublishChannel,
    channelTarget: ChannelTarget.nullable(),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'send at least one field to change');
export type UpdateContentBody = z.infer<typeof UpdateContentBody>;

export const Content = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    campaignId: z.uuid().nullable(),
    strategyVersion: z.number().int().nullable(),
    platform: z.string(),
    contentType: z.string(),
    topic: z.string(),
    callToAction: z.string(),
    plannedDate: z.string().nullable(),
    status: ContentStatus,
    body: z.record(z.string(), z.unknown()).nullable(),
    currentVersion: z.number().int(),
    channel: PublishChannel,
    channelTarget: z
      .object({
        url: z.string().optional(),
        hasSecret: z.boolean().optional(),
        webhookUrl: z.string().optional(),
        recipients: z.array(z.string()).optional(),
      })
      .nullable(),
    publishAt: z.iso.datetime().nullable(),
    publishedAt: z.iso.datetime().nullable(),
    publishAttempts: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Content' });
export type Content = z.infer<typeof Content>;

export const ContentPage = pageSchema(Content);
export const ContentListQuery = PaginationQuery.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  campaignId: z.uuid().optional(),
  status: ContentStatus.optional(),
  platform: Platform.optional(),
});
export type ContentListQuery = z.infer<typeof ContentListQuery>;

export const ContentParams = z.object({ businessId: z.uuid(), contentId: z.uuid() });

export const ContentVersion = z
  .object({
    version: z.number().int(),
    body: z.record(z.string(), z.unknown()),
    source: z.enum(['ai', 'edit', 'restore']),
    jobId: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'ContentVersion' });
export const ContentVersionList = z.object({ items: z.array(ContentVersion) });

export const ContentTransition = z
  .object({
    id: z.uuid(),
    fromStatus: ContentStatus,
    toStatus: ContentStatus,
    actor: z
      .object({ id: z.uuid(), name: z.string(), email: z.string() })
      .nullable()
      .describe('The member who made the move; null for the system (the publisher)'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'ContentTransition' });
export const ContentTransitionList = z.object({ items: z.array(ContentTransition) });

export const RestoreBody = z.object({
  version: z.number().int().min(1).meta({ example: 1 }),
});

export const StatusChangeBody = z.object({
  status: z
    .enum(['draft', 'in_review', 'approved', 'archived'])
    .describe(
      'draft → in_review → approved; in_review → draft; archived from any state, draft from archived. Scheduling and publishing have their own endpoints.',
    ),
});

export const ScheduleBody = z.object({
  publishAt: z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/,
      'expected an ISO date-time such as 2026-03-02T09:30 (the business time zone) or 2026-03-02T08:30:00Z',
    )
    .refine(isRealDateTime, 'not a real date and time (check the day of the month and the hour)')
    .meta({ example: '2026-03-02T09:30' })
    .describe("Without an offset it is read in the business's time zone; stored as UTC"),
  channel: PublishChannel.optional(),
  channelTarget: ChannelTarget.optional(),
});
export type ScheduleBody = z.infer<typeof ScheduleBody>;

export const BulkContentBody = z
  .discriminatedUnion('action', [
    z.object({
      action: z
        .literal('approve')
        .describe('Approve each piece (a draft with text is submitted and approved)'),
      ids: z.array(z.uuid()).min(1).max(100),
    }),
    z.object({
      action: z.literal('schedule').describe('Schedule each approved piece at the same time'),
      ids: z.array(z.uuid()).min(1).max(100),
      publishAt: ScheduleBody.shape.publishAt,
    }),
  ])
  .meta({ id: 'BulkContentBody' });
export type BulkContentBody = z.infer<typeof BulkContentBody>;

export const BulkContentResult = z
  .object({
    items: z.array(
      z.object({
        id: z.uuid(),
        ok: z.boolean(),
        content: Content.optional().describe('The piece after the change, when ok'),
        error: z
          .object({ code: z.string(), message: z.string() })
          .optional()
          .describe('Why this piece was not changed, when not ok'),
      }),
    ),
  })
  .meta({ id: 'BulkContentResult' });
export type BulkContentResult = z.infer<typeof BulkContentResult>;

export const GenerateRequest = z.object({
  notes: z.string().trim().max(2000).optional().describe('Hints for the writer'),
});
export type GenerateRequest = z.infer<typeof GenerateRequest>;

export const PublishAttempt = z
  .object({
    id: z.uuid(),
    contentId: z.uuid(),
    attempt: z.number().int(),
    channel: z.string(),
    outcome: z.enum(['success', 'failed']),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
    recipients: z
      .object({
        sent: z.number().int(),
        skipped: z.array(
          z.object({
            address: z.string(),
            reason: z
              .string()
              .describe('not_a_subscriber, unsubscribed, pending, suppressed or bounced'),
          }),
        ),
      })
      .nullable()
      .describe('Email channel: messages sent, and the listed addresses that were skipped'),
    worker: z.string(),
    durationMs: z.number().int(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'PublishAttempt' });
export const PublishAttemptList = z.object({ items: z.array(PublishAttempt) });

export const Publication = z
  .object({
    id: z.uuid(),
    contentId: z.uuid(),
    channel: z.string(),
    payload: z.record(z.string(), z.unknown()),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Publication' });
export const PublicationPage = pageSchema(Publication);

export const BusinessParams = z.object({ businessId: z.uuid() });
export { PaginationQuery };

// Request and response shapes of email templates (and blocks), broadcasts, A/B tests and analytics.
import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';

export const BusinessParams = z.object({ businessId: z.uuid() });
export const TemplateParams = z.object({ businessId: z.uuid(), templateId: z.uuid() });
export const BroadcastParams = z.object({ businessId: z.uuid(), broadcastId: z.uuid() });

const Name = z.string().trim().min(1).max(200);
const BlockName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, - and _ only (it is used in {% render %})');
const Body = z.string().max(200_000);

export const TemplateKind = z.enum(['email', 'block']);

/** The parts of an email as written: subject, preheader, a Markdown or HTML body, text. */
const EmailContent = {
  subject: z.string().max(500).default(''),
  preheader: z.string().max(500).default(''),
  html: Body.optional().describe('The HTML body; required unless `markdown` is given'),
  markdown: Body.optional().describe('The body in Markdown: the HTML is made from it'),
  text: Body.default('').describe('The plain-text part; empty = made from the HTML'),
};

export const TemplateBody = z
  .object({ kind: TemplateKind.default('email'), name: Name, ...EmailContent })
  .refine((body) => body.html !== undefined || body.markdown !== undefined, {
    path: ['html'],
    message: 'give the body as html or as markdown',
  })
  .refine((body) => body.kind === 'block' || body.subject.trim() !== '', {
    path: ['subject'],
    message: 'an email template needs a subject',
  })
  .refine((body) => body.kind === 'email' || BlockName.safeParse(body.name).success, {
    path: ['name'],
    message: 'a block name may have letters, digits, - and _ only',
  })
  .meta({
    example: {
      kind: 'email',
      name: 'Weekly news',
      subject: 'This week at {{ business.name }}',
      markdown:
        'Hello **{{ subscriber.first_name | default: "there" }}**!\n\n{% render \'footer\' %}',
    },
  });
export type TemplateBody = z.infer<typeof TemplateBody>;

export const UpdateTemplateBody = z
  .object({
    name: Name,
    subject: z.string().max(500),
    preheader: z.string().max(500),
    html: Body,
    markdown: Body.nullable(),
    text: Body,
  })
  .partial();
export type UpdateTemplateBody = z.infer<typeof UpdateTemplateBody>;

export const Template = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    kind: TemplateKind,
    name: z.string(),
    subject: z.string(),
    preheader: z.string(),
    html: z.string(),
    markdown: z.string().nullable(),
    text: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'EmailTemplate' });
export type Template = z.infer<typeof Template>;

export const TemplateListQuery = PaginationQuery.extend({ kind: TemplateKind.optional() });
export const TemplatePage = pageSchema(Template).meta({ id: 'EmailTemplatePage' });

export const TemplatePreviewBody = z.object({
  subject: z.string().max(500).default(''),
  preheader: z.string().max(500).default(''),
  html: Body.default(''),
  markdown: Body.optional(),
  text: Body.default(''),
});
export type TemplatePreviewBody = z.infer<typeof TemplatePreviewBody>;

export const RenderedTemplate = z
  .object({ subject: z.string(), html: z.string(), text: z.string() })
  .meta({ id: 'RenderedTemplate' });

const VariantKey = z.enum(['A', 'B', 'C', 'D']);

export const VariantBody = z
  .object({
    subject: z.string().trim().min(1).max(500),
    preheader: z.string().max(500).default(''),
    html: Body.optional(),
    markdown: Body.optional(),
    text: Body.default(''),
  })
  .refine((body) => body.html !== undefined || body.markdown !== undefined, {
    path: ['html'],
    message: 'give the body as html or as markdown',
  });
export type VariantBody = z.infer<typeof VariantBody>;

export const Audience = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('all') }).describe('Every subscriber who consented'),
    z.object({ type: z.literal('segment'), segmentId: z.uuid() }),
  ])
  .meta({ id: 'BroadcastAudience' });

export const Sender = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  replyTo: z.email().max(320).optional(),
});

export const AbTest = z
  .object({
    metric: z.enum(['opens', 'clicks']).default('opens'),
    testPercent: z.number().int().min(2).max(90).default(20),
    waitMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(240),
  })
  .meta({ id: 'BroadcastAbTest' });

export const CreateBroadcastBody = z
  .object({
    name: Name,
    templateId: z.uuid().optional().describe('Start from this template (its content is copied)'),
    variants: z
      .array(VariantBody)
      .min(1)
      .max(4)
      .optional()
      .describe('The email: one, or 2–4 for an A/B test. Required unless templateId is given.'),
    audience: Audience.default({ type: 'all' }),
    from: Sender.optional().describe("Default: the business's sender"),
    abTest: AbTest.nullable().default(null),
  })
  .refine((body) => body.templateId !== undefined || body.variants !== undefined, {
    path: ['variants'],
    message: 'give the email as variants or as a templateId',
  })
  .meta({
    example: {
      name: 'Spring bake',
      variants: [{ subject: 'Fresh bread', markdown: 'Hello **{{ subscriber.first_name }}**!' }],
      audience: { type: 'all' },
    },
  });
export type CreateBroadcastBody = z.infer<typeof CreateBroadcastBody>;

export const UpdateBroadcastBody = z
  .object({
    name: Name,
    variants: z.array(VariantBody).min(1).max(4),
    audience: Audience,
    from: Sender.nullable(),
    abTest: AbTest.nullable(),
  })
  .partial();
export type UpdateBroadcastBody = z.infer<typeof UpdateBroadcastBody>;

export const ScheduleBody = z.object({
  at: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('When to send; omitted = now. With localTime, the wall time in the business zone'),
  localTime: z
    .boolean()
    .default(false)
    .describe("Send at that wall time in each recipient's own time zone when it is known"),
});

export const TestSendBody = z.object({
  to: z.email().max(320),
  variant: VariantKey.default('A'),
  subscriberId: z.uuid().optional(),
});

export const TestSendResult = z.object({
  messageId: z.string(),
  outboxMessageId: z.string().nullable(),
});

export const WinnerBody = z.object({ variant: VariantKey });

export const BroadcastStatus = z.enum(['draft', 'scheduled', 'sending', 'sent', 'cancelled']);

export const Variant = z.object({
  key: VariantKey,
  subject: z.string(),
  preheader: z.string(),
  html: z.string(),
  markdown: z.string().nullable(),
  text: z.string(),
});

export const Broadcast = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    name: z.string(),
    status: BroadcastStatus,
    templateId: z.uuid().nullable(),
    variants: z.array(Variant),
    audience: Audience,
    from: Sender.nullable(),
    abTest: AbTest.nullable(),
    winner: VariantKey.nullable(),
    scheduledAt: z.string().nullable(),
    localTime: z.boolean(),
    decideAt: z.string().nullable(),
    recipientCount: z.number().int().nullable(),
    progress: z
      .object({ done: z.number().int(), total: z.number().int() })
      .describe('Recipients handled (sent, skipped or failed) of all recipients'),
    estimatedFinishAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Broadcast' });
export type Broadcast = z.infer<typeof Broadcast>;

export const BroadcastListQuery = PaginationQuery.extend({ status: BroadcastStatus.optional() });
export const BroadcastPage = pageSchema(Broadcast).meta({ id: 'BroadcastPage' });

const Counts = z.object({
  recipients: z.number().int(),
  sent: z.number().int(),
  delivered: z.number().int(),
  opened: z.number().int(),
  clicked: z.number().int(),
  bounced: z.number().int(),
  unsubscribed: z.number().int(),
  complained: z.number().int().describe("Reported as spam by the recipient's mailbox provider"),
  skipped: z.number().int().describe('Suppressed or unsubscribed by the time of sending'),
  failed: z.number().int(),
  openRate: z.number().describe('opened / delivered'),
  clickRate: z.number().describe('clicked / delivered'),
  bounceRate: z.number().describe('bounced / sent'),
  unsubscribeRate: z.number().describe('unsubscribed / delivered'),
});

export const BroadcastAnalytics = z
  .object({
    broadcastId: z.uuid(),
    status: BroadcastStatus,
    totals: Counts,
    variants: z.array(Counts.extend({ key: VariantKey, subject: z.string() })),
    winner: VariantKey.nullable(),
    abMetric: z.enum(['opens', 'clicks']).nullable(),
    held: z.number().int().describe('Recipients waiting for the A/B winner'),
  })
  .meta({ id: 'BroadcastAnalytics' });
export type BroadcastAnalytics = z.infer<typeof BroadcastAnalytics>;

export const AudienceEstimate = z.object({ recipients: z.number().int() });
export const SegmentOption = z.object({ id: z.uuid(), name: z.string(), size: z.number().int() });
export const SegmentOptions = z.object({ items: z.array(SegmentOption) });

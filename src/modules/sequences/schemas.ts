// Request and response shapes of sequences, their steps, enrollments, analytics and the outbox.
import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';

export const SequenceStatus = z.enum(['draft', 'active', 'paused', 'archived']);
export type SequenceStatus = z.infer<typeof SequenceStatus>;

export const BusinessParams = z.object({ businessId: z.uuid() });
export const SequenceParams = z.object({ businessId: z.uuid(), sequenceId: z.uuid() });
export const StepParams = z.object({
  businessId: z.uuid(),
  sequenceId: z.uuid(),
  stepId: z.uuid(),
});
export const OutboxParams = z.object({
  businessId: z.uuid(),
  outboxMessageId: z.string().regex(/^[a-f0-9]{32}$/, 'not an outbox message id'),
});

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');

export const SendWindow = z
  .object({
    days: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .describe('ISO weekdays: 1 = Monday … 7 = Sunday'),
    start: HHMM.meta({ example: '09:00' }),
    end: HHMM.meta({ example: '17:00' }),
  })
  .refine((window) => window.start < window.end, 'start must be before end')
  .meta({ id: 'SendWindow', description: "In the business's timezone" });

export const Delay = z
  .object({
    value: z.number().int().min(0).max(100_000),
    unit: z.enum(['minutes', 'hours', 'days']),
  })
  .refine((delay) => delayMinutes(delay) <= 365 * 24 * 60, 'at most a year')
  .meta({ id: 'StepDelay' });
export type Delay = z.infer<typeof Delay>;

export function delayMinutes(delay: { value: number; unit: 'minutes' | 'hours' | 'days' }): number {
  return delay.value * (delay.unit === 'days' ? 1440 : delay.unit === 'hours' ? 60 : 1);
}

export function delayOf(minutes: number): Delay {
  if (minutes > 0 && minutes % 1440 === 0) return { value: minutes / 1440, unit: 'days' };
  if (minutes > 0 && minutes % 60 === 0) return { value: minutes / 60, unit: 'hours' };
  return { value: minutes, unit: 'minutes' };
}

const TEXT_PART =
  'The plain-text part. Empty (the default): made from the HTML when sent, so it follows every HTML edit (an empty string goes back to that); otherwise sent as written.';

const MARKDOWN =
  'The body in Markdown (Liquid tags kept as written). When given, the HTML body is made from it (tags and links an email may carry; no scripts, styles or event attributes; links only to http(s), mailto or a Liquid value) and an `html` sent alongside is ignored.';
const HTML_BODY = 'The HTML body; required unless `markdown` is given.';

const HtmlBody = z.string().min(1).max(200_000);
const MarkdownBody = z.string().min(1).max(200_000);

const Scalar = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);
const PropertyName = z.string().trim().min(1).max(200);

export const PropertyFilter = z
  .union([
    z.record(PropertyName, Scalar).describe('Each property equals its value'),
    z
      .array(
        z.object({
          property: PropertyName.describe('A property name, or a dotted path like "cart.id"'),
          op: z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists']),
          value: Scalar.optional(),
        }),
      )
      .max(20)
      .describe('Every condition holds'),
  ])
  .meta({ id: 'PropertyFilter', example: { plan: 'pro' } });

const EventName = z.string().trim().min(1).max(200);

export const EventMatch = z
  .object({ event: EventName, where: PropertyFilter.optional() })
  .meta({ id: 'EventMatch', example: { event: 'Order Completed' } });

export const WaitFor = z
  .object({
    event: EventName.meta({ example: 'Order Completed' }),
    where: PropertyFilter.optional(),
    sameAs: z
      .array(PropertyName)
      .max(10)
      .default([])
      .describe("Properties that must equal the triggering event's (e.g. cart_id)"),
    limit: Delay.describe('How long to wait, from when the step is reached'),
    goToStep: z
      .number()
      .int()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        'When the event happens: continue at this step (1-based, after this one); null ends the sequence. Without it within the limit, the next step follows.',
      ),
  })
  .meta({ id: 'WaitForEvent' });
export type WaitFor = z.infer<typeof WaitFor>;

export const StepKind = z.enum(['email', 'wait_for_event']);

export const VariantKey = z.enum(['A', 'B', 'C', 'D']);
export type VariantKey = z.infer<typeof VariantKey>;

export const StepVariantBody = z
  .object({
    subject: z.string().min(1).max(500).optional(),
    preheader: z.string().max(500).optional(),
    html: HtmlBody.optional(),
    markdown: MarkdownBody.optional().describe(MARKDOWN),
    text: z.string().max(200_000).optional(),
  })
  .refine(
    (variant) =>
      variant.subject !== undefined || variant.html !== undefined || variant.markdown !== undefined,
    { path: ['subject'], message: 'a variant changes the subject, the body or both' },
  )
  .describe("One version of the email; a part left out is the step's own")
  .meta({ id: 'StepVariantBody' });
export type StepVariantBody = z.infer<typeof StepVariantBody>;

const StepVariants = z
  .array(StepVariantBody)
  .min(2, 'an A/B test needs 2 to 4 variants')
  .max(4, 'an A/B test needs 2 to 4 variants')
  .describe('2–4 versions of an email step (A, B, C, D in order); null: no A/B test');

export const StepAbTest = z
  .object({
    metric: z.enum(['opens', 'clicks']).default('opens'),
    waitMinutes: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 60)
      .default(7 * 24 * 60)
      .describe("After the test's first delivery: then the winner is picked"),
  })
  .meta({ id: 'StepAbTest' });
export type StepAbTest = z.infer<typeof StepAbTest>;

export const StepBody = z
  .object({
    kind: StepKind.default('email'),
    delay: Delay.default({ value: 0, unit: 'minutes' }).describe(
      'After the previous step (after enrollment for the first step)',
    ),
    sendWindow: SendWindow.nullable().default(null),
    subject: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .describe('Required for an email step')
      .meta({ example: 'Welcome, {{ subscriber.first_name | default: "friend" }}' }),
    preheader: z.string().max(500).default(''),
    html: HtmlBody.optional()
      .describe(HTML_BODY)
      .meta({ example: '<p>Hello {{ subscriber.first_name | default: "there" }}!</p>' }),
    markdown: MarkdownBody.optional().describe(MARKDOWN),
    text: z.string().max(200_000).default('').describe(TEXT_PART),
    waitFor: WaitFor.optional().describe('Required for a wait_for_event step'),
    variants: StepVariants.nullable().default(null),
    abTest: StepAbTest.optional().describe('How the A/B test is decided (with variants)'),
  })
  .refine((step) => step.kind === 'email' || step.variants === null, {
    path: ['variants'],
    message: 'only an email step has A/B variants',
  })
  .refine(
    (step) => step.kind !== 'email' || step.html !== undefined || step.markdown !== undefined,
    { path: ['html'], message: 'give the body as html or as markdown' },
  )
  .refine((step) => step.kind !== 'email' || step.subject !== undefined, {
    path: ['subject'],
    message: 'an email step needs a subject',
  })
  .refine((step) => step.kind !== 'wait_for_event' || step.waitFor !== undefined, {
    path: ['waitFor'],
    message: 'a wait_for_event step needs waitFor',
  })
  .meta({
    example: {
      subject: 'Welcome, {{ subscriber.first_name | default: "friend" }}',
      markdown: '## Welcome!\n\nHello **{{ subscriber.first_name | default: "there" }}**.',
    },
  });
export type StepBody = z.infer<typeof StepBody>;

export const UpdateStepBody = z
  .object({
    delay: Delay,
    sendWindow: SendWindow.nullable(),
    subject: z.string().min(1).max(500),
    preheader: z.string().max(500),
    html: HtmlBody.describe(
      'The HTML body as written: the step is then written in HTML (its Markdown, if any, is cleared)',
    ),
    markdown: MarkdownBody.nullable().describe(
      `${MARKDOWN} null: keep the current HTML and write the step in HTML from now on.`,
    ),
    text: z.string().max(200_000).describe(TEXT_PART),
    waitFor: WaitFor.describe('A wait_for_event step only'),
    variants: StepVariants.nullable().describe(
      'New variants start a new A/B test (the winner is cleared); null ends the test',
    ),
    abTest: StepAbTest,
  })
  .partial();
export type UpdateStepBody = z.infer<typeof UpdateStepBody>;

export const StepVariant = z
  .object({
    key: VariantKey,
    subject: z.string().nullable(),
    preheader: z.string().nullable(),
    html: z.string().nullable(),
    markdown: z.string().nullable(),
    text: z.string().nullable(),
  })
  .meta({ id: 'StepVariant' });

export const Step = z
  .object({
    id: z.uuid(),
    sequenceId: z.uuid(),
    position: z.number().int(),
    kind: StepKind,
    waitFor: WaitFor.nullable(),
    delay: Delay,
    sendWindow: SendWindow.nullable(),
    subject: z.string(),
    preheader: z.string(),
    html: z.string().describe('The HTML body that is sent (made from `markdown` when that is set)'),
    markdown: z
      .string()
      .nullable()
      .describe('The Markdown the body is written in; null when it is written in HTML'),
    text: z.string().describe(TEXT_PART),
    variants: z
      .array(StepVariant)
      .nullable()
      .describe("The A/B variants as written (null parts are the step's own); null: no test"),
    abTest: StepAbTest.nullable(),
    winner: VariantKey.nullable().describe('The variant every later delivery gets'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'SequenceStep' });
export type Step = z.infer<typeof Step>;

export const Trigger = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('manual') }),
    z.object({
      type: z.literal('event'),
      event: EventName,
      where: PropertyFilter.optional().describe('Only events whose properties match'),
    }),
    z.object({ type: z.literal('segment'), segmentId: z.uuid() }),
  ])
  .describe(
    'manual: enrolled by hand; event: when a customer does the event; segment: when a customer enters the segment. Only subscribed, unsuppressed subscribers linked to the customer are enrolled, at most once per sequence.',
  )
  .meta({ id: 'SequenceTrigger' });

export type Trigger = z.infer<typeof Trigger>;

const ExitEvent = EventMatch.nullable().describe(
  'When the enrolled customer does this event, the enrollment ends (status exited)',
);

export const CreateSequenceBody = z.object({
  name: z.string().trim().min(1).max(200).meta({ example: 'Welcome series' }),
  trigger: Trigger.default({ type: 'manual' }),
  exitEvent: ExitEvent.default(null),
  steps: z.array(StepBody).max(50).default([]),
});
export type CreateSequenceBody = z.infer<typeof CreateSequenceBody>;

export const UpdateSequenceBody = z
  .object({ name: z.string().trim().min(1).max(200), trigger: Trigger, exitEvent: ExitEvent })
  .partial();
export type UpdateSequenceBody = z.infer<typeof UpdateSequenceBody>;

export const Sequence = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    name: z.string(),
    status: SequenceStatus,
    trigger: Trigger,
    exitEvent: ExitEvent,
    steps: z.array(Step),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Sequence' });
export type Sequence = z.infer<typeof Sequence>;

export const SequenceSummary = Sequence.omit({ steps: true })
  .extend({ stepCount: z.number().int(), enrolled: z.number().int() })
  .meta({ id: 'SequenceSummary' });
export const SequencePage = pageSchema(SequenceSummary).meta({ id: 'SequencePage' });

export const SequenceListQuery = PaginationQuery.extend({ status: SequenceStatus.optional() });

export const EnrollBody = z
  .object({
    subscriberIds: z.array(z.uuid()).max(10_000).optional(),
    filter: z
      .object({
        all: z.boolean().optional().describe('Every subscribed subscriber of the business'),
        search: z.string().trim().max(254).optional(),
        attribute: z
          .object({ name: z.string().min(1).max(64), equals: z.string().max(500) })
          .optional(),
      })
      .optional(),
  })
  .refine(
    (body) => body.subscriberIds !== undefined || body.filter !== undefined,
    'give subscriberIds or a filter',
  )
  .meta({ example: { filter: { all: true } } });
export type EnrollBody = z.infer<typeof EnrollBody>;

export const EnrollResult = z.object({
  enrolled: z.number().int().describe('New enrollments'),
  skipped: z.number().int().describe('Already enrolled, unsubscribed, suppressed or not found'),
});

export const EnrollmentStatus = z.enum([
  'active',
  'completed',
  'exited',
  'unsubscribed',
  'cancelled',
]);
export const Enrollment = z
  .object({
    id: z.uuid(),
    sequenceId: z.uuid(),
    subscriberId: z.uuid(),
    email: z.string(),
    status: EnrollmentStatus,
    nextStepIndex: z.number().int(),
    nextSendAt: z.string().nullable(),
    waitingUntil: z
      .string()
      .nullable()
      .describe('While waiting at a "wait for event" step: when the wait times out'),
    triggerEvent: z
      .object({ name: z.string(), properties: z.record(z.string(), z.unknown()) })
      .nullable()
      .describe('The customer event that enrolled the subscriber'),
    createdAt: z.string(),
  })
  .meta({ id: 'Enrollment' });
export const EnrollmentPage = pageSchema(Enrollment).meta({ id: 'EnrollmentPage' });

export const PreviewBody = z.object({
  subject: z.string().max(500),
  preheader: z.string().max(500).default(''),
  html: z.string().max(200_000).default('').describe('Ignored when `markdown` is given'),
  markdown: z
    .string()
    .max(200_000)
    .optional()
    .describe('The body in Markdown: previewed as the HTML a step saved with it would carry'),
  text: z.string().max(200_000).default(''),
  subscriberId: z.uuid().optional().describe('Render for this subscriber (default: a sample one)'),
});

export const RenderedEmail = z
  .object({
    subject: z.string(),
    html: z.string(),
    text: z.string(),
    markdownHtml: z
      .string()
      .nullable()
      .describe(
        'The HTML body made from `markdown`, Liquid not yet rendered (what a step saved with it stores); null when the body was given as HTML',
      ),
  })
  .meta({ id: 'RenderedEmail' });

export const TestSendBody = z.object({
  to: z
    .email()
    .max(254)
    .describe("Your own address or one of the business's team (today: its owner)"),
  subscriberId: z.uuid().optional(),
});
export const TestSendResult = z.object({
  messageId: z.string(),
  outboxMessageId: z.string().nullable().describe('Set when mail goes to the local outbox'),
});

const Counts = {
  sent: z.number().int().describe('Handed to the mail server (delivered + bounced)'),
  delivered: z.number().int(),
  opened: z.number().int(),
  clicked: z.number().int(),
  unsubscribed: z.number().int(),
  complained: z.number().int().describe("Reported as spam by the recipient's mailbox provider"),
  bounced: z.number().int(),
  suppressed: z.number().int().describe('Not sent: the address was on the suppression list'),
  failed: z
    .number()
    .int()
    .describe('Not sent: every attempt failed (a template that cannot render, a relay error)'),
  openRate: z.number(),
  clickRate: z.number(),
  unsubscribeRate: z.number(),
  bounceRate: z.number(),
};

export const SequenceAnalytics = z
  .object({
    sequenceId: z.uuid(),
    enrolled: z.number().int(),
    active: z.number().int(),
    completed: z.number().int(),
    totals: z.object(Counts),
    steps: z.array(
      z.object({
        stepId: z.uuid(),
        position: z.number().int(),
        subject: z.string(),
        ...Counts,
        lastError: z
          .string()
          .nullable()
          .describe(
            'Why the latest failed or retrying delivery of this step failed, e.g. "Template error: …"; null when none',
          ),
      }),
    ),
    series: z.array(
      z.object({
        date: z.string().describe('UTC day, YYYY-MM-DD'),
        sent: z.number().int(),
        opened: z.number().int(),
        clicked: z.number().int(),
        unsubscribed: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'SequenceAnalytics' });
export type SequenceAnalytics = z.infer<typeof SequenceAnalytics>;

export const AnalyticsQuery = z.object({
  days: z.coerce.number().int().min(1).max(365).default(30),
});

export const OutboxEntry = z
  .object({
    id: z.string(),
    messageId: z.string(),
    from: z.string(),
    to: z.string(),
    subject: z.string(),
    createdAt: z.string(),
    sizeBytes: z.number().int(),
  })
  .meta({ id: 'OutboxEntry' });
export const OutboxPage = z
  .object({
    enabled: z
      .boolean()
      .describe('False when SMTP_URL is set: mail goes to the SMTP server instead'),
    items: z.array(OutboxEntry),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'OutboxPage' });
/** The outbox pages like every list: an opaque cursor of the last entry's time and id. */
export const OutboxQuery = PaginationQuery;
export const OutboxMessage = z
  .object({ entry: OutboxEntry, raw: z.string().describe('The whole MIME message') })
  .meta({ id: 'OutboxMessage' });

export const GenerateSequenceBody = z.object({
  goal: z
    .string()
    .trim()
    .min(3)
    .max(1000)
    .meta({ example: 'Welcome new bakery customers and bring them back within two weeks' }),
  steps: z.number().int().min(1).max(10).default(3),
  cadenceDays: z.number().int().min(0).max(60).default(2).describe('Days between steps'),
  name: z.string().trim().min(1).max(200).optional(),
});
export type GenerateSequenceBody = z.infer<typeof GenerateSequenceBody>;

export const SegmentChoices = z
  .object({
    items: z.array(
      z.object({ id: z.uuid(), name: z.string(), size: z.number().int().describe('Customers') }),
    ),
  })
  .meta({ id: 'SegmentChoices' });

export const WinnerBody = z.object({ variant: VariantKey });

const VariantResult = z.object({
  key: VariantKey,
  subject: z.string().describe('The subject as written (Liquid not rendered)'),
  sent: z.number().int().describe('Handed to the mail server (delivered + bounced)'),
  delivered: z.number().int(),
  opens: z.number().int().describe('Every open, repeats included'),
  uniqueOpens: z.number().int().describe('Deliveries opened at least once'),
  clicks: z.number().int().describe('Every click, repeats included'),
  uniqueClicks: z.number().int().describe('Deliveries clicked at least once'),
  openRate: z.number().describe('uniqueOpens / delivered'),
  clickRate: z.number().describe('uniqueClicks / delivered'),
});

export const StepAbResults = z
  .object({
    stepId: z.uuid(),
    status: z
      .enum(['none', 'waiting', 'running', 'decided'])
      .describe(
        'none: the step has no variants; waiting: no delivery yet; running: deliveries are split; decided: every later delivery gets the winner',
      ),
    metric: z.enum(['opens', 'clicks']).nullable(),
    startedAt: z.string().nullable(),
    decideAt: z.string().nullable().describe('When the winner is picked automatically'),
    winner: VariantKey.nullable(),
    winnerAt: z.string().nullable(),
    pickedBy: z.enum(['auto', 'hand']).nullable(),
    variants: z.array(VariantResult),
  })
  .meta({ id: 'StepAbResults' });
export type StepAbResults = z.infer<typeof StepAbResults>;

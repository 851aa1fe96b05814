// Request and response shapes of subscribers, their CSV imports and the suppression list.
import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';

export const ConsentStatus = z.enum(['subscribed', 'unsubscribed', 'pending']);
export const SuppressionReason = z.enum(['unsubscribed', 'bounced', 'complained', 'manual']);

/** Trimmed and lower-cased, so `Ann@Example.com ` and `ann@example.com` are one subscriber. */
export const EmailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email().max(254))
  .meta({ example: 'ann@example.com' });

const Attributes = z
  .record(z.string().min(1).max(64), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 16_384, 'attributes are limited to 16 KB')
  .meta({ example: { plan: 'pro', city: 'Lyon' } });

export const BusinessParams = z.object({ businessId: z.uuid() });
export const SubscriberParams = z.object({ businessId: z.uuid(), subscriberId: z.uuid() });

export const CreateSubscriberBody = z.object({
  email: EmailAddress,
  firstName: z.string().trim().max(120).optional(),
  lastName: z.string().trim().max(120).optional(),
  attributes: Attributes.optional(),
  consentStatus: ConsentStatus.default('subscribed'),
  source: z.string().trim().min(1).max(60).default('api'),
});
export type CreateSubscriberBody = z.infer<typeof CreateSubscriberBody>;

export const UpdateSubscriberBody = z
  .object({
    email: EmailAddress,
    firstName: z.string().trim().max(120).nullable(),
    lastName: z.string().trim().max(120).nullable(),
    attributes: Attributes,
    consentStatus: ConsentStatus,
  })
  .partial();
export type UpdateSubscriberBody = z.infer<typeof UpdateSubscriberBody>;

export const Subscriber = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    email: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    consentStatus: ConsentStatus,
    source: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Subscriber' });
export type Subscriber = z.infer<typeof Subscriber>;

export const SubscriberPage = pageSchema(Subscriber).meta({ id: 'SubscriberPage' });

export const SubscriberListQuery = PaginationQuery.extend({
  search: z.string().trim().max(254).optional().describe('Part of the email address or name'),
  consentStatus: ConsentStatus.optional(),
});
export type SubscriberListQuery = z.infer<typeof SubscriberListQuery>;

export const ImportBody = z.object({
  csv: z
    .string()
    .min(1)
    .describe(
      'The CSV text. Header row required; `email` column required; first_name/firstName, last_name/lastName, consent_status and source are read, other columns become attributes.',
    )
    .meta({ example: 'email,first_name,plan\nann@example.com,Ann,pro\n' }),
});

export const ImportResult = z
  .object({
    rows: z.number().int(),
    imported: z.number().int(),
    updated: z.number().int(),
    skipped: z.number().int(),
    errorCount: z.number().int(),
    errors: z.array(z.object({ row: z.number().int(), reason: z.string() })),
  })
  .meta({ id: 'SubscriberImportResult' });
export type ImportResult = z.infer<typeof ImportResult>;

export const Suppression = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    email: z.string(),
    reason: SuppressionReason,
    createdAt: z.string(),
  })
  .meta({ id: 'Suppression' });
export type Suppression = z.infer<typeof Suppression>;

export const SuppressionPage = pageSchema(Suppression).meta({ id: 'SuppressionPage' });

export const CreateSuppressionBody = z.object({
  email: EmailAddress,
  reason: SuppressionReason.default('manual'),
});

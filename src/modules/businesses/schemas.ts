import { z } from 'zod';

import { pageSchema } from '../../platform/http/pagination.ts';
import { PLATFORMS } from '../../shared/limits.ts';
import { PERMISSIONS, ROLES } from '../../shared/permissions.ts';

const words = z.array(z.string().trim().min(1).max(60)).max(50);

export const BrandVoice = z
  .object({
    tone: z
      .string()
      .trim()
      .max(300)
      .default('')
      .meta({ example: 'warm, plain-spoken, a little playful' }),
    wordsToUse: words.default([]),
    wordsToAvoid: words.default([]),
  })
  .meta({ id: 'BrandVoice' });

export const Product = z.object({
  name: z.string().trim().min(1).max(120),
  description: z.string().trim().max(1000).optional(),
  priceCents: z.number().int().min(0).optional(),
});

export const Channel = z.enum(PLATFORMS);

export const DefaultSender = z.object({
  name: z.string().trim().min(1).max(120),
  email: z.email().max(254),
  replyTo: z.email().max(254).optional(),
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const TimeZone = z
  .string()
  .max(64)
  .refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris')
  .meta({ example: 'Europe/Paris' });

/** Fields a user may set; every one is optional on update. */
const BusinessFields = {
  name: z.string().trim().min(1).max(120),
  industry: z.string().trim().max(120),
  audience: z.string().trim().max(2000),
  products: z.array(Product).max(100),
  goals: z.array(z.string().trim().min(1).max(300)).max(20),
  brandVoice: BrandVoice,
  channels: z
    .array(Channel)
    .max(7)
    .transform((channels) => [...new Set(channels)]),
  timezone: TimeZone,
  defaultSender: DefaultSender.nullable(),
  aiDailyBudgetUsd: z
    .number()
    .min(0)
    .max(100_000)
    .multipleOf(0.01)
    .nullable()
    .describe('Overrides the server default; null uses it'),
};

export const CreateBusinessBody = z.object({
  name: BusinessFields.name,
  industry: BusinessFields.industry.default(''),
  audience: BusinessFields.audience.default(''),
  products: BusinessFields.products.default([]),
  goals: BusinessFields.goals.default([]),
  brandVoice: BusinessFields.brandVoice.default({ tone: '', wordsToUse: [], wordsToAvoid: [] }),
  channels: BusinessFields.channels.default([]),
  timezone: BusinessFields.timezone.default('UTC'),
  defaultSender: BusinessFields.defaultSender.default(null),
  aiDailyBudgetUsd: BusinessFields.aiDailyBudgetUsd.default(null),
});
export type CreateBusinessBody = z.infer<typeof CreateBusinessBody>;

export const UpdateBusinessBody = z
  .object(BusinessFields)
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'send at least one field to change');
export type UpdateBusinessBody = z.infer<typeof UpdateBusinessBody>;

export const Business = z
  .object({
    id: z.uuid(),
    name: z.string(),
    industry: z.string(),
    audience: z.string(),
    products: z.array(Product),
    goals: z.array(z.string()),
    brandVoice: z.object({
      tone: z.string(),
      wordsToUse: z.array(z.string()),
      wordsToAvoid: z.array(z.string()),
    }),
    channels: z.array(z.string()),
    timezone: z.string(),
    defaultSender: DefaultSender.nullable(),
    aiDailyBudgetUsd: z.number().nullable(),
    writeKey: z.string().describe('Segment-style tracking write key'),
    role: z.enum(ROLES).describe("The caller's role in this business"),
    approver: z
      .boolean()
      .describe('Whether the caller may approve content without being an owner or admin'),
    permissions: z
      .array(z.enum(PERMISSIONS))
      .describe('What the caller may do here (src/shared/permissions.ts, docs/permissions.md)'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Business' });
export type Business = z.infer<typeof Business>;

export const BusinessParams = z.object({ businessId: z.uuid() });
export const BusinessPage = pageSchema(Business);

/** What the marketer may add to "suggest a brand voice" (the profile itself is read by the AI layer). */
export const BrandVoiceRequest = z.object({
  notes: z
    .string()
    .trim()
    .max(2000)
    .optional()
    .describe('Anything the AI should know: examples you like, words you never use…'),
});
export type BrandVoiceRequest = z.infer<typeof BrandVoiceRequest>;

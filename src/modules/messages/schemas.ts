import { z } from 'zod';

import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';

export const MessageChannel = z.enum(['email', 'sms', 'social', 'chat', 'phone', 'other']);
export const MessageDirection = z.enum(['inbound', 'outbound']);
export const MessageStatus = z.enum(['received', 'queued', 'sent', 'delivered', 'failed', 'read']);

export const CreateMessageBody = z.object({
  channel: MessageChannel,
  direction: MessageDirection,
  subject: z.string().trim().max(300).nullable().default(null),
  body: z.string().max(50_000).default(''),
  status: MessageStatus.default('sent'),
  customerRef: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .nullable()
    .default(null)
    .describe('Who it was with: an email address, a customer id, a handle'),
  contentId: z.uuid().nullable().default(null),
});
export type CreateMessageBody = z.infer<typeof CreateMessageBody>;

export const Message = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    channel: z.string(),
    direction: z.string(),
    subject: z.string().nullable(),
    body: z.string(),
    status: z.string(),
    customerRef: z.string().nullable(),
    contentId: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Message' });
export type Message = z.infer<typeof Message>;

export const MessagePage = pageSchema(Message);
export const MessageListQuery = PaginationQuery.extend({
  channel: MessageChannel.optional(),
  direction: MessageDirection.optional(),
  status: MessageStatus.optional(),
  customerRef: z.string().max(200).optional(),
});
export type MessageListQuery = z.infer<typeof MessageListQuery>;

// Request and response shapes of outgoing webhooks: a business's endpoints (URL, the event types
// it hears, its signing secret) and the delivery log of each.
import { z } from 'zod';

import { HERALD_EVENT_TYPES } from '../../platform/events.ts';
import { pageSchema, PaginationQuery } from '../../platform/http/pagination.ts';
import { BusinessParams } from '../businesses/index.ts';

/** The type of the event `POST …/{endpointId}/test` sends; no endpoint subscribes to it. */
export const TEST_EVENT_TYPE = 'webhook.test';

export const WebhookEventType = z
  .enum(HERALD_EVENT_TYPES)
  .describe('A Herald event type (docs/events.md)');

const EventTypes = z
  .array(WebhookEventType)
  .min(1, 'choose at least one event type')
  .max(HERALD_EVENT_TYPES.length)
  .transform((types) => [...new Set(types)]);

const TargetUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  .max(2000)
  .describe('Where events are POSTed: https (http only where private targets are allowed)');

export const CreateWebhookBody = z.object({
  url: TargetUrl,
  eventTypes: EventTypes,
  description: z.string().trim().max(500).default(''),
  active: z.boolean().default(true),
});
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

export const UpdateWebhookBody = z
  .object({
    url: TargetUrl,
    eventTypes: EventTypes,
    description: z.string().trim().max(500),
    active: z.boolean().describe('Turning an endpoint back on clears its disabled notice'),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'send at least one field to change');
export type UpdateWebhookBody = z.infer<typeof UpdateWebhookBody>;

export const WebhookEndpoint = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    active: z.boolean(),
    disabledReason: z
      .string()
      .nullable()
      .describe('Why Herald turned the endpoint off (deliveries kept failing); null otherwise'),
    disabledAt: z.iso.datetime().nullable(),
    consecutiveFailures: z.number().int().describe('Deliveries in a row that failed for good'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookEndpoint' });
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

/** An endpoint with its signing secret: answered on creation, rotation and to GET one. */
export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z
    .string()
    .describe('`whsec_` + base64 of the signing key; keep it on the receiving side only'),
}).meta({ id: 'WebhookEndpointWithSecret' });
export type WebhookEndpointWithSecret = z.infer<typeof WebhookEndpointWithSecret>;

export const WebhookEndpointPage = pageSchema(WebhookEndpoint);
export const WebhookListQuery = PaginationQuery;
export type WebhookListQuery = z.infer<typeof WebhookListQuery>;

export const WebhookParams = BusinessParams.extend({ endpointId: z.uuid() });
export const DeliveryParams = BusinessParams.extend({ deliveryId: z.uuid() });

export const DeliveryStatus = z
  .enum(['pending', 'delivered', 'failed'])
  .describe('pending: waiting for its next attempt; delivered: a 2xx answer; failed: gave up');

export const WebhookAttempt = z
  .object({
    id: z.uuid(),
    attemptedAt: z.iso.datetime(),
    statusCode: z.number().int().nullable().describe('null when no answer came'),
    latencyMs: z.number().int().nullable(),
    responseExcerpt: z.string().nullable().describe('The first 500 characters of the answer'),
    error: z.string().nullable(),
    manual: z.boolean().describe('A test or a redelivery asked for by the owner'),
  })
  .meta({ id: 'WebhookAttempt' });
export type WebhookAttempt = z.infer<typeof WebhookAttempt>;

export const WebhookDelivery = z
  .object({
    id: z.uuid(),
    endpointId: z.uuid(),
    eventId: z.string().describe('The `webhook-id` every attempt of this event carries'),
    eventType: z.string(),
    status: DeliveryStatus,
    attempts: z.number().int().describe('Scheduled attempts made (manual ones not counted)'),
    nextAttemptAt: z.iso.datetime().nullable().describe('When pending: the next attempt'),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.iso.datetime(),
    deliveredAt: z.iso.datetime().nullable(),
    attemptLog: z.array(WebhookAttempt).describe('Its attempts, newest first (the last 10)'),
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryPage = pageSchema(WebhookDelivery);
export const DeliveryListQuery = PaginationQuery.extend({
  status: DeliveryStatus.optional().describe('Only deliveries in this status'),
});
export type DeliveryListQuery = z.infer<typeof DeliveryListQuery>;

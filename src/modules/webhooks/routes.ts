// /api/v1/businesses/{businessId}/webhooks: a business's outgoing webhook endpoints, a test
// event, the delivery log and redelivery. All of it needs business.manage (secrets are shown).
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { BusinessParams } from '../businesses/index.ts';
import {
  CreateWebhookBody,
  DeliveryListQuery,
  DeliveryParams,
  UpdateWebhookBody,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointPage,
  WebhookEndpointWithSecret,
  WebhookListQuery,
  WebhookParams,
} from './schemas.ts';
import type { WebhookService } from './service.ts';

const BASE = '/api/v1/businesses/:businessId/webhooks';

export function webhookRoutes(app: App, deps: { webhooks: WebhookService }): void {
  const { webhooks } = deps;

  app.post(
    BASE,
    {
      config: { permission: 'business.manage', idempotent: true },
      schema: {
        tags: ['webhooks'],
        summary: 'Add a webhook endpoint; its signing secret is in the answer',
        params: BusinessParams,
        body: CreateWebhookBody,
        response: {
          201: WebhookEndpointWithSecret,
          ...errorResponses(400, 401, 403, 404, 409, 429),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await webhooks.create(principalOf(request), request.params.businessId, request.body)),
  );

  app.get(
    BASE,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'List the webhook endpoints, newest first (without their secrets)',
        params: BusinessParams,
        querystring: WebhookListQuery,
        response: { 200: WebhookEndpointPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      webhooks.list(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    `${BASE}/:endpointId`,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'A webhook endpoint with its signing secret',
        params: WebhookParams,
        response: { 200: WebhookEndpointWithSecret, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      webhooks.get(principalOf(request), request.params.businessId, request.params.endpointId),
  );

  app.patch(
    `${BASE}/:endpointId`,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Change a webhook endpoint (turning it on clears its disabled notice)',
        params: WebhookParams,
        body: UpdateWebhookBody,
        response: { 200: WebhookEndpoint, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      webhooks.update(
        principalOf(request),
        request.params.businessId,
        request.params.endpointId,
        request.body,
      ),
  );

  app.delete(
    `${BASE}/:endpointId`,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook endpoint and its delivery log',
        params: WebhookParams,
        response: { 204: z.null(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await webhooks.remove(
        principalOf(request),
        request.params.businessId,
        request.params.endpointId,
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${BASE}/:endpointId/rotate-secret`,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Replace the signing secret at once; the answer holds the new one',
        params: WebhookParams,
        response: { 200: WebhookEndpointWithSecret, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      webhooks.rotateSecret(
        principalOf(request),
        request.params.businessId,
        request.params.endpointId,
      ),
  );

  app.post(
    `${BASE}/:endpointId/test`,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a `webhook.test` event to the endpoint now and answer how it went',
        params: WebhookParams,
        response: { 200: WebhookDelivery, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      webhooks.sendTest(principalOf(request), request.params.businessId, request.params.endpointId),
  );

  app.get(
    `${BASE}/:endpointId/deliveries`,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'The delivery log of an endpoint, newest first, with each one’s attempts',
        params: WebhookParams,
        querystring: DeliveryListQuery,
        response: { 200: WebhookDeliveryPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      webhooks.deliveries(
        principalOf(request),
        request.params.businessId,
        request.params.endpointId,
        request.query,
      ),
  );

  app.post(
    `${BASE}/deliveries/:deliveryId/redeliver`,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivery again now, with the same webhook-id, and answer how it went',
        params: DeliveryParams,
        response: { 200: WebhookDelivery, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      webhooks.redeliver(
        principalOf(request),
        request.params.businessId,
        request.params.deliveryId,
      ),
  );
}

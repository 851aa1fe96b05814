// Outgoing webhooks as the owner manages them: endpoints (a URL checked against SSRF when saved,
// the event types it hears, a signing secret shown on creation, rotation and on request), a test
// event, the delivery log, and redelivery. Every function checks business.manage first; another
// business's endpoint or delivery answers 404.
import { randomUUID } from 'node:crypto';

import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, conflict, found } from '../../platform/http/errors.ts';
import { readPage } from '../../platform/http/pagination.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import { newEventId, type WebhookDeliverer } from './delivery.ts';
import {
  type AttemptRow,
  createWebhookRepository,
  type EndpointChanges,
  type EndpointRow,
} from './repository.ts';
import {
  type CreateWebhookBody,
  type DeliveryListQuery,
  TEST_EVENT_TYPE,
  type UpdateWebhookBody,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
  type WebhookListQuery,
} from './schemas.ts';
import { newSecret, targetProblem } from './sender.ts';

export interface WebhookServiceDeps {
  db: Database;
  access: BusinessAccess;
  deliverer: WebhookDeliverer;
  /** Allow http:// and private, loopback and link-local targets (development only). */
  allowPrivateTargets: boolean;
}

function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    businessId: row.businessId,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    active: row.active,
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    consecutiveFailures: row.consecutiveFailures,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const withSecret = (row: EndpointRow): WebhookEndpointWithSecret => ({
  ...toEndpoint(row),
  secret: row.secret,
});

function toAttempt(row: AttemptRow): WebhookAttempt {
  return {
    id: row.id,
    attemptedAt: row.attemptedAt.toISOString(),
    statusCode: row.statusCode,
    latencyMs: row.latencyMs,
    responseExcerpt: row.responseExcerpt,
    error: row.error,
    manual: row.manual,
  };
}

interface DeliveryListRow {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: WebhookDelivery['status'];
  attempts: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

function toDelivery(row: DeliveryListRow, attempts: AttemptRow[]): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpointId,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    attemptLog: attempts.map(toAttempt),
  };
}

function invalidUrl(message: string): AppError {
  return new AppError('VALIDATION_ERROR', `The webhook URL is refused: ${message}`, {
    details: { issues: [{ path: 'body.url', message }] },
  });
}

export function createWebhookService(deps: WebhookServiceDeps) {
  const { db, access, deliverer } = deps;
  const repository = createWebhookRepository(db);

  async function checkedUrl(url: string): Promise<string> {
    const problem = await targetProblem(url, deps.allowPrivateTargets);
    if (problem) throw invalidUrl(problem);
    return url;
  }

  async function endpointOf(businessId: string, endpointId: string): Promise<EndpointRow> {
    return found(await repository.findEndpoint(businessId, endpointId), 'Webhook endpoint');
  }

  async function deliveryView(businessId: string, deliveryId: string): Promise<WebhookDelivery> {
    const row = found(await repository.findDelivery(businessId, deliveryId), 'Webhook delivery');
    const attempts = await repository.attemptsOf([row.id]);
    return toDelivery(row, attempts.get(row.id) ?? []);
  }

  return {
    async create(
      principal: Principal,
      businessId: string,
      body: CreateWebhookBody,
    ): Promise<WebhookEndpointWithSecret> {
      await access.require(principal, businessId, 'business.manage');
      const row = await repository.insertEndpoint({
        businessId,
        url: await checkedUrl(body.url),
        eventTypes: body.eventTypes,
        description: body.description,
        active: body.active,
        secret: newSecret(),
        createdBy: principal.userId,
      });
      return withSecret(row);
    },

    async list(principal: Principal, businessId: string, query: WebhookListQuery) {
      await access.require(principal, businessId, 'business.manage');
      return readPage(query, (page) => repository.listEndpoints(businessId, page), toEndpoint);
    },

    async get(
      principal: Principal,
      businessId: string,
      endpointId: string,
    ): Promise<WebhookEndpointWithSecret> {
      await access.require(principal, businessId, 'business.manage');
      return withSecret(await endpointOf(businessId, endpointId));
    },

    async update(
      principal: Principal,
      businessId: string,
      endpointId: string,
      body: UpdateWebhookBody,
    ): Promise<WebhookEndpoint> {
      await access.require(principal, businessId, 'business.manage');
      await endpointOf(businessId, endpointId);
      const changes: EndpointChanges = {
        ...(body.url === undefined ? {} : { url: await checkedUrl(body.url) }),
        ...(body.eventTypes === undefined ? {} : { eventTypes: body.eventTypes }),
        ...(body.description === undefined ? {} : { description: body.description }),
      };
      if (body.active !== undefined) {
        changes.active = body.active;
        // Back on (or paused by hand): the automatic notice and its count no longer apply.
        changes.disabledReason = null;
        changes.disabledAt = null;
        if (body.active) changes.consecutiveFailures = 0;
      }
      const row = found(
        await repository.updateEndpoint(businessId, endpointId, changes),
        'Webhook endpoint',
      );
      return toEndpoint(row);
    },

    async remove(principal: Principal, businessId: string, endpointId: string): Promise<void> {
      await access.require(principal, businessId, 'business.manage');
      found(
        (await repository.deleteEndpoint(businessId, endpointId)) || undefined,
        'Webhook endpoint',
      );
    },

    /** A new secret at once: deliveries from now on are signed with it only. */
    async rotateSecret(
      principal: Principal,
      businessId: string,
      endpointId: string,
    ): Promise<WebhookEndpointWithSecret> {
      await access.require(principal, businessId, 'business.manage');
      const row = found(
        await repository.updateEndpoint(businessId, endpointId, { secret: newSecret() }),
        'Webhook endpoint',
      );
      return withSecret(row);
    },

    /** Sends a `webhook.test` event to the endpoint now (even a disabled one); answers its log. */
    async sendTest(
      principal: Principal,
      businessId: string,
      endpointId: string,
    ): Promise<WebhookDelivery> {
      await access.require(principal, businessId, 'business.manage');
      const endpoint = await endpointOf(businessId, endpointId);
      const now = new Date();
      const deliveryId = await db.transaction(async (tx) => {
        const inTx = createWebhookRepository(tx);
        const eventId = newEventId();
        await inTx.insertEvent({
          id: eventId,
          businessId,
          type: TEST_EVENT_TYPE,
          key: `${TEST_EVENT_TYPE}:${randomUUID()}`,
          payload: {
            type: TEST_EVENT_TYPE,
            timestamp: now.toISOString(),
            data: { endpointId: endpoint.id, message: 'A test event from Herald' },
          },
          occurredAt: now,
        });
        // Inserted claimed, so the delivery loop leaves it to this request.
        const [delivery] = await inTx.insertDeliveries([
          { businessId, endpointId: endpoint.id, eventId, claimedAt: now },
        ]);
        return found(delivery, 'Webhook delivery').id;
      });
      await deliverer.sendClaimed(deliveryId);
      return deliveryView(businessId, deliveryId);
    },

    async deliveries(
      principal: Principal,
      businessId: string,
      endpointId: string,
      query: DeliveryListQuery,
    ) {
      await access.require(principal, businessId, 'business.manage');
      await endpointOf(businessId, endpointId);
      const page = await readPage(
        query,
        (request) => repository.listDeliveries(businessId, endpointId, request, query.status),
        (row) => row,
      );
      const attempts = await repository.attemptsOf(page.items.map((row) => row.id));
      return {
        items: page.items.map((row) => toDelivery(row, attempts.get(row.id) ?? [])),
        nextCursor: page.nextCursor,
      };
    },

    /** Sends the delivery again now, with the same `webhook-id`; answers its log. */
    async redeliver(
      principal: Principal,
      businessId: string,
      deliveryId: string,
    ): Promise<WebhookDelivery> {
      await access.require(principal, businessId, 'business.manage');
      await deliveryView(businessId, deliveryId);
      if (!(await deliverer.redeliver(businessId, deliveryId))) {
        throw conflict('The delivery is being sent right now; try again in a moment.');
      }
      return deliveryView(businessId, deliveryId);
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
